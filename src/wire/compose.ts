import { ArpPacket, type ArpRepr, arpBufferLen, emitArp } from './arp.js';
import { EthernetFrame, emitEthernet, ETHERNET_HEADER_LEN, ethernetBufferLen } from './ethernet.js';
import { EtherType } from './ethertype.js';
import type { Mac } from './mac.js';
import { emitVlan, VLAN_TAG_LEN, type VlanRepr, VlanTag } from './vlan.js';

/** The link layer of a frame to build: Ethernet addresses and 0–2 tags, outermost first. */
export interface LinkRepr {
  readonly destination: Mac;
  readonly source: Mac;
  readonly vlans: readonly VlanRepr[];
}

/** Bytes a frame with `link` and a payload of `payloadLen` bytes takes, padded to 60. */
export function linkBufferLen(link: LinkRepr, payloadLen: number): number {
  return ethernetBufferLen(VLAN_TAG_LEN * link.vlans.length + payloadLen);
}

/**
 * Writes the Ethernet header and the tags (each validated: VID ≤ 4095, PCP ≤ 7) for a payload of
 * `ethertype` and `payloadLen` bytes, zeroes the padding, and returns where the payload goes.
 */
export function emitLink(
  link: LinkRepr,
  ethertype: number,
  payloadLen: number,
  bytes: Uint8Array,
): number {
  const tags = link.vlans;
  const outer = tags[0]?.tpid ?? ethertype;
  const frame = EthernetFrame.unchecked(bytes);
  emitEthernet(
    { destination: link.destination, source: link.source, ethertype: outer },
    frame,
    VLAN_TAG_LEN * tags.length + payloadLen,
  );
  let at = ETHERNET_HEADER_LEN;
  for (let i = 0; i < tags.length; i++) {
    emitVlan(tags[i]!, VlanTag.unchecked(bytes, at, VLAN_TAG_LEN), tags[i + 1]?.tpid ?? ethertype);
    at += VLAN_TAG_LEN;
  }
  return at;
}

/** A whole Ethernet/IPv4 ARP frame (RARP with `ethertype` 0x8035) as a new array. */
export function arpFrame(
  link: LinkRepr,
  arp: ArpRepr,
  ethertype: number = EtherType.ARP,
): Uint8Array {
  const bytes = new Uint8Array(linkBufferLen(link, arpBufferLen()));
  const at = emitLink(link, ethertype, arpBufferLen(), bytes);
  emitArp(arp, ArpPacket.unchecked(bytes, at, arpBufferLen()));
  return bytes;
}

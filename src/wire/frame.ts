import { ArpPacket } from './arp.js';
import type { LinkDelivery } from './classify.js';
import { WireError } from './error.js';
import { EthernetFrame } from './ethernet.js';
import { EtherType, isVlanTpid } from './ethertype.js';
import { type NdPacket, parseNdPacket } from './nd-packet.js';
import { LinuxSllFrame } from './sll.js';
import { parseVlan, type VlanRepr, VlanTag } from './vlan.js';

/** The link-layer header a captured frame starts with. */
export type LinkKind = 'ethernet' | 'sll' | 'sll2';

/** The most tags the chain reads: an 802.1ad outer tag and an 802.1Q inner tag (QinQ). */
export const MAX_VLAN_TAGS = 2;

/** What every decoded frame has, whatever it carries. */
export interface FrameCommon extends LinkDelivery {
  /** The tags between the link header and the payload, outermost first (0–2). */
  readonly vlans: readonly VlanRepr[];
  /** The innermost ethertype; undefined when the link header itself is cut short. */
  readonly ethertype: number | undefined;
}

/** ARP (ethertype 0x0806) or RARP (0x8035): the generic packet view, any hardware type. */
export interface ArpFrame extends FrameCommon {
  readonly proto: 'arp' | 'rarp';
  readonly arp: ArpPacket;
}

/** An ICMPv6 Neighbor Solicitation or Advertisement. */
export interface NdpFrame extends FrameCommon {
  readonly proto: 'ndp';
  readonly nd: NdPacket;
}

/** Anything else: another ethertype, IPv6 that is not ND, more tags than `MAX_VLAN_TAGS`. */
export interface OtherFrame extends FrameCommon {
  readonly proto: 'other';
}

/** A frame of ours whose bytes are cut short or break a rule. */
export interface MalformedFrame extends FrameCommon {
  readonly proto: 'malformed';
  readonly error: WireError;
}

/** One captured frame decoded as an explicit chain: link → 0–2 tags → ARP | RARP | ND | other. */
export type DecodedFrame = ArpFrame | NdpFrame | OtherFrame | MalformedFrame;

const NO_TAGS: readonly VlanRepr[] = Object.freeze([]);

/**
 * Decodes `bytes` (a view; the result aliases it). Never throws: a frame that is not ARP, RARP
 * or ND is `other`, and a broken one is `malformed` with the WireError that says why.
 */
export function decodeFrame(bytes: Uint8Array, link: LinkKind): DecodedFrame {
  let delivery: LinkDelivery;
  let ethertype: number;
  let payload: Uint8Array;
  try {
    if (link === 'ethernet') {
      const frame = EthernetFrame.checked(bytes);
      delivery = { source: frame.source, destination: frame.destination, packetType: undefined };
      ethertype = frame.ethertype;
      payload = frame.payload;
    } else {
      const frame = LinuxSllFrame.checked(bytes, link === 'sll' ? 1 : 2);
      delivery = { source: frame.source, destination: undefined, packetType: frame.packetType };
      ethertype = frame.protocol;
      payload = frame.payload;
    }
  } catch (error) {
    return malformed(error, UNKNOWN_DELIVERY, NO_TAGS, undefined);
  }
  return decodeTagged(delivery, ethertype, payload);
}

const UNKNOWN_DELIVERY: LinkDelivery = Object.freeze({
  source: undefined,
  destination: undefined,
  packetType: undefined,
});

function decodeTagged(delivery: LinkDelivery, outer: number, bytes: Uint8Array): DecodedFrame {
  let ethertype = outer;
  let payload = bytes;
  let vlans = NO_TAGS;
  try {
    while (isVlanTpid(ethertype) && vlans.length < MAX_VLAN_TAGS) {
      const tag = VlanTag.checked(payload);
      vlans = [...vlans, parseVlan(tag, ethertype)];
      ethertype = tag.ethertype;
      payload = tag.payload;
    }
  } catch (error) {
    return malformed(error, delivery, vlans, ethertype);
  }
  const common = { ...delivery, vlans, ethertype };
  try {
    switch (ethertype) {
      case EtherType.ARP:
        return { ...common, proto: 'arp', arp: ArpPacket.checked(payload) };
      case EtherType.RARP:
        return { ...common, proto: 'rarp', arp: ArpPacket.checked(payload) };
      case EtherType.IPV6: {
        const nd = parseNdPacket(payload);
        return nd === null ? { ...common, proto: 'other' } : { ...common, proto: 'ndp', nd };
      }
      default:
        return { ...common, proto: 'other' };
    }
  } catch (error) {
    return malformed(error, delivery, vlans, ethertype);
  }
}

function malformed(
  error: unknown,
  delivery: LinkDelivery,
  vlans: readonly VlanRepr[],
  ethertype: number | undefined,
): MalformedFrame {
  if (!(error instanceof WireError)) throw error;
  return { ...delivery, vlans, ethertype, proto: 'malformed', error };
}

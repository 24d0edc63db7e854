import { ArpOp, type ArpRepr } from '../wire/arp.js';
import { arpFrame, emitLink, type LinkRepr, linkBufferLen } from '../wire/compose.js';
import { EtherType } from '../wire/ethertype.js';
import { IPV4_ANY, type Ipv4 } from '../wire/ipv4.js';
import type { Ipv6 } from '../wire/ipv6.js';
import { MAC_BROADCAST, MAC_ZERO, type Mac } from '../wire/mac.js';
import {
  emitNdPacket,
  ipv6MulticastMac,
  ndPacketBufferLen,
  unsolicitedNa,
} from '../wire/nd-packet.js';
import { rarpAnnouncement } from '../wire/rarp.js';
import type { VlanRepr } from '../wire/vlan.js';

/** The frame kinds `arpkit send` knows, each what a failover tool sends. */
export const SEND_KINDS = ['learn', 'announce', 'request', 'reply', 'rarp', 'na', 'probe'] as const;
/** One of `SEND_KINDS`. */
export type SendKind = (typeof SEND_KINDS)[number];

/** What every kind of frame has; overrides replace what the kind would choose. */
interface SendCommon {
  /** The MAC being announced: ARP sender / NA target link-layer address, and the Ethernet source. */
  readonly mac: Mac;
  readonly vlans?: readonly VlanRepr[];
  readonly ethSrc?: Mac;
  readonly ethDst?: Mac;
  readonly targetMac?: Mac;
}

/** An ARP or RARP frame; `ip` is required by every kind but `learn` and `rarp`. */
export interface ArpSendSpec extends SendCommon {
  readonly kind: Exclude<SendKind, 'na'>;
  readonly ip?: Ipv4;
  readonly targetIp?: Ipv4;
}

/** An unsolicited Neighbor Advertisement for `ip` (or `targetIp`), sent from `ip`. */
export interface NaSendSpec extends SendCommon {
  readonly kind: 'na';
  readonly ip: Ipv6;
  readonly targetIp?: Ipv6;
  /** The R (router) flag. */
  readonly router?: boolean;
}

/** What one frame of `arpkit send` is made of. */
export type SendSpec = ArpSendSpec | NaSendSpec;

/** The ARP-level values of each ARP kind, before overrides. */
function arpFor(kind: Exclude<SendKind, 'na'>, mac: Mac, ip: Ipv4): ArpRepr {
  switch (kind) {
    case 'learn': // send_arp 0.0.0.0 $mac 0.0.0.0 ff:ff:ff:ff:ff:ff: binds no IP
      return {
        op: ArpOp.REQUEST,
        senderMac: mac,
        senderIp: IPV4_ANY,
        targetMac: MAC_BROADCAST,
        targetIp: IPV4_ANY,
      };
    case 'announce': // RFC 5227 §2.3
      return { op: ArpOp.REQUEST, senderMac: mac, senderIp: ip, targetMac: MAC_ZERO, targetIp: ip };
    case 'request': // arping -U
      return {
        op: ArpOp.REQUEST,
        senderMac: mac,
        senderIp: ip,
        targetMac: MAC_BROADCAST,
        targetIp: ip,
      };
    case 'reply': // arping -A; RFC 5944 §4.6
      return { op: ArpOp.REPLY, senderMac: mac, senderIp: ip, targetMac: mac, targetIp: ip };
    case 'rarp': // RFC 903, as QEMU, VMware and OVS announce a guest
      return rarpAnnouncement(mac);
    case 'probe': // RFC 5227 §2.1.1
      return {
        op: ArpOp.REQUEST,
        senderMac: mac,
        senderIp: IPV4_ANY,
        targetMac: MAC_ZERO,
        targetIp: ip,
      };
  }
}

/** Builds the frame `spec` describes, padded to 60 bytes; `spec` has been validated. */
export function sendFrame(spec: SendSpec): Uint8Array {
  const vlans = spec.vlans ?? [];
  if (spec.kind === 'na') return naFrame(spec, vlans);
  const base = arpFor(spec.kind, spec.mac, spec.ip ?? IPV4_ANY);
  const arp: ArpRepr = {
    ...base,
    targetIp: spec.targetIp ?? base.targetIp,
    targetMac: spec.targetMac ?? base.targetMac,
  };
  const link: LinkRepr = {
    destination: spec.ethDst ?? MAC_BROADCAST,
    source: spec.ethSrc ?? spec.mac,
    vlans,
  };
  return arpFrame(link, arp, spec.kind === 'rarp' ? EtherType.RARP : EtherType.ARP);
}

/** RFC 4861 §7.2.6: to all nodes, hop limit 255, O=1, S=0, the MAC as target link-layer address. */
function naFrame(spec: NaSendSpec, vlans: readonly VlanRepr[]): Uint8Array {
  const { ip: header, nd } = unsolicitedNa({
    source: spec.ip,
    target: spec.targetIp ?? spec.ip,
    mac: spec.mac,
    router: spec.router ?? false,
  });
  const link: LinkRepr = {
    destination: spec.ethDst ?? ipv6MulticastMac(header.destination),
    source: spec.ethSrc ?? spec.mac,
    vlans,
  };
  const length = ndPacketBufferLen(nd);
  const bytes = new Uint8Array(linkBufferLen(link, length));
  const at = emitLink(link, EtherType.IPV6, length, bytes);
  emitNdPacket(header, nd, bytes.subarray(at, at + length));
  return bytes;
}

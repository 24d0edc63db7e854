import { ArpOp, type ArpPacket, arpField } from './arp.js';
import { allBytes, sameBytes } from './bytes.js';
import { MAC_BROADCAST, MAC_LEN, type Mac, readMac } from './mac.js';
import { SllPacketType } from './sll.js';

/**
 * What kind of ARP frame this is, as a bit set. Each bit has a predicate below; `arpFlags`
 * computes them all in one pass without allocating, and `arpFlagNames` spells them.
 */
export const ArpFlag = Object.freeze({
  REQUEST: 1 << 0,
  REPLY: 1 << 1,
  GRATUITOUS: 1 << 2,
  PROBE: 1 << 3,
  ANNOUNCEMENT: 1 << 4,
  BROADCAST: 1 << 5,
  UNICAST: 1 << 6,
  ETH_SRC_MISMATCH: 1 << 7,
  LEARN: 1 << 8,
});

/** Flag names in bit order, as `--json` prints them. */
const ARP_FLAG_NAMES: readonly string[] = [
  'request',
  'reply',
  'gratuitous',
  'probe',
  'announcement',
  'broadcast',
  'unicast',
  'eth-src-mismatch',
  'learn',
];

/** How the frame reached the capture: what the link layer says about its destination. */
export interface LinkDelivery {
  /** Ethernet source, or the cooked header's address; undefined when the link has none. */
  readonly source: Mac | undefined;
  /** Ethernet destination; undefined for cooked captures. */
  readonly destination: Mac | undefined;
  /** Linux cooked `PACKET_*` type; undefined for Ethernet. */
  readonly packetType: number | undefined;
}

/**
 * The classification that depends only on the ARP packet, every bit in one pass over its
 * fields: REQUEST, REPLY, GRATUITOUS, ANNOUNCEMENT, PROBE and LEARN. Works for any hardware and
 * protocol address length (Wireshark compares `plen` bytes the same way).
 */
export function arpPacketFlags(packet: ArpPacket): number {
  const { bytes, offset, op, hlen, plen } = packet;
  const spa = offset + arpField.spa(hlen);
  const tha = offset + arpField.tha(hlen, plen);
  const tpa = offset + arpField.tpa(hlen, plen);
  let flags = 0;
  if (op === ArpOp.REQUEST) flags = ArpFlag.REQUEST;
  else if (op === ArpOp.REPLY) flags = ArpFlag.REPLY;
  else return 0;
  if (sameBytes(bytes, spa, tpa, plen)) {
    flags |= ArpFlag.GRATUITOUS;
    if (flags & ArpFlag.REQUEST && allBytes(bytes, tha, hlen, 0)) flags |= ArpFlag.ANNOUNCEMENT;
  }
  if (flags & ArpFlag.REQUEST && allBytes(bytes, spa, plen, 0)) {
    if (!allBytes(bytes, tpa, plen, 0)) flags |= ArpFlag.PROBE;
    else if (packet.isEthernetIpv4 && allBytes(bytes, tha, hlen, 0xff)) flags |= ArpFlag.LEARN;
  }
  return flags;
}

/**
 * The classification that depends on how the frame was delivered: BROADCAST or UNICAST for a
 * request, and ETH_SRC_MISMATCH.
 */
export function arpDeliveryFlags(packet: ArpPacket, link: LinkDelivery): number {
  let flags = 0;
  if (packet.op === ArpOp.REQUEST) {
    if (link.destination !== undefined) {
      flags = link.destination === MAC_BROADCAST ? ArpFlag.BROADCAST : ArpFlag.UNICAST;
    } else if (link.packetType === SllPacketType.BROADCAST) {
      flags = ArpFlag.BROADCAST;
    } else if (
      link.packetType === SllPacketType.HOST ||
      link.packetType === SllPacketType.OTHERHOST
    ) {
      flags = ArpFlag.UNICAST;
    }
  }
  const source = link.source;
  if (source !== undefined && packet.hlen === MAC_LEN) {
    if (readMac(packet.bytes, packet.offset + arpField.SHA) !== source)
      flags |= ArpFlag.ETH_SRC_MISMATCH;
  }
  return flags;
}

/** Every predicate below at once, as `ArpFlag` bits. */
export function arpFlags(packet: ArpPacket, link: LinkDelivery): number {
  return arpPacketFlags(packet) | arpDeliveryFlags(packet, link);
}

/**
 * An Ethernet/IPv4 ARP packet and how it was delivered, as numbers already read: MACs as 48-bit
 * numbers, IPv4 addresses as uint32, and -1 for a link field the link does not have
 * (`source`/`destination` undefined, `packetType` unknown).
 */
export interface ArpNumbers {
  readonly op: number;
  readonly sha: number;
  readonly spa: number;
  readonly tha: number;
  readonly tpa: number;
  readonly ethDestination: number;
  readonly ethSource: number;
  readonly packetType: number;
}

/**
 * `arpFlags` of an Ethernet/IPv4 packet (6-byte MACs, 4-byte IPv4) from its fields already read,
 * for a loop that has them: the same bits without reading the bytes again. It takes them in one
 * object, so that a call the compiler does not inline boxes no 48-bit number.
 */
export function ethernetIpv4ArpFlags(packet: ArpNumbers): number {
  const { op, spa, tpa, tha, ethSource } = packet;
  let flags = ethSource !== -1 && packet.sha !== ethSource ? ArpFlag.ETH_SRC_MISMATCH : 0;
  if (op === ArpOp.REPLY) {
    flags |= ArpFlag.REPLY;
    if (spa === tpa) flags |= ArpFlag.GRATUITOUS;
    return flags;
  }
  if (op !== ArpOp.REQUEST) return flags;
  flags |= ArpFlag.REQUEST;
  if (spa === tpa) {
    flags |= tha === 0 ? ArpFlag.GRATUITOUS | ArpFlag.ANNOUNCEMENT : ArpFlag.GRATUITOUS;
  }
  if (spa === 0) {
    if (tpa !== 0) flags |= ArpFlag.PROBE;
    else if (tha === MAC_BROADCAST) flags |= ArpFlag.LEARN;
  }
  const destination = packet.ethDestination;
  if (destination !== -1) {
    flags |= destination === MAC_BROADCAST ? ArpFlag.BROADCAST : ArpFlag.UNICAST;
  } else if (packet.packetType === SllPacketType.BROADCAST) {
    flags |= ArpFlag.BROADCAST;
  } else if (
    packet.packetType === SllPacketType.HOST ||
    packet.packetType === SllPacketType.OTHERHOST
  ) {
    flags |= ArpFlag.UNICAST;
  }
  return flags;
}

/**
 * Gratuitous ARP: a request or reply whose sender and target protocol addresses are equal
 * (RFC 5944 §4.6 for the reply form, RFC 5227 §2.3 for the request form); Wireshark's
 * `arp.isgratuitous`.
 */
export function isGratuitous(packet: ArpPacket): boolean {
  return (arpPacketFlags(packet) & ArpFlag.GRATUITOUS) !== 0;
}

/**
 * RFC 5227 §2.3 ARP Announcement: a gratuitous request whose target hardware address is all
 * zeros (Wireshark's `arp.isannouncement`).
 */
export function isAnnouncement(packet: ArpPacket): boolean {
  return (arpPacketFlags(packet) & ArpFlag.ANNOUNCEMENT) !== 0;
}

/**
 * RFC 5227 §2.1.1 ARP Probe: a request with an all-zero sender protocol address asking for a
 * non-zero target. The target hardware address is not tested: the RFC says receivers ignore it,
 * and `arping -D` sends ff:ff:ff:ff:ff:ff there (Wireshark's `arp.isprobe` also wants zeros).
 */
export function isProbe(packet: ArpPacket): boolean {
  return (arpPacketFlags(packet) & ArpFlag.PROBE) !== 0;
}

/**
 * The classic `send_arp 0.0.0.0 $mac 0.0.0.0 ff:ff:ff:ff:ff:ff` frame: an Ethernet/IPv4 request
 * with SPA = TPA = 0.0.0.0 and THA = ff:ff:ff:ff:ff:ff. It binds no IP; it only teaches switches
 * the source MAC.
 */
export function isLearnFrame(packet: ArpPacket): boolean {
  return (arpPacketFlags(packet) & ArpFlag.LEARN) !== 0;
}

/** A request sent to the broadcast address (cooked captures: `PACKET_BROADCAST`). */
export function isBroadcastRequest(packet: ArpPacket, link: LinkDelivery): boolean {
  return (arpDeliveryFlags(packet, link) & ArpFlag.BROADCAST) !== 0;
}

/**
 * A request sent to one station rather than broadcast, as a cache refresh (RFC 1122 §2.3.2.1)
 * or a poisoning tool does; cooked captures: `PACKET_HOST` or `PACKET_OTHERHOST`.
 */
export function isUnicastRequest(packet: ArpPacket, link: LinkDelivery): boolean {
  return (arpDeliveryFlags(packet, link) & ArpFlag.UNICAST) !== 0;
}

/**
 * The link-layer source differs from the ARP sender hardware address: a proxy, a bridge
 * announcing for someone, or spoofing (arpwatch's "ethernet mismatch").
 */
export function hasEthSourceMismatch(packet: ArpPacket, link: LinkDelivery): boolean {
  return (arpDeliveryFlags(packet, link) & ArpFlag.ETH_SRC_MISMATCH) !== 0;
}

/** The names of the bits set in `flags`, in bit order. */
export function arpFlagNames(flags: number): string[] {
  const names: string[] = [];
  for (let bit = 0; bit < ARP_FLAG_NAMES.length; bit++) {
    if (flags & (1 << bit)) names.push(ARP_FLAG_NAMES[bit]!);
  }
  return names;
}

import { Icmpv6Packet, icmpv6Checksum, verifyIcmpv6Checksum } from './icmpv6.js';
import { IPV6_ALL_NODES, type Ipv6 } from './ipv6.js';
import {
  emitIpv6Packet,
  IPV6_HEADER_LEN,
  IpNextHeader,
  Ipv6Packet,
  type Ipv6Repr,
  parseIpv6Packet,
} from './ipv6-header.js';
import type { Mac } from './mac.js';
import {
  emitNdp,
  isNdpType,
  NdpPacket,
  type NdpRepr,
  type NeighborAdvertisement,
  ndpBufferLen,
  parseNdp,
} from './ndp.js';

/** The hop limit every ND message is sent with and checked against (RFC 4861 §7.1.1, §7.1.2). */
export const ND_HOP_LIMIT = 255;

/** A decoded IPv6 + ICMPv6 Neighbor Discovery packet, as it follows the Ethernet/VLAN headers. */
export interface NdPacket {
  readonly ip: Ipv6Repr;
  readonly nd: NdpRepr;
  /** False when the RFC 4443 §2.3 checksum does not verify: reported, not thrown, so it can be counted. */
  readonly checksumOk: boolean;
}

/**
 * The IPv6 fields the sender of an ND packet chooses; payload length and next header follow from
 * the message. `hopLimit` defaults to 255, traffic class and flow label to 0, as Linux sends.
 */
export interface NdIpv6Repr {
  readonly source: Ipv6;
  readonly destination: Ipv6;
  readonly hopLimit?: number;
  readonly trafficClass?: number;
  readonly flowLabel?: number;
}

/**
 * Decodes the IPv6 packet in `bytes[offset, offset + length)`, after the Ethernet/VLAN headers.
 * Returns `null` for an IPv6 packet that is not an NS or NA (another next header, extension
 * headers included, or another ICMPv6 type): that is "other IPv6", not an error. Throws a
 * WireError only for truncated or malformed bytes; trailing Ethernet padding is ignored. The
 * RFC 4861 §7.1 receive checks on hop limit and addresses are left to the caller, which sees both.
 */
export function parseNdPacket(
  bytes: Uint8Array,
  offset = 0,
  length = bytes.length - offset,
): NdPacket | null {
  const packet = Ipv6Packet.checked(bytes, offset, length);
  const ip = parseIpv6Packet(packet);
  if (ip.nextHeader !== IpNextHeader.ICMPV6) return null;
  const at = packet.payloadOffset;
  if (!isNdpType(Icmpv6Packet.checked(bytes, at, ip.payloadLength).type)) return null;
  const nd = parseNdp(NdpPacket.checked(bytes, at, ip.payloadLength));
  return { ip, nd, checksumOk: verifyIcmpv6Checksum(packet) };
}

/** Bytes needed for the IPv6 header, the NS or NA and its option. */
export function ndPacketBufferLen(nd: NdpRepr): number {
  return IPV6_HEADER_LEN + ndpBufferLen(nd);
}

/** Writes the IPv6 header, the ICMPv6 message, its option and a correct checksum into `bytes`. */
export function emitNdPacket(ip: NdIpv6Repr, nd: NdpRepr, bytes: Uint8Array): void {
  const packet = Ipv6Packet.unchecked(bytes);
  emitIpv6Packet(
    {
      trafficClass: ip.trafficClass ?? 0,
      flowLabel: ip.flowLabel ?? 0,
      payloadLength: ndpBufferLen(nd),
      nextHeader: IpNextHeader.ICMPV6,
      hopLimit: ip.hopLimit ?? ND_HOP_LIMIT,
      source: ip.source,
      destination: ip.destination,
    },
    packet,
  );
  const message = NdpPacket.unchecked(bytes, packet.payloadOffset, packet.payloadLength);
  emitNdp(nd, message);
  message.checksum = icmpv6Checksum(packet);
}

/** What an unsolicited Neighbor Advertisement announces. */
export interface UnsolicitedNaOptions {
  /** An address of the sending interface; Linux uses the target itself. */
  readonly source: Ipv6;
  /** The address whose link-layer address changed. */
  readonly target: Ipv6;
  /** The new link-layer address, sent as the Target Link-Layer Address option. */
  readonly mac: Mac;
  /** The R flag: the sender is a router. Default false. */
  readonly router?: boolean;
}

/**
 * The unsolicited NA of RFC 4861 §7.2.6: to all nodes (ff02::1), hop limit 255, S=0, O=1, with
 * the new MAC as target link-layer address. The Ethernet destination is `ipv6MulticastMac(ff02::1)`.
 */
export function unsolicitedNa(options: UnsolicitedNaOptions): {
  readonly ip: NdIpv6Repr;
  readonly nd: NeighborAdvertisement;
} {
  return {
    ip: { source: options.source, destination: IPV6_ALL_NODES, hopLimit: ND_HOP_LIMIT },
    nd: {
      type: 'na',
      target: options.target,
      router: options.router ?? false,
      solicited: false,
      override: true,
      targetLla: options.mac,
    },
  };
}

/** The Ethernet address of an IPv6 multicast group: 33:33 and its last 32 bits (RFC 2464 §7). */
export function ipv6MulticastMac(ip: Ipv6): Mac {
  return (0x3333_0000_0000 + Number(ip & 0xffff_ffffn)) as Mac;
}

import { arpFrame, emitLink, linkBufferLen } from '../wire/compose.js';
import { EtherType } from '../wire/ethertype.js';
import { writeIpv4 } from '../wire/ipv4.js';
import { FrameKind, type SimFrame } from './frame.js';

/** Bytes of the IPv4 + UDP headers and payload of a simulated data packet. */
const IPV4_HEADER_LEN = 20;
const UDP_HEADER_LEN = 8;
/** The payload: flow number and packet number, 4 bytes each. */
const PAYLOAD_LEN = 8;
const DATAGRAM_LEN = IPV4_HEADER_LEN + UDP_HEADER_LEN + PAYLOAD_LEN;
/** UDP port simulated flows use (discard, RFC 863). */
const UDP_PORT = 9;
const IP_TTL = 64;
const IPPROTO_UDP = 17;

/** Field offsets in the IPv4 header (RFC 791 §3.1) and the UDP header (RFC 768). */
const ipv4Field = Object.freeze({
  VERSION_IHL: 0,
  TOTAL_LENGTH: 2,
  TTL: 8,
  PROTOCOL: 9,
  CHECKSUM: 10,
  SOURCE: 12,
  DESTINATION: 16,
});
const udpField = Object.freeze({ SOURCE_PORT: 0, DESTINATION_PORT: 2, LENGTH: 4 });

/**
 * The bytes of `frame` as a capture would hold them: ARP and RARP through `wire/compose.ts`,
 * a data packet as Ethernet/IPv4/UDP to port 9 whose payload names its flow and number.
 */
export function wireFrame(frame: SimFrame): Uint8Array {
  const link = { destination: frame.destination, source: frame.source, vlans: [] };
  if (frame.kind !== FrameKind.DATA) {
    const ethertype = frame.kind === FrameKind.RARP ? EtherType.RARP : EtherType.ARP;
    const arp = {
      op: frame.op,
      senderMac: frame.senderMac,
      senderIp: frame.senderIp,
      targetMac: frame.targetMac,
      targetIp: frame.targetIp,
    };
    return arpFrame(link, arp, ethertype);
  }
  const packet = frame.packet!;
  const bytes = new Uint8Array(linkBufferLen(link, DATAGRAM_LEN));
  const at = emitLink(link, EtherType.IPV4, DATAGRAM_LEN, bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, DATAGRAM_LEN);
  view.setUint8(ipv4Field.VERSION_IHL, 0x45);
  view.setUint16(ipv4Field.TOTAL_LENGTH, DATAGRAM_LEN);
  view.setUint8(ipv4Field.TTL, IP_TTL);
  view.setUint8(ipv4Field.PROTOCOL, IPPROTO_UDP);
  writeIpv4(packet.source, bytes, at + ipv4Field.SOURCE);
  writeIpv4(packet.destination, bytes, at + ipv4Field.DESTINATION);
  view.setUint16(ipv4Field.CHECKSUM, ipv4Checksum(bytes.subarray(at, at + IPV4_HEADER_LEN)));
  const udp = IPV4_HEADER_LEN;
  view.setUint16(udp + udpField.SOURCE_PORT, UDP_PORT);
  view.setUint16(udp + udpField.DESTINATION_PORT, UDP_PORT);
  view.setUint16(udp + udpField.LENGTH, UDP_HEADER_LEN + PAYLOAD_LEN);
  // UDP checksum 0: none (RFC 768), allowed over IPv4.
  view.setUint32(udp + UDP_HEADER_LEN, packet.flow);
  view.setUint32(udp + UDP_HEADER_LEN + 4, packet.seq);
  return bytes;
}

/** The one's-complement header checksum of RFC 791 over `header` (its checksum field zero). */
export function ipv4Checksum(header: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < header.length; i += 2) sum += (header[i]! << 8) | (header[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

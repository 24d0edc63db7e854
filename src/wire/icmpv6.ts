import { ByteView } from './byte-view.js';
import { needBytes } from './error.js';
import { IpNextHeader, type Ipv6Packet, ipv6Field } from './ipv6-header.js';

/** ICMPv6 header field offsets (RFC 4443 §2.1); the message body follows. */
export const icmpv6Field = Object.freeze({
  TYPE: 0,
  CODE: 1,
  CHECKSUM: 2,
  BODY: 4,
});

/** Bytes in the ICMPv6 header: type, code, checksum. */
export const ICMPV6_HEADER_LEN = icmpv6Field.BODY;

/** ICMPv6 message types arpkit decodes or emits (IANA "ICMPv6 Parameters"). */
export const Icmpv6Type = Object.freeze({
  /** RFC 4861 §4.3 */
  NEIGHBOR_SOLICITATION: 135,
  /** RFC 4861 §4.4 */
  NEIGHBOR_ADVERTISEMENT: 136,
});

/** A read/write view over an ICMPv6 message; getters read the header in place. */
export class Icmpv6Packet extends ByteView {
  /**
   * Wraps `bytes[offset, offset + length)` after checking that a whole header is there; throws
   * a `truncated` WireError.
   */
  static checked(bytes: Uint8Array, offset = 0, length = bytes.length - offset): Icmpv6Packet {
    return new Icmpv6Packet().rebindShared(bytes, offset, length);
  }

  /** Wraps `bytes` unchecked: only for emitting into a buffer sized for the whole message. */
  static unchecked(bytes: Uint8Array, offset = 0, length = bytes.length - offset): Icmpv6Packet {
    const packet = new Icmpv6Packet();
    packet.checkBounds('icmpv6', bytes, offset, length);
    packet.point(bytes, offset, length);
    return packet;
  }

  /** Re-points this view at another message after the same check as `checked` (shared view). */
  rebindShared(bytes: Uint8Array, offset: number, length: number): this {
    this.checkBounds('icmpv6', bytes, offset, length);
    needBytes('icmpv6', 0, length, ICMPV6_HEADER_LEN);
    this.point(bytes, offset, length);
    return this;
  }

  get type(): number {
    return this.view.getUint8(this.offset + icmpv6Field.TYPE);
  }

  get code(): number {
    return this.view.getUint8(this.offset + icmpv6Field.CODE);
  }

  get checksum(): number {
    return this.view.getUint16(this.offset + icmpv6Field.CHECKSUM);
  }

  /** The bytes after the header; a view sharing this message's memory. */
  get body(): Uint8Array {
    return this.bytes.subarray(this.offset + icmpv6Field.BODY, this.end);
  }

  set type(value: number) {
    this.view.setUint8(this.offset + icmpv6Field.TYPE, value);
  }

  set code(value: number) {
    this.view.setUint8(this.offset + icmpv6Field.CODE, value);
  }

  set checksum(value: number) {
    this.view.setUint16(this.offset + icmpv6Field.CHECKSUM, value);
  }
}

/**
 * The RFC 4443 §2.3 checksum for the ICMPv6 message that is the payload of `ip` (no extension
 * headers), its own checksum field counted as zero: the value to store in that field. It covers
 * the RFC 8200 §8.1 pseudo-header (source, destination, upper-layer length, next header 58).
 * `ip` must be checked or fully emitted; nothing is allocated.
 */
export function icmpv6Checksum(ip: Ipv6Packet): number {
  const start = ip.payloadOffset;
  const end = start + ip.payloadLength;
  const message =
    sum16(ip.bytes, start, start + icmpv6Field.CHECKSUM) +
    sum16(ip.bytes, start + icmpv6Field.BODY, end);
  return ~fold(pseudoHeaderSum(ip) + message) & 0xffff;
}

/** True when the ICMPv6 message that is the payload of checked `ip` carries a correct RFC 4443 §2.3 checksum. */
export function verifyIcmpv6Checksum(ip: Ipv6Packet): boolean {
  const start = ip.payloadOffset;
  const message = sum16(ip.bytes, start, start + ip.payloadLength);
  return fold(pseudoHeaderSum(ip) + message) === 0xffff;
}

/** The RFC 8200 §8.1 pseudo-header's word sum: both addresses, upper-layer length, next header 58. */
function pseudoHeaderSum(ip: Ipv6Packet): number {
  return (
    sum16(ip.bytes, ip.offset + ipv6Field.SOURCE, ip.payloadOffset) +
    ip.payloadLength +
    IpNextHeader.ICMPV6
  );
}

/**
 * Sums big-endian 16-bit words of `bytes[start, end)`, an odd last byte padded with zero
 * (RFC 1071 §4.1). Unfolded: for a 64 KiB message the sum stays far below 2^32.
 */
function sum16(bytes: Uint8Array, start: number, end: number): number {
  let sum = 0;
  let i = start;
  for (; i + 1 < end; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (i < end) sum += bytes[i]! << 8;
  return sum;
}

/** Folds carries back into 16 bits (one's complement addition, RFC 1071 §2). */
function fold(sum: number): number {
  let folded = sum;
  while (folded > 0xffff) folded = (folded & 0xffff) + (folded >>> 16);
  return folded;
}

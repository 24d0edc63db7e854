import { ByteView } from './byte-view.js';
import { checkField, needBytes, WireError } from './error.js';
import { type Ipv6, readIpv6, writeIpv6 } from './ipv6.js';

/**
 * IPv6 fixed header field offsets (RFC 8200 §3). Version (4 bits), traffic class (8) and flow
 * label (20) share the first 32-bit word.
 */
export const ipv6Field = Object.freeze({
  VERSION_CLASS_FLOW: 0,
  PAYLOAD_LENGTH: 4,
  NEXT_HEADER: 6,
  HOP_LIMIT: 7,
  SOURCE: 8,
  DESTINATION: 24,
  PAYLOAD: 40,
});

/** Bytes in the IPv6 fixed header. */
export const IPV6_HEADER_LEN = ipv6Field.PAYLOAD;
/** The only value the version field may hold. */
export const IPV6_VERSION = 6;
/** The largest flow label (20 bits). */
export const IPV6_MAX_FLOW_LABEL = 0xf_ffff;

/** Next Header values arpkit decodes or emits (IANA "Assigned Internet Protocol Numbers"). */
export const IpNextHeader = Object.freeze({
  /** RFC 4443 */
  ICMPV6: 58,
});

const VERSION_SHIFT = 28;
const CLASS_SHIFT = 20;

/** A read/write view over an IPv6 packet; getters read the fixed header in place. */
export class Ipv6Packet extends ByteView {
  /**
   * Wraps `bytes[offset, offset + length)` after checking that the fixed header and the
   * `payloadLength` bytes it announces are there; throws a `truncated` WireError. Bytes after the
   * payload (Ethernet padding) are allowed and ignored.
   */
  static checked(bytes: Uint8Array, offset = 0, length = bytes.length - offset): Ipv6Packet {
    return new Ipv6Packet().rebindShared(bytes, offset, length);
  }

  /** Wraps `bytes` unchecked: only for emitting into a buffer sized by `ipv6PacketBufferLen`. */
  static unchecked(bytes: Uint8Array, offset = 0, length = bytes.length - offset): Ipv6Packet {
    const packet = new Ipv6Packet();
    packet.checkBounds('ipv6', bytes, offset, length);
    packet.point(bytes, offset, length);
    return packet;
  }

  /** Re-points this view at another packet after the same check as `checked` (shared view). */
  rebindShared(bytes: Uint8Array, offset: number, length: number): this {
    this.checkBounds('ipv6', bytes, offset, length);
    needBytes('ipv6', 0, length, IPV6_HEADER_LEN);
    const at = offset + ipv6Field.PAYLOAD_LENGTH;
    needBytes(
      'ipv6',
      IPV6_HEADER_LEN,
      length - IPV6_HEADER_LEN,
      (bytes[at]! << 8) | bytes[at + 1]!,
    );
    this.point(bytes, offset, length);
    return this;
  }

  /** The version field; 6 in any packet `parseIpv6Packet` accepts. */
  get version(): number {
    return this.view.getUint8(this.offset + ipv6Field.VERSION_CLASS_FLOW) >>> 4;
  }

  /** Traffic class (DSCP and ECN), 0–255. */
  get trafficClass(): number {
    return (this.view.getUint32(this.offset + ipv6Field.VERSION_CLASS_FLOW) >>> CLASS_SHIFT) & 0xff;
  }

  /** Flow label, 0–0xfffff. */
  get flowLabel(): number {
    return this.view.getUint32(this.offset + ipv6Field.VERSION_CLASS_FLOW) & IPV6_MAX_FLOW_LABEL;
  }

  /** Bytes after the fixed header that belong to this packet (extension headers included). */
  get payloadLength(): number {
    return this.view.getUint16(this.offset + ipv6Field.PAYLOAD_LENGTH);
  }

  get nextHeader(): number {
    return this.view.getUint8(this.offset + ipv6Field.NEXT_HEADER);
  }

  get hopLimit(): number {
    return this.view.getUint8(this.offset + ipv6Field.HOP_LIMIT);
  }

  get source(): Ipv6 {
    return readIpv6(this.bytes, this.offset + ipv6Field.SOURCE);
  }

  get destination(): Ipv6 {
    return readIpv6(this.bytes, this.offset + ipv6Field.DESTINATION);
  }

  /** Index in `bytes` where the payload starts. */
  get payloadOffset(): number {
    return this.offset + ipv6Field.PAYLOAD;
  }

  /** Exactly `payloadLength` bytes after the header, padding excluded; a view sharing this packet's memory. */
  get payload(): Uint8Array {
    return this.bytes.subarray(this.payloadOffset, this.payloadOffset + this.payloadLength);
  }

  /** Sets version, traffic class and flow label at once (the first 32-bit word). */
  setVersionClassFlow(version: number, trafficClass: number, flowLabel: number): void {
    const word = (version << VERSION_SHIFT) | (trafficClass << CLASS_SHIFT) | flowLabel;
    this.view.setUint32(this.offset + ipv6Field.VERSION_CLASS_FLOW, word >>> 0);
  }

  set payloadLength(value: number) {
    this.view.setUint16(this.offset + ipv6Field.PAYLOAD_LENGTH, value);
  }

  set nextHeader(value: number) {
    this.view.setUint8(this.offset + ipv6Field.NEXT_HEADER, value);
  }

  set hopLimit(value: number) {
    this.view.setUint8(this.offset + ipv6Field.HOP_LIMIT, value);
  }

  set source(ip: Ipv6) {
    writeIpv6(ip, this.bytes, this.offset + ipv6Field.SOURCE);
  }

  set destination(ip: Ipv6) {
    writeIpv6(ip, this.bytes, this.offset + ipv6Field.DESTINATION);
  }
}

/** The fixed header of an IPv6 packet as a plain value; the version is always 6. */
export interface Ipv6Repr {
  readonly trafficClass: number;
  readonly flowLabel: number;
  readonly payloadLength: number;
  readonly nextHeader: number;
  readonly hopLimit: number;
  readonly source: Ipv6;
  readonly destination: Ipv6;
}

/** Reads the header of a checked packet; throws a `malformed` WireError unless the version is 6 (RFC 8200 §3). */
export function parseIpv6Packet(packet: Ipv6Packet): Ipv6Repr {
  if (packet.version !== IPV6_VERSION) {
    throw new WireError(
      {
        kind: 'malformed',
        layer: 'ipv6',
        offset: ipv6Field.VERSION_CLASS_FLOW,
        got: packet.version,
        expected: IPV6_VERSION,
      },
      'version',
    );
  }
  return {
    trafficClass: packet.trafficClass,
    flowLabel: packet.flowLabel,
    payloadLength: packet.payloadLength,
    nextHeader: packet.nextHeader,
    hopLimit: packet.hopLimit,
    source: packet.source,
    destination: packet.destination,
  };
}

/** Bytes needed for the header and the `payloadLength` bytes after it. */
export function ipv6PacketBufferLen(repr: Ipv6Repr): number {
  return IPV6_HEADER_LEN + repr.payloadLength;
}

/** Writes the fixed header (not the payload); throws a `malformed` WireError for a field out of range. */
export function emitIpv6Packet(repr: Ipv6Repr, packet: Ipv6Packet): void {
  checkField('ipv6', ipv6Field.VERSION_CLASS_FLOW, 'traffic class', repr.trafficClass, 0xff);
  checkField(
    'ipv6',
    ipv6Field.VERSION_CLASS_FLOW,
    'flow label',
    repr.flowLabel,
    IPV6_MAX_FLOW_LABEL,
  );
  checkField('ipv6', ipv6Field.PAYLOAD_LENGTH, 'payload length', repr.payloadLength, 0xffff);
  checkField('ipv6', ipv6Field.NEXT_HEADER, 'next header', repr.nextHeader, 0xff);
  checkField('ipv6', ipv6Field.HOP_LIMIT, 'hop limit', repr.hopLimit, 0xff);
  packet.setVersionClassFlow(IPV6_VERSION, repr.trafficClass, repr.flowLabel);
  packet.payloadLength = repr.payloadLength;
  packet.nextHeader = repr.nextHeader;
  packet.hopLimit = repr.hopLimit;
  packet.source = repr.source;
  packet.destination = repr.destination;
}

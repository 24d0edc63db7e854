import { needBytes, WireError } from './error.js';
import { ICMPV6_HEADER_LEN, Icmpv6Packet, Icmpv6Type, icmpv6Field } from './icmpv6.js';
import { type Ipv6, readIpv6, writeIpv6 } from './ipv6.js';
import { type Mac, readMac, writeMac } from './mac.js';

/**
 * Neighbor Solicitation / Advertisement field offsets, counted from the ICMPv6 type byte
 * (RFC 4861 §4.3, §4.4): the NA flags sit where the NS has reserved bits. Options (§4.6) are
 * type-length-value records, the length in units of 8 bytes; `option` gives offsets inside one.
 */
export const ndpField = Object.freeze({
  FLAGS: ICMPV6_HEADER_LEN,
  TARGET: 8,
  OPTIONS: 24,
  option: Object.freeze({ TYPE: 0, LENGTH: 1, LLA: 2 }),
});

/** Bytes in an NS or NA before its options. */
export const NDP_HEADER_LEN = ndpField.OPTIONS;
/** The unit of the option length field (RFC 4861 §4.6). */
export const NDP_OPTION_UNIT = 8;
/** Bytes in a link-layer address option carrying a 6-byte MAC (RFC 2464 §6: length 1). */
export const NDP_LLA_OPTION_LEN = NDP_OPTION_UNIT;

/** Neighbor Discovery option types arpkit decodes or emits (RFC 4861 §4.6.1). */
export const NdpOptionType = Object.freeze({
  SOURCE_LLA: 1,
  TARGET_LLA: 2,
});

/** NA flag bits in the first byte after the ICMPv6 header (RFC 4861 §4.4). */
const flag = Object.freeze({ ROUTER: 0x80, SOLICITED: 0x40, OVERRIDE: 0x20 });

/** True for the ICMPv6 types this file decodes: Neighbor Solicitation and Advertisement. */
export function isNdpType(type: number): boolean {
  return type === Icmpv6Type.NEIGHBOR_SOLICITATION || type === Icmpv6Type.NEIGHBOR_ADVERTISEMENT;
}

/** A read/write view over an NS or NA message (from its ICMPv6 type byte); getters read in place. */
export class NdpPacket extends Icmpv6Packet {
  /**
   * Wraps `bytes[offset, offset + length)` after checking the fixed part and walking the option
   * chain (RFC 4861 §4.6): an option running past the end is `truncated`, one of length 0 is
   * `malformed` (such a packet must be discarded). After this no option accessor can throw.
   */
  static override checked(
    bytes: Uint8Array,
    offset = 0,
    length = bytes.length - offset,
  ): NdpPacket {
    return new NdpPacket().rebindShared(bytes, offset, length);
  }

  /** Wraps `bytes` unchecked: only for emitting into a buffer sized by `ndpBufferLen`. */
  static override unchecked(
    bytes: Uint8Array,
    offset = 0,
    length = bytes.length - offset,
  ): NdpPacket {
    const packet = new NdpPacket();
    packet.checkBounds('ndp', bytes, offset, length);
    packet.point(bytes, offset, length);
    return packet;
  }

  /** Re-points this view at another message after the same check as `checked` (shared view). */
  override rebindShared(bytes: Uint8Array, offset: number, length: number): this {
    this.checkBounds('ndp', bytes, offset, length);
    needBytes('ndp', 0, length, NDP_HEADER_LEN);
    for (let at = ndpField.OPTIONS; at < length;) {
      needBytes('ndp', at, length - at, ndpField.option.LLA);
      const optionLength = bytes[offset + at + ndpField.option.LENGTH]! * NDP_OPTION_UNIT;
      if (optionLength === 0) {
        throw new WireError(
          {
            kind: 'malformed',
            layer: 'ndp',
            offset: at + ndpField.option.LENGTH,
            got: 0,
            expected: '1-255',
          },
          'option length',
        );
      }
      needBytes('ndp', at, length - at, optionLength);
      at += optionLength;
    }
    this.point(bytes, offset, length);
    return this;
  }

  /** NA: the sender is a router (R). Reserved (ignored) in an NS. */
  get router(): boolean {
    return (this.view.getUint8(this.offset + ndpField.FLAGS) & flag.ROUTER) !== 0;
  }

  /** NA: sent in response to a solicitation (S). Reserved (ignored) in an NS. */
  get solicited(): boolean {
    return (this.view.getUint8(this.offset + ndpField.FLAGS) & flag.SOLICITED) !== 0;
  }

  /** NA: should replace a cached link-layer address (O). Reserved (ignored) in an NS. */
  get override(): boolean {
    return (this.view.getUint8(this.offset + ndpField.FLAGS) & flag.OVERRIDE) !== 0;
  }

  get target(): Ipv6 {
    return readIpv6(this.bytes, this.offset + ndpField.TARGET);
  }

  /**
   * Position (from the type byte) of the first option of `type`, or -1. Later duplicates are
   * ignored, as Linux's `ndisc_parse_options` does. Stops at a zero length, which only an
   * unchecked view can hold.
   */
  findOption(type: number): number {
    let at = ndpField.OPTIONS;
    while (at + ndpField.option.LLA <= this.length) {
      if (this.view.getUint8(this.offset + at + ndpField.option.TYPE) === type) return at;
      const length = this.optionLength(at);
      if (length === 0) break;
      at += length;
    }
    return -1;
  }

  /** Bytes in the option at position `at` (its length field times 8). */
  optionLength(at: number): number {
    return this.view.getUint8(this.offset + at + ndpField.option.LENGTH) * NDP_OPTION_UNIT;
  }

  /** The MAC in the link-layer address option at position `at`; the caller has checked its length is 8. */
  optionMac(at: number): Mac {
    return readMac(this.bytes, this.offset + at + ndpField.option.LLA);
  }

  /** Sets R, S and O at once and zeroes the reserved bits (the whole NS reserved field when all false). */
  setFlags(router: boolean, solicited: boolean, override: boolean): void {
    const bits = (router ? flag.ROUTER : 0) | (solicited ? flag.SOLICITED : 0);
    const word = (bits | (override ? flag.OVERRIDE : 0)) << 24;
    this.view.setUint32(this.offset + ndpField.FLAGS, word >>> 0);
  }

  set target(ip: Ipv6) {
    writeIpv6(ip, this.bytes, this.offset + ndpField.TARGET);
  }

  /** Writes an 8-byte link-layer address option of `type` carrying `mac` at position `at`. */
  setLlaOption(at: number, type: number, mac: Mac): void {
    this.view.setUint8(this.offset + at + ndpField.option.TYPE, type);
    this.view.setUint8(
      this.offset + at + ndpField.option.LENGTH,
      NDP_LLA_OPTION_LEN / NDP_OPTION_UNIT,
    );
    writeMac(mac, this.bytes, this.offset + at + ndpField.option.LLA);
  }
}

/** A Neighbor Solicitation (RFC 4861 §4.3); `sourceLla` is absent when the option is. */
export interface NeighborSolicitation {
  readonly type: 'ns';
  readonly target: Ipv6;
  readonly sourceLla?: Mac;
}

/** A Neighbor Advertisement (RFC 4861 §4.4); `targetLla` is absent when the option is. */
export interface NeighborAdvertisement {
  readonly type: 'na';
  readonly target: Ipv6;
  readonly router: boolean;
  readonly solicited: boolean;
  readonly override: boolean;
  readonly targetLla?: Mac;
}

/** An NS or NA for Ethernet as a plain value. */
export type NdpRepr = NeighborSolicitation | NeighborAdvertisement;

/**
 * Reads a checked NS or NA. Throws `unsupported` for another ICMPv6 type or a link-layer address
 * option whose length is not 1 (not an Ethernet MAC), `malformed` for a code other than 0
 * (RFC 4861 §7.1.1, §7.1.2). Reserved bits and unknown options are ignored (§4.3, §4.6).
 */
export function parseNdp(packet: NdpPacket): NdpRepr {
  if (!isNdpType(packet.type)) {
    throw new WireError(
      {
        kind: 'unsupported',
        layer: 'ndp',
        offset: icmpv6Field.TYPE,
        got: packet.type,
        expected: '135 or 136',
      },
      'ICMPv6 type',
    );
  }
  if (packet.code !== 0) {
    throw new WireError(
      { kind: 'malformed', layer: 'ndp', offset: icmpv6Field.CODE, got: packet.code, expected: 0 },
      'ICMPv6 code',
    );
  }
  const target = packet.target;
  if (packet.type === Icmpv6Type.NEIGHBOR_SOLICITATION) {
    const sourceLla = readLla(packet, NdpOptionType.SOURCE_LLA);
    return sourceLla === undefined ? { type: 'ns', target } : { type: 'ns', target, sourceLla };
  }
  const flags = { router: packet.router, solicited: packet.solicited, override: packet.override };
  const targetLla = readLla(packet, NdpOptionType.TARGET_LLA);
  return targetLla === undefined
    ? { type: 'na', target, ...flags }
    : { type: 'na', target, ...flags, targetLla };
}

/** The MAC of the first option of `type`; throws `unsupported` unless it is 8 bytes long. */
function readLla(packet: NdpPacket, type: number): Mac | undefined {
  const at = packet.findOption(type);
  if (at < 0) return undefined;
  const length = packet.optionLength(at);
  if (length !== NDP_LLA_OPTION_LEN) {
    throw new WireError(
      {
        kind: 'unsupported',
        layer: 'ndp',
        offset: at + ndpField.option.LENGTH,
        got: length / NDP_OPTION_UNIT,
        expected: '1 (an Ethernet MAC)',
      },
      'link-layer address option length',
    );
  }
  return packet.optionMac(at);
}

/** The link-layer address option a repr carries, if any. */
function llaOf(repr: NdpRepr): Mac | undefined {
  return repr.type === 'ns' ? repr.sourceLla : repr.targetLla;
}

/** Bytes needed for the message: 24, plus 8 when it carries a link-layer address option. */
export function ndpBufferLen(repr: NdpRepr): number {
  return NDP_HEADER_LEN + (llaOf(repr) === undefined ? 0 : NDP_LLA_OPTION_LEN);
}

/** Writes the whole message with a zero checksum, which the caller fills (see `icmpv6Checksum`). */
export function emitNdp(repr: NdpRepr, packet: NdpPacket): void {
  packet.code = 0;
  packet.checksum = 0;
  packet.target = repr.target;
  if (repr.type === 'ns') {
    packet.type = Icmpv6Type.NEIGHBOR_SOLICITATION;
    packet.setFlags(false, false, false);
  } else {
    packet.type = Icmpv6Type.NEIGHBOR_ADVERTISEMENT;
    packet.setFlags(repr.router, repr.solicited, repr.override);
  }
  const lla = llaOf(repr);
  if (lla !== undefined) {
    const type = repr.type === 'ns' ? NdpOptionType.SOURCE_LLA : NdpOptionType.TARGET_LLA;
    packet.setLlaOption(ndpField.OPTIONS, type, lla);
  }
}

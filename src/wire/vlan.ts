import { ByteView } from './byte-view.js';
import { checkField, needBytes } from './error.js';

/**
 * 802.1Q / 802.1ad tag field offsets, counted from the tag control information that follows the
 * TPID (IEEE 802.1Q §9.6): the TPID itself is the ethertype of the enclosing layer.
 */
const field = Object.freeze({
  TCI: 0,
  ETHERTYPE: 2,
  PAYLOAD: 4,
});

/** Bytes a tag adds after its TPID: TCI and the inner ethertype. */
export const VLAN_TAG_LEN = field.PAYLOAD;
/** The largest VLAN identifier (12 bits; 4095 is reserved but representable). */
export const VLAN_MAX_VID = 4095;
/** The largest priority code point (3 bits). */
export const VLAN_MAX_PCP = 7;

/** A read/write view over one VLAN tag (TCI + inner ethertype) and what follows it. */
export class VlanTag extends ByteView {
  /** Wraps `bytes[offset, offset + length)` after checking that a whole tag is there; throws `truncated`. */
  static checked(bytes: Uint8Array, offset = 0, length = bytes.length - offset): VlanTag {
    return new VlanTag().rebindShared(bytes, offset, length);
  }

  /** Wraps `bytes` unchecked: only for emitting into a buffer sized by `VLAN_TAG_LEN`. */
  static unchecked(bytes: Uint8Array, offset = 0, length = bytes.length - offset): VlanTag {
    const tag = new VlanTag();
    tag.checkBounds('vlan', bytes, offset, length);
    tag.point(bytes, offset, length);
    return tag;
  }

  /** Re-points this view at another tag after the same check as `checked` (shared view). */
  rebindShared(bytes: Uint8Array, offset: number, length: number): this {
    this.checkBounds('vlan', bytes, offset, length);
    needBytes('vlan', 0, length, VLAN_TAG_LEN);
    this.point(bytes, offset, length);
    return this;
  }

  /** Priority code point, 0–7. */
  get pcp(): number {
    return this.view.getUint8(this.offset + field.TCI) >>> 5;
  }

  /** Drop eligible indicator (formerly CFI). */
  get dei(): boolean {
    return (this.view.getUint8(this.offset + field.TCI) & 0x10) !== 0;
  }

  /** VLAN identifier, 0–4095. */
  get vid(): number {
    return this.view.getUint16(this.offset + field.TCI) & 0x0fff;
  }

  /** The ethertype (or next TPID) after this tag. */
  get ethertype(): number {
    return this.view.getUint16(this.offset + field.ETHERTYPE);
  }

  /** Index in `bytes` where the payload starts. */
  get payloadOffset(): number {
    return this.offset + field.PAYLOAD;
  }

  /** The bytes after the tag; a view sharing this tag's memory. */
  get payload(): Uint8Array {
    return this.bytes.subarray(this.payloadOffset, this.end);
  }

  /** Sets PCP, DEI and VID at once (the TCI). */
  setTci(pcp: number, dei: boolean, vid: number): void {
    this.view.setUint16(this.offset + field.TCI, (pcp << 13) | (dei ? 0x1000 : 0) | vid);
  }

  set ethertype(value: number) {
    this.view.setUint16(this.offset + field.ETHERTYPE, value);
  }
}

/** One tag as a plain value; `tpid` is the ethertype that introduced it (0x8100, 0x88a8…). */
export interface VlanRepr {
  readonly tpid: number;
  readonly pcp: number;
  readonly dei: boolean;
  readonly vid: number;
}

/** Reads a checked tag; the TPID comes from the enclosing layer. */
export function parseVlan(tag: VlanTag, tpid: number): VlanRepr {
  return { tpid, pcp: tag.pcp, dei: tag.dei, vid: tag.vid };
}

/** Throws a `malformed` WireError unless VID ≤ 4095 and PCP ≤ 7 (both non-negative integers). */
export function validateVlan(repr: VlanRepr): void {
  checkField('vlan', field.TCI, 'VLAN id', repr.vid, VLAN_MAX_VID);
  checkField('vlan', field.TCI, 'priority code point', repr.pcp, VLAN_MAX_PCP);
}

/** Writes a validated tag whose payload has ethertype `innerEthertype`. */
export function emitVlan(repr: VlanRepr, tag: VlanTag, innerEthertype: number): void {
  validateVlan(repr);
  tag.setTci(repr.pcp, repr.dei, repr.vid);
  tag.ethertype = innerEthertype;
}

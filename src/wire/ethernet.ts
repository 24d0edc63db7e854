import { ByteView } from './byte-view.js';
import { needBytes } from './error.js';
import { type Mac, readMac, writeMac } from './mac.js';

/** Ethernet II field offsets (IEEE 802.3 §3.1.1, without preamble and FCS). */
const field = Object.freeze({
  DESTINATION: 0,
  SOURCE: 6,
  ETHERTYPE: 12,
  PAYLOAD: 14,
});

/** Bytes in an Ethernet II header. */
export const ETHERNET_HEADER_LEN = field.PAYLOAD;
/** The shortest frame on the wire, FCS excluded: shorter frames are padded with zeros. */
export const ETHERNET_MIN_FRAME_LEN = 60;

/** A read/write view over an Ethernet II frame; getters read in place. */
export class EthernetFrame extends ByteView {
  /**
   * Wraps `bytes[offset, offset + length)` after checking that a whole header is there; throws
   * a `truncated` WireError.
   */
  static checked(bytes: Uint8Array, offset = 0, length = bytes.length - offset): EthernetFrame {
    return new EthernetFrame().rebindShared(bytes, offset, length);
  }

  /** Wraps `bytes` unchecked: only for emitting into a buffer sized by `ethernetBufferLen`. */
  static unchecked(bytes: Uint8Array, offset = 0, length = bytes.length - offset): EthernetFrame {
    const frame = new EthernetFrame();
    frame.checkBounds('ethernet', bytes, offset, length);
    frame.point(bytes, offset, length);
    return frame;
  }

  /** Re-points this view at another frame after the same check as `checked` (shared view). */
  rebindShared(bytes: Uint8Array, offset: number, length: number): this {
    this.checkBounds('ethernet', bytes, offset, length);
    needBytes('ethernet', 0, length, ETHERNET_HEADER_LEN);
    this.point(bytes, offset, length);
    return this;
  }

  get destination(): Mac {
    return readMac(this.bytes, this.offset + field.DESTINATION);
  }

  get source(): Mac {
    return readMac(this.bytes, this.offset + field.SOURCE);
  }

  get ethertype(): number {
    return this.view.getUint16(this.offset + field.ETHERTYPE);
  }

  /** Index in `bytes` where the payload starts. */
  get payloadOffset(): number {
    return this.offset + field.PAYLOAD;
  }

  /** The bytes after the header, padding included; a view sharing this frame's memory. */
  get payload(): Uint8Array {
    return this.bytes.subarray(this.payloadOffset, this.end);
  }

  set destination(mac: Mac) {
    writeMac(mac, this.bytes, this.offset + field.DESTINATION);
  }

  set source(mac: Mac) {
    writeMac(mac, this.bytes, this.offset + field.SOURCE);
  }

  set ethertype(value: number) {
    this.view.setUint16(this.offset + field.ETHERTYPE, value);
  }
}

/** The header of an Ethernet II frame as a plain value. */
export interface EthernetRepr {
  readonly destination: Mac;
  readonly source: Mac;
  readonly ethertype: number;
}

/** Reads the header of a checked frame. */
export function parseEthernet(frame: EthernetFrame): EthernetRepr {
  return { destination: frame.destination, source: frame.source, ethertype: frame.ethertype };
}

/** Bytes needed for a frame carrying `payloadLen` bytes, padded to the 60-byte minimum. */
export function ethernetBufferLen(payloadLen: number): number {
  return Math.max(ETHERNET_MIN_FRAME_LEN, ETHERNET_HEADER_LEN + payloadLen);
}

/** Writes the header and zeroes the padding after a payload of `payloadLen` bytes. */
export function emitEthernet(repr: EthernetRepr, frame: EthernetFrame, payloadLen: number): void {
  frame.destination = repr.destination;
  frame.source = repr.source;
  frame.ethertype = repr.ethertype;
  frame.bytes.fill(0, frame.payloadOffset + payloadLen, frame.end);
}

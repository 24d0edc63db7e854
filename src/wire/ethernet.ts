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

/** A read/write view over the bytes of an Ethernet II frame; getters read in place. */
export class EthernetFrame {
  readonly bytes: Uint8Array;
  private readonly view: DataView;

  private constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Wraps `bytes` after checking that a whole header is there; throws a `truncated` WireError. */
  static checked(bytes: Uint8Array): EthernetFrame {
    needBytes('ethernet', 0, bytes.length, ETHERNET_HEADER_LEN);
    return new EthernetFrame(bytes);
  }

  /** Wraps `bytes` unchecked: only for emitting into a buffer sized by `ethernetBufferLen`. */
  static unchecked(bytes: Uint8Array): EthernetFrame {
    return new EthernetFrame(bytes);
  }

  get destination(): Mac {
    return readMac(this.bytes, field.DESTINATION);
  }

  get source(): Mac {
    return readMac(this.bytes, field.SOURCE);
  }

  get ethertype(): number {
    return this.view.getUint16(field.ETHERTYPE);
  }

  /** The bytes after the header, padding included; a view sharing this frame's memory. */
  get payload(): Uint8Array {
    return this.bytes.subarray(field.PAYLOAD);
  }

  set destination(mac: Mac) {
    writeMac(mac, this.bytes, field.DESTINATION);
  }

  set source(mac: Mac) {
    writeMac(mac, this.bytes, field.SOURCE);
  }

  set ethertype(value: number) {
    this.view.setUint16(field.ETHERTYPE, value);
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
  frame.bytes.fill(0, ETHERNET_HEADER_LEN + payloadLen);
}

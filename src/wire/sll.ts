import { ByteView } from './byte-view.js';
import { needBytes } from './error.js';
import { MAC_LEN, type Mac, readMac, writeMac } from './mac.js';

/** Linux cooked capture v1 header offsets (libpcap `sll.h`, link type 113). */
const field1 = Object.freeze({
  PACKET_TYPE: 0,
  HATYPE: 2,
  HALEN: 4,
  ADDRESS: 6,
  PROTOCOL: 14,
  PAYLOAD: 16,
});

/** Linux cooked capture v2 header offsets (libpcap `sll.h`, link type 276). */
const field2 = Object.freeze({
  PROTOCOL: 0,
  RESERVED: 2,
  IFINDEX: 4,
  HATYPE: 8,
  PACKET_TYPE: 10,
  HALEN: 11,
  ADDRESS: 12,
  PAYLOAD: 20,
});

/** Bytes in a cooked v1 header. */
export const SLL_HEADER_LEN = field1.PAYLOAD;
/** Bytes in a cooked v2 header. */
export const SLL2_HEADER_LEN = field2.PAYLOAD;
/** Room for the link-layer address in either header. */
const ADDRESS_ROOM = 8;
/** `ARPHRD_ETHER`: the address is a MAC. */
const ARPHRD_ETHER = 1;

/** Who a cooked frame was for (`PACKET_*` in linux/if_packet.h). */
export const SllPacketType = Object.freeze({
  HOST: 0,
  BROADCAST: 1,
  MULTICAST: 2,
  OTHERHOST: 3,
  OUTGOING: 4,
});

/** A cooked header as a plain value, whichever version it came from. */
export interface SllRepr {
  readonly packetType: number;
  /** ARPHRD_* type of the capturing interface. */
  readonly hatype: number;
  /** The sender's MAC when the address is one (ARPHRD_ETHER, 6 bytes), else undefined. */
  readonly source: Mac | undefined;
  /** The ethertype of the payload. */
  readonly protocol: number;
  /** Interface index (v2 only; 0 for v1). */
  readonly ifindex: number;
}

/** A view over a Linux cooked (v1 or v2) header and its payload. */
export class LinuxSllFrame extends ByteView {
  private revision: 1 | 2 = 1;

  /** Wraps `bytes[offset, offset + length)` after checking for a whole v1 or v2 header; throws `truncated`. */
  static checked(
    bytes: Uint8Array,
    version: 1 | 2,
    offset = 0,
    length = bytes.length - offset,
  ): LinuxSllFrame {
    return new LinuxSllFrame().rebindShared(bytes, version, offset, length);
  }

  /** Wraps `bytes` unchecked: only for emitting into a buffer of at least the header's length. */
  static unchecked(bytes: Uint8Array, version: 1 | 2, offset = 0): LinuxSllFrame {
    const frame = new LinuxSllFrame();
    frame.revision = version;
    frame.checkBounds(version === 1 ? 'sll' : 'sll2', bytes, offset, bytes.length - offset);
    frame.point(bytes, offset, bytes.length - offset);
    return frame;
  }

  /** Re-points this view at another frame after the same check as `checked` (shared view). */
  rebindShared(bytes: Uint8Array, version: 1 | 2, offset: number, length: number): this {
    this.checkBounds(version === 1 ? 'sll' : 'sll2', bytes, offset, length);
    needBytes(version === 1 ? 'sll' : 'sll2', 0, length, headerLen(version));
    this.revision = version;
    this.point(bytes, offset, length);
    return this;
  }

  /** 1 for link type 113, 2 for link type 276. */
  get version(): 1 | 2 {
    return this.revision;
  }

  get packetType(): number {
    return this.revision === 1
      ? this.view.getUint16(this.offset + field1.PACKET_TYPE)
      : this.view.getUint8(this.offset + field2.PACKET_TYPE);
  }

  get hatype(): number {
    return this.view.getUint16(this.offset + (this.revision === 1 ? field1.HATYPE : field2.HATYPE));
  }

  /** Length of the link-layer address as the header states it (may exceed the 8 bytes of room). */
  get halen(): number {
    return this.revision === 1
      ? this.view.getUint16(this.offset + field1.HALEN)
      : this.view.getUint8(this.offset + field2.HALEN);
  }

  get protocol(): number {
    return this.view.getUint16(
      this.offset + (this.revision === 1 ? field1.PROTOCOL : field2.PROTOCOL),
    );
  }

  get ifindex(): number {
    return this.revision === 1 ? 0 : this.view.getUint32(this.offset + field2.IFINDEX);
  }

  /** The sender's MAC, when the header carries one. */
  get source(): Mac | undefined {
    if (this.hatype !== ARPHRD_ETHER || this.halen !== MAC_LEN) return undefined;
    return readMac(
      this.bytes,
      this.offset + (this.revision === 1 ? field1.ADDRESS : field2.ADDRESS),
    );
  }

  /** Index in `bytes` where the payload starts. */
  get payloadOffset(): number {
    return this.offset + headerLen(this.revision);
  }

  /** The bytes after the header (a view). */
  get payload(): Uint8Array {
    return this.bytes.subarray(this.payloadOffset, this.end);
  }
}

function headerLen(version: 1 | 2): number {
  return version === 1 ? SLL_HEADER_LEN : SLL2_HEADER_LEN;
}

/** Reads a checked cooked header. */
export function parseSll(frame: LinuxSllFrame): SllRepr {
  return {
    packetType: frame.packetType,
    hatype: frame.hatype,
    source: frame.source,
    protocol: frame.protocol,
    ifindex: frame.ifindex,
  };
}

/** Bytes a cooked header of `version` takes before the payload. */
export function sllBufferLen(version: 1 | 2): number {
  return headerLen(version);
}

/** Writes a cooked header; an undefined `source` writes an empty address. */
export function emitSll(repr: SllRepr, frame: LinuxSllFrame): void {
  const bytes = frame.bytes.subarray(frame.offset);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const halen = repr.source === undefined ? 0 : MAC_LEN;
  const address = frame.version === 1 ? field1.ADDRESS : field2.ADDRESS;
  if (frame.version === 1) {
    view.setUint16(field1.PACKET_TYPE, repr.packetType);
    view.setUint16(field1.HATYPE, repr.hatype);
    view.setUint16(field1.HALEN, halen);
    view.setUint16(field1.PROTOCOL, repr.protocol);
  } else {
    view.setUint16(field2.PROTOCOL, repr.protocol);
    view.setUint16(field2.RESERVED, 0);
    view.setUint32(field2.IFINDEX, repr.ifindex);
    view.setUint16(field2.HATYPE, repr.hatype);
    view.setUint8(field2.PACKET_TYPE, repr.packetType);
    view.setUint8(field2.HALEN, halen);
  }
  bytes.fill(0, address, address + ADDRESS_ROOM);
  if (repr.source !== undefined) writeMac(repr.source, bytes, address);
}

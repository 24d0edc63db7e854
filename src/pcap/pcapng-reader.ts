import { WireError, type WireErrorKind } from '../wire/error.js';
import {
  BLOCK_ALIGN,
  BLOCK_TRAILER_LEN,
  BlockField,
  BlockType,
  BYTE_ORDER_MAGIC,
  EpbField,
  IdbField,
  MAX_INTERFACES_PER_SECTION,
  MAX_RECORD_LEN,
  MIN_BLOCK_LEN,
  OptionCode,
  OptionField,
  PbField,
  PcapngVersion,
  ShbField,
  SpbField,
  TSRESOL_DEFAULT,
} from './constants.js';
import type { InputBuffer } from './input-buffer.js';
import { type CaptureReader, SharedRecord } from './record.js';
import { StampDecoder, TsResolution } from './timestamp.js';

const LAYER = 'pcapng';
/** The SHB byte-order magic as read in the other byte order. */
const SWAPPED_BYTE_ORDER_MAGIC = 0x4d3c2b1a;
const TWO_32 = 0x1_0000_0000;

/** Shortest valid block of each type: fixed fields plus the trailing length. */
const MinLength = Object.freeze({
  SHB: ShbField.OPTIONS + BLOCK_TRAILER_LEN,
  IDB: IdbField.OPTIONS + BLOCK_TRAILER_LEN,
  EPB: EpbField.DATA + BLOCK_TRAILER_LEN,
  SPB: SpbField.DATA + BLOCK_TRAILER_LEN,
  PB: PbField.DATA + BLOCK_TRAILER_LEN,
});

/** What an IDB says about the packets of one interface. */
export interface PcapngInterface {
  readonly linkType: number;
  /** 0 when the capture set no limit. */
  readonly snaplen: number;
  /** Converts the interface's timestamps (if_tsresol, 10^-6 s when absent); one per if_tsresol. */
  readonly stamps: StampDecoder;
  /** if_tsoffset: seconds added to every timestamp. */
  readonly offsetSec: number;
}

/**
 * Reads a pcapng file (draft-ietf-opsawg-pcapng): any number of sections, each in its own byte
 * order with its own interface table; EPB, SPB and the obsolete PB become records; other block
 * types are skipped. A block's total length is checked (at least 12, a multiple of 4, at most
 * 16 MiB, equal to its trailing copy) before anything is computed from it. A section holds at
 * most `MAX_INTERFACES_PER_SECTION` interfaces, each a few fields: the timestamp decoders are
 * made once per if_tsresol value (at most 256), whatever the number of IDBs.
 */
export class PcapngReader implements CaptureReader {
  readonly format = 'pcapng';
  private readonly input: InputBuffer;
  private readonly record = new SharedRecord();
  private littleEndian = true;
  private inSection = false;
  private interfaces: PcapngInterface[] = [];
  /** One decoder per if_tsresol code seen: its second cache is only a hint, so sharing is safe. */
  private readonly decoders = new Map<number, StampDecoder>();

  /** Reads blocks from the input's position, which must be a Section Header Block. */
  constructor(input: InputBuffer) {
    this.input = input;
  }

  /** The interfaces of the current section, in IDB order (index = interface id). */
  get sectionInterfaces(): readonly PcapngInterface[] {
    return this.interfaces;
  }

  nextShared(): SharedRecord | null {
    const input = this.input;
    for (;;) {
      let p = input.pos;
      if (input.end - p < MIN_BLOCK_LEN) {
        const have = input.fill(MIN_BLOCK_LEN);
        if (have === 0) return null;
        p = input.pos;
        if (have < MIN_BLOCK_LEN) throw this.truncated(p, 'block header', MIN_BLOCK_LEN, have);
      }
      let view = input.view;
      const type = view.getUint32(p + BlockField.TYPE, this.littleEndian);
      if (type === BlockType.SECTION_HEADER) this.readByteOrder(view, p);
      else if (!this.inSection) throw this.fault('malformed', p, 'block before any section header');
      const le = this.littleEndian;
      const length = view.getUint32(p + BlockField.TOTAL_LENGTH, le);
      if (length < MIN_BLOCK_LEN || length % BLOCK_ALIGN !== 0 || length > MAX_RECORD_LEN) {
        throw this.fault('malformed', p + BlockField.TOTAL_LENGTH, 'block total length', length);
      }
      if (input.end - p < length) {
        const have = input.fill(length);
        p = input.pos;
        if (have < length) throw this.truncated(p, 'block', length, have);
        view = input.view;
      }
      const trailer = view.getUint32(p + length - BLOCK_TRAILER_LEN, le);
      if (trailer !== length) {
        throw this.fault('malformed', p + length - BLOCK_TRAILER_LEN, 'trailing length', trailer);
      }
      input.pos = p + length;
      switch (type) {
        case BlockType.ENHANCED_PACKET:
          return this.packet(
            view,
            p,
            length,
            MinLength.EPB,
            view.getUint32(p + EpbField.INTERFACE_ID, le),
          );
        case BlockType.SIMPLE_PACKET:
          return this.simplePacket(view, p, length);
        case BlockType.PACKET:
          return this.packet(
            view,
            p,
            length,
            MinLength.PB,
            view.getUint16(p + PbField.INTERFACE_ID, le),
          );
        case BlockType.INTERFACE_DESCRIPTION:
          this.interfaceDescription(view, p, length);
          break;
        case BlockType.SECTION_HEADER:
          this.sectionHeader(view, p, length);
          break;
        default:
          break;
      }
    }
  }

  /** Sets the byte order from an SHB's byte-order magic, before its length is read. */
  private readByteOrder(view: DataView, p: number): void {
    const magic = view.getUint32(p + ShbField.BYTE_ORDER_MAGIC, true);
    if (magic === BYTE_ORDER_MAGIC) this.littleEndian = true;
    else if (magic === SWAPPED_BYTE_ORDER_MAGIC) this.littleEndian = false;
    else throw this.fault('malformed', p + ShbField.BYTE_ORDER_MAGIC, 'byte-order magic', magic);
  }

  /** Starts a section: checks the version and empties the interface table. */
  private sectionHeader(view: DataView, p: number, length: number): void {
    this.needLength(p, length, MinLength.SHB, 'section header block');
    const major = view.getUint16(p + ShbField.VERSION_MAJOR, this.littleEndian);
    if (major !== PcapngVersion.MAJOR) {
      throw this.fault('unsupported', p + ShbField.VERSION_MAJOR, 'major version', major);
    }
    this.inSection = true;
    this.interfaces = [];
  }

  /** Adds an interface from an IDB, reading if_tsresol and if_tsoffset from its options. */
  private interfaceDescription(view: DataView, p: number, length: number): void {
    this.needLength(p, length, MinLength.IDB, 'interface description block');
    if (this.interfaces.length === MAX_INTERFACES_PER_SECTION) {
      throw new WireError(
        {
          kind: 'malformed',
          layer: LAYER,
          offset: this.input.fileOffset(p),
          got: `interface ${MAX_INTERFACES_PER_SECTION + 1}`,
          expected: `at most ${MAX_INTERFACES_PER_SECTION} per section`,
        },
        'interface description block',
      );
    }
    const le = this.littleEndian;
    let tsresol = TSRESOL_DEFAULT;
    let offsetSec = 0;
    const end = p + length - BLOCK_TRAILER_LEN;
    let at = p + IdbField.OPTIONS;
    while (end - at >= OptionField.VALUE) {
      const code = view.getUint16(at + OptionField.CODE, le);
      const size = view.getUint16(at + OptionField.LENGTH, le);
      if (code === OptionCode.END_OF_OPT) break;
      const value = at + OptionField.VALUE;
      if (end - value < size) throw this.fault('malformed', at, 'option length', size);
      if (code === OptionCode.IF_TSRESOL && size === 1) tsresol = view.getUint8(value);
      if (code === OptionCode.IF_TSOFFSET && size === 8) {
        offsetSec = readInt64(view, value, le);
        if (!Number.isSafeInteger(offsetSec)) {
          throw this.fault('unsupported', value, 'if_tsoffset beyond 2^53 seconds', offsetSec);
        }
      }
      at = value + Math.ceil(size / BLOCK_ALIGN) * BLOCK_ALIGN;
    }
    this.interfaces.push({
      linkType: view.getUint16(p + IdbField.LINK_TYPE, le),
      snaplen: view.getUint32(p + IdbField.SNAPLEN, le),
      stamps: this.decoderFor(tsresol),
      offsetSec,
    });
  }

  /** The reader's decoder for an if_tsresol code, made on first use. */
  private decoderFor(tsresol: number): StampDecoder {
    let decoder = this.decoders.get(tsresol);
    if (decoder === undefined) {
      decoder = new StampDecoder(new TsResolution(tsresol));
      this.decoders.set(tsresol, decoder);
    }
    return decoder;
  }

  /** An EPB or PB: caplen must fit in the block and not exceed the original length. */
  private packet(
    view: DataView,
    p: number,
    length: number,
    minLength: number,
    interfaceId: number,
  ): SharedRecord {
    this.needLength(p, length, minLength, 'packet block');
    const le = this.littleEndian;
    const iface = this.interfaces[interfaceId];
    if (iface === undefined) {
      throw this.fault('malformed', p + EpbField.INTERFACE_ID, 'unknown interface id', interfaceId);
    }
    const caplen = view.getUint32(p + EpbField.CAPLEN, le);
    const origLen = view.getUint32(p + EpbField.ORIGLEN, le);
    if (caplen > length - minLength) {
      throw this.fault('malformed', p + EpbField.CAPLEN, 'captured length beyond block', caplen);
    }
    if (caplen > origLen) {
      throw this.fault('malformed', p + EpbField.CAPLEN, 'captured length above original', caplen);
    }
    const record = this.record;
    const high = view.getUint32(p + EpbField.TS_HIGH, le);
    const low = view.getUint32(p + EpbField.TS_LOW, le);
    if (!iface.stamps.decode(high, low, record)) {
      throw this.fault('unsupported', p + EpbField.TS_HIGH, 'timestamp beyond 2^53 seconds', high);
    }
    record.tsSec += iface.offsetSec;
    record.tsDigits = iface.stamps.resolution.digits;
    record.linkType = iface.linkType;
    record.interfaceId = interfaceId;
    record.origLen = origLen;
    record.fileOffset = this.input.fileOffset(p);
    record.setData(this.input.bytes, p + EpbField.DATA, p + EpbField.DATA + caplen);
    return record;
  }

  /** An SPB: interface 0, no timestamp; caplen is the least of origLen, room and snaplen (§4.4). */
  private simplePacket(view: DataView, p: number, length: number): SharedRecord {
    this.needLength(p, length, MinLength.SPB, 'simple packet block');
    const iface = this.interfaces[0];
    if (iface === undefined) throw this.fault('malformed', p, 'simple packet without interface 0');
    const origLen = view.getUint32(p + SpbField.ORIGLEN, this.littleEndian);
    let caplen = Math.min(origLen, length - MinLength.SPB);
    if (iface.snaplen !== 0) caplen = Math.min(caplen, iface.snaplen);
    const record = this.record;
    record.tsSec = 0;
    record.tsNsec = 0;
    record.tsDigits = iface.stamps.resolution.digits;
    record.linkType = iface.linkType;
    record.interfaceId = 0;
    record.origLen = origLen;
    record.fileOffset = this.input.fileOffset(p);
    record.setData(this.input.bytes, p + SpbField.DATA, p + SpbField.DATA + caplen);
    return record;
  }

  /** Throws unless a block of type `what` is at least `min` bytes long. */
  private needLength(p: number, length: number, min: number, what: string): void {
    if (length < min) {
      throw new WireError(
        {
          kind: 'malformed',
          layer: LAYER,
          offset: this.input.fileOffset(p + BlockField.TOTAL_LENGTH),
          got: length,
          expected: `>= ${min}`,
        },
        `${what} length`,
      );
    }
  }

  /** A WireError about the field at window index `at`. */
  private fault(kind: WireErrorKind, at: number, what: string, got?: number): WireError {
    const offset = this.input.fileOffset(at);
    return new WireError(
      got === undefined ? { kind, layer: LAYER, offset } : { kind, layer: LAYER, offset, got },
      what,
    );
  }

  /** A `truncated` error for the block at window index `p`. */
  private truncated(p: number, what: string, need: number, have: number): WireError {
    return new WireError(
      {
        kind: 'truncated',
        layer: LAYER,
        offset: this.input.fileOffset(p),
        got: `${have} bytes remaining`,
        expected: `${need} bytes`,
      },
      what,
    );
  }
}

/** A signed 64-bit integer as a double (exact below 2^53 in magnitude). */
function readInt64(view: DataView, at: number, le: boolean): number {
  const high = view.getInt32(le ? at + 4 : at, le);
  const low = view.getUint32(le ? at : at + 4, le);
  return high * TWO_32 + low;
}

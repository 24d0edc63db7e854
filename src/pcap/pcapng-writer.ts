import { type ByteSink, OutputBuffer } from './byte-source.js';
import {
  BLOCK_ALIGN,
  BLOCK_TRAILER_LEN,
  BlockField,
  BlockType,
  BYTE_ORDER_MAGIC,
  EpbField,
  IdbField,
  MAX_RECORD_LEN,
  OptionCode,
  OptionField,
  PcapngVersion,
  ShbField,
  TSRESOL_DEFAULT,
} from './constants.js';
import { checkInteger } from './pcap-writer.js';
import { TsResolution, timeToUnits, type UnitFields } from './timestamp.js';

const NANOS_PER_SEC = 1_000_000_000;
const MAX_UINT16 = 0xffff;
const MAX_UINT32 = 0xffff_ffff;
/** Bytes of one if_tsresol option: header, one value byte, padding. */
const TSRESOL_OPTION_LEN = OptionField.VALUE + BLOCK_ALIGN;
/** "Section length not given": all ones in 64 bits. */
const UNKNOWN_SECTION_LENGTH = 0xffff_ffff;

/** How a pcapng file is written. */
export interface PcapngWriterOptions {
  /** Byte order of the one section; `little` by default. */
  readonly byteOrder?: 'little' | 'big';
}

/** One interface (IDB) of a pcapng file. */
export interface PcapngInterfaceOptions {
  /** LINKTYPE_* of the interface's packets. */
  readonly linkType: number;
  /** The if_tsresol byte: n for 10^-n s (6 = µs, the default; 9 = ns), 0x80 | n for 2^-n s. */
  readonly tsresol?: number;
  /** Packets longer than this are cut to it; 0 (the default) for no limit. */
  readonly snaplen?: number;
  /** if_name, e.g. `eth0`. */
  readonly name?: string;
}

/**
 * Writes a pcapng file (draft-ietf-opsawg-pcapng) with one section: the SHB on construction,
 * an IDB per `addInterface()`, an EPB per `writePacket()`; mirrors `PcapngReader`. Blocks are
 * batched and reach the sink on `flush()` or when the batch is full. Invalid arguments throw
 * a RangeError naming them.
 */
export class PcapngWriter {
  private readonly out: OutputBuffer;
  private readonly littleEndian: boolean;
  private readonly resolutions: TsResolution[] = [];
  private readonly snaplens: number[] = [];
  private readonly units: UnitFields = { high: 0, low: 0 };

  constructor(sink: ByteSink, options: PcapngWriterOptions = {}) {
    this.out = new OutputBuffer(sink);
    this.littleEndian = options.byteOrder !== 'big';
    const length = ShbField.OPTIONS + BLOCK_TRAILER_LEN;
    const at = this.beginBlock(BlockType.SECTION_HEADER, length);
    const view = this.out.view;
    const le = this.littleEndian;
    view.setUint32(at + ShbField.BYTE_ORDER_MAGIC, BYTE_ORDER_MAGIC, le);
    view.setUint16(at + ShbField.VERSION_MAJOR, PcapngVersion.MAJOR, le);
    view.setUint16(at + ShbField.VERSION_MINOR, PcapngVersion.MINOR, le);
    view.setUint32(at + ShbField.SECTION_LENGTH, UNKNOWN_SECTION_LENGTH, le);
    view.setUint32(at + ShbField.SECTION_LENGTH + 4, UNKNOWN_SECTION_LENGTH, le);
    this.endBlock(at, length);
  }

  /** Writes an IDB and returns the interface id that `writePacket` takes. */
  addInterface(options: PcapngInterfaceOptions): number {
    const tsresol = options.tsresol ?? TSRESOL_DEFAULT;
    const snaplen = options.snaplen ?? 0;
    checkInteger('linkType', options.linkType, 0, MAX_UINT16);
    checkInteger('tsresol', tsresol, 0, 0xff);
    checkInteger('snaplen', snaplen, 0, MAX_UINT32);
    const name = new TextEncoder().encode(options.name ?? '');
    checkInteger('name length', name.length, 0, MAX_UINT16);
    const nameLen = name.length === 0 ? 0 : OptionField.VALUE + padded(name.length);
    const length =
      IdbField.OPTIONS + nameLen + TSRESOL_OPTION_LEN + OptionField.VALUE + BLOCK_TRAILER_LEN;
    const at = this.beginBlock(BlockType.INTERFACE_DESCRIPTION, length);
    const out = this.out;
    const view = out.view;
    const le = this.littleEndian;
    view.setUint16(at + IdbField.LINK_TYPE, options.linkType, le);
    view.setUint16(at + IdbField.RESERVED, 0, le);
    view.setUint32(at + IdbField.SNAPLEN, snaplen, le);
    let option = at + IdbField.OPTIONS;
    if (name.length > 0) {
      option = this.writeOption(option, OptionCode.IF_NAME, name);
    }
    option = this.writeOption(option, OptionCode.IF_TSRESOL, Uint8Array.of(tsresol));
    view.setUint16(option + OptionField.CODE, OptionCode.END_OF_OPT, le);
    view.setUint16(option + OptionField.LENGTH, 0, le);
    this.endBlock(at, length);
    this.resolutions.push(new TsResolution(tsresol));
    this.snaplens.push(snaplen);
    return this.resolutions.length - 1;
  }

  /**
   * Appends an EPB: `data` (cut to the interface's snaplen) on interface `interfaceId`, stamped
   * `tsSec` and `tsNsec` (truncated to the interface's resolution); `origLen` is the length on
   * the wire.
   */
  writePacket(
    interfaceId: number,
    data: Uint8Array,
    tsSec: number,
    tsNsec: number,
    origLen: number = data.length,
  ): void {
    const resolution = this.resolutions[interfaceId];
    const snaplen = this.snaplens[interfaceId] ?? 0;
    if (resolution === undefined) {
      throw new RangeError(
        `interfaceId: ${interfaceId} is not one of ${this.resolutions.length} interfaces`,
      );
    }
    checkInteger('tsSec', tsSec, 0, Number.MAX_SAFE_INTEGER);
    checkInteger('tsNsec', tsNsec, 0, NANOS_PER_SEC - 1);
    checkInteger('origLen', origLen, data.length, MAX_UINT32);
    const units = this.units;
    if (!timeToUnits(tsSec, tsNsec, resolution, units)) {
      throw new RangeError(
        `tsSec: ${tsSec} does not fit in 64 bits of 1/${resolution.unitsPerSec} s`,
      );
    }
    const caplen = snaplen === 0 ? data.length : Math.min(data.length, snaplen);
    checkInteger('captured length', caplen, 0, MAX_RECORD_LEN - EpbField.DATA - BLOCK_TRAILER_LEN);
    const length = EpbField.DATA + padded(caplen) + BLOCK_TRAILER_LEN;
    const at = this.beginBlock(BlockType.ENHANCED_PACKET, length);
    const out = this.out;
    const view = out.view;
    const le = this.littleEndian;
    view.setUint32(at + EpbField.INTERFACE_ID, interfaceId, le);
    view.setUint32(at + EpbField.TS_HIGH, units.high, le);
    view.setUint32(at + EpbField.TS_LOW, units.low, le);
    view.setUint32(at + EpbField.CAPLEN, caplen, le);
    view.setUint32(at + EpbField.ORIGLEN, origLen, le);
    const dataAt = at + EpbField.DATA;
    out.bytes.set(caplen === data.length ? data : data.subarray(0, caplen), dataAt);
    out.bytes.fill(0, dataAt + caplen, dataAt + padded(caplen));
    this.endBlock(at, length);
  }

  /** Pushes every byte encoded so far to the sink. */
  flush(): void {
    this.out.flush();
  }

  /** Reserves a block of `length` bytes and writes its type and length; returns its start. */
  private beginBlock(type: number, length: number): number {
    const at = this.out.reserve(length);
    this.out.view.setUint32(at + BlockField.TYPE, type, this.littleEndian);
    this.out.view.setUint32(at + BlockField.TOTAL_LENGTH, length, this.littleEndian);
    return at;
  }

  /** Writes the trailing length of the block at `at` and moves past it. */
  private endBlock(at: number, length: number): void {
    this.out.view.setUint32(at + length - BLOCK_TRAILER_LEN, length, this.littleEndian);
    this.out.pos = at + length;
  }

  /** Writes one option with its zero padding at window index `at`; returns where the next starts. */
  private writeOption(at: number, code: number, value: Uint8Array): number {
    const view = this.out.view;
    view.setUint16(at + OptionField.CODE, code, this.littleEndian);
    view.setUint16(at + OptionField.LENGTH, value.length, this.littleEndian);
    const valueAt = at + OptionField.VALUE;
    this.out.bytes.set(value, valueAt);
    this.out.bytes.fill(0, valueAt + value.length, valueAt + padded(value.length));
    return valueAt + padded(value.length);
  }
}

/** `length` rounded up to the 4-byte block alignment. */
function padded(length: number): number {
  return Math.ceil(length / BLOCK_ALIGN) * BLOCK_ALIGN;
}

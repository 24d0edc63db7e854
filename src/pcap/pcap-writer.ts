import { type ByteSink, OutputBuffer } from './byte-source.js';
import {
  DEFAULT_SNAPLEN,
  FileHeaderField,
  LinkType,
  MAX_RECORD_LEN,
  PcapMagic,
  PcapVersion,
  RecordField,
} from './constants.js';

const FILE_HEADER_LEN = FileHeaderField.END;
const RECORD_HEADER_LEN = RecordField.DATA;
const NANOS_PER_SEC = 1_000_000_000;
const NANOS_PER_MICRO = 1000;
const MAX_UINT32 = 0xffff_ffff;

/** How a classic pcap file is written. */
export interface PcapWriterOptions {
  /** Stamp resolution: `us` (magic a1b2c3d4, the default) or `ns` (a1b23c4d). */
  readonly resolution?: 'us' | 'ns';
  /** Byte order of every header field; `little` by default, as most captures are. */
  readonly byteOrder?: 'little' | 'big';
  /** LINKTYPE_* of every record; Ethernet by default. */
  readonly linkType?: number;
  /** Frames longer than this are cut to it; 262144 by default, at most 16 MiB. */
  readonly snaplen?: number;
}

/**
 * Writes a classic pcap file (draft-ietf-opsawg-pcap) to a sink, mirroring `PcapReader`.
 * The file header is encoded on construction; records are batched and reach the sink on
 * `flush()` or when the batch is full. Invalid arguments throw a RangeError naming them.
 */
export class PcapWriter {
  private readonly out: OutputBuffer;
  private readonly littleEndian: boolean;
  private readonly snaplen: number;
  private readonly nanosPerFraction: number;

  constructor(sink: ByteSink, options: PcapWriterOptions = {}) {
    const nanoseconds = options.resolution === 'ns';
    this.out = new OutputBuffer(sink);
    this.littleEndian = options.byteOrder !== 'big';
    this.snaplen = options.snaplen ?? DEFAULT_SNAPLEN;
    this.nanosPerFraction = nanoseconds ? 1 : NANOS_PER_MICRO;
    const linkType = options.linkType ?? LinkType.ETHERNET;
    checkInteger('snaplen', this.snaplen, 1, MAX_RECORD_LEN);
    checkInteger('linkType', linkType, 0, MAX_UINT32);

    const le = this.littleEndian;
    const at = this.out.reserve(FILE_HEADER_LEN);
    const view = this.out.view;
    const magic = nanoseconds ? PcapMagic.NANOSECONDS : PcapMagic.MICROSECONDS;
    view.setUint32(at + FileHeaderField.MAGIC, magic, le);
    view.setUint16(at + FileHeaderField.VERSION_MAJOR, PcapVersion.MAJOR, le);
    view.setUint16(at + FileHeaderField.VERSION_MINOR, PcapVersion.MINOR, le);
    view.setInt32(at + FileHeaderField.THIS_ZONE, 0, le);
    view.setUint32(at + FileHeaderField.SIG_FIGS, 0, le);
    view.setUint32(at + FileHeaderField.SNAPLEN, this.snaplen, le);
    view.setUint32(at + FileHeaderField.LINK_TYPE, linkType, le);
    this.out.pos = at + FILE_HEADER_LEN;
  }

  /**
   * Appends one record: `data` (cut to the snaplen), stamped `tsSec` (0..2^32-1) and `tsNsec`
   * (0..999_999_999, truncated to µs in a µs file); `origLen` is the length on the wire.
   */
  writeRecord(
    data: Uint8Array,
    tsSec: number,
    tsNsec: number,
    origLen: number = data.length,
  ): void {
    checkInteger('tsSec', tsSec, 0, MAX_UINT32);
    checkInteger('tsNsec', tsNsec, 0, NANOS_PER_SEC - 1);
    checkInteger('origLen', origLen, data.length, MAX_UINT32);
    const caplen = Math.min(data.length, this.snaplen);
    const le = this.littleEndian;
    const out = this.out;
    const at = out.reserve(RECORD_HEADER_LEN + caplen);
    const view = out.view;
    view.setUint32(at + RecordField.TS_SEC, tsSec, le);
    view.setUint32(at + RecordField.TS_FRACTION, Math.floor(tsNsec / this.nanosPerFraction), le);
    view.setUint32(at + RecordField.CAPLEN, caplen, le);
    view.setUint32(at + RecordField.ORIGLEN, origLen, le);
    out.bytes.set(caplen === data.length ? data : data.subarray(0, caplen), at + RecordField.DATA);
    out.pos = at + RECORD_HEADER_LEN + caplen;
  }

  /** Pushes every byte encoded so far to the sink. */
  flush(): void {
    this.out.flush();
  }
}

/** Throws a RangeError unless `value` is an integer in `min..max`; `name` is the argument. */
export function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name}: ${value} is not an integer in ${min}..${max}`);
  }
}

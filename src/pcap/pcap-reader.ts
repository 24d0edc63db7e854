import { WireError } from '../wire/error.js';
import {
  DEFAULT_SNAPLEN,
  FileHeaderField,
  LINKTYPE_MASK,
  MAX_RECORD_LEN,
  PcapMagic,
  PcapVersion,
  RecordField,
} from './constants.js';
import type { InputBuffer } from './input-buffer.js';
import { type CaptureReader, SharedRecord } from './record.js';

const LAYER = 'pcap';
const FILE_HEADER_LEN = FileHeaderField.END;
const RECORD_HEADER_LEN = RecordField.DATA;
const MICROS_PER_SEC = 1_000_000;
const NANOS_PER_SEC = 1_000_000_000;

/** How a classic magic (read big-endian) sets resolution and byte order. */
interface MagicForm {
  readonly littleEndian: boolean;
  readonly nanoseconds: boolean;
}

const MAGIC_FORMS: ReadonlyMap<number, MagicForm> = new Map([
  [PcapMagic.MICROSECONDS, { littleEndian: false, nanoseconds: false }],
  [PcapMagic.MICROSECONDS_SWAPPED, { littleEndian: true, nanoseconds: false }],
  [PcapMagic.NANOSECONDS, { littleEndian: false, nanoseconds: true }],
  [PcapMagic.NANOSECONDS_SWAPPED, { littleEndian: true, nanoseconds: true }],
]);

/** Whether `magic` (the first four bytes read big-endian) opens a classic pcap file. */
export function isPcapMagic(magic: number): boolean {
  return MAGIC_FORMS.has(magic);
}

/**
 * Reads a classic pcap file (draft-ietf-opsawg-pcap): all four magics, µs or ns stamps, either
 * byte order. Lengths in each record header are checked before they size anything: caplen above
 * the snaplen (0 meaning 262144), above the original length or above 16 MiB is malformed.
 * The header's `thiszone` and `sigfigs` are ignored, as every modern reader does.
 */
export class PcapReader implements CaptureReader {
  readonly format = 'pcap';
  /** Whether the file was written little-endian. */
  readonly littleEndian: boolean;
  /** LINKTYPE_* of every record (the header field's low 16 bits; FCS bits above are ignored). */
  readonly linkType: number;
  /** The header's snaplen as written (0 when the writer set no limit). */
  readonly snaplen: number;
  /** 6 for µs files, 9 for ns files. */
  readonly tsDigits: number;
  private readonly input: InputBuffer;
  private readonly record = new SharedRecord();
  /** Largest caplen accepted: the effective snaplen, capped at 16 MiB. */
  private readonly maxCaplen: number;
  private readonly fractionsPerSec: number;
  private readonly nanosPerFraction: number;

  /** Reads the file header at the input's position; throws a WireError if it is not usable. */
  constructor(input: InputBuffer) {
    this.input = input;
    const have = input.fill(FILE_HEADER_LEN);
    const start = input.fileOffset(input.pos);
    if (have < FILE_HEADER_LEN) throw truncated(start, 'file header', FILE_HEADER_LEN, have);
    const view = input.view;
    const p = input.pos;
    const magic = view.getUint32(p + FileHeaderField.MAGIC, false);
    const form = MAGIC_FORMS.get(magic);
    if (form === undefined) {
      throw new WireError(
        { kind: 'unsupported', layer: LAYER, offset: start, got: hex32(magic) },
        'magic: not a classic pcap file',
      );
    }
    const le = form.littleEndian;
    const major = view.getUint16(p + FileHeaderField.VERSION_MAJOR, le);
    if (major !== PcapVersion.MAJOR) {
      throw new WireError(
        {
          kind: 'unsupported',
          layer: LAYER,
          offset: start + FileHeaderField.VERSION_MAJOR,
          got: major,
          expected: PcapVersion.MAJOR,
        },
        'major version',
      );
    }
    this.littleEndian = le;
    this.snaplen = view.getUint32(p + FileHeaderField.SNAPLEN, le);
    this.linkType = view.getUint32(p + FileHeaderField.LINK_TYPE, le) & LINKTYPE_MASK;
    this.tsDigits = form.nanoseconds ? 9 : 6;
    this.fractionsPerSec = form.nanoseconds ? NANOS_PER_SEC : MICROS_PER_SEC;
    this.nanosPerFraction = NANOS_PER_SEC / this.fractionsPerSec;
    this.maxCaplen = Math.min(this.snaplen === 0 ? DEFAULT_SNAPLEN : this.snaplen, MAX_RECORD_LEN);
    this.record.linkType = this.linkType;
    this.record.tsDigits = this.tsDigits;
    input.pos = p + FILE_HEADER_LEN;
  }

  nextShared(): SharedRecord | null {
    const input = this.input;
    let p = input.pos;
    if (input.end - p < RECORD_HEADER_LEN) {
      const have = input.fill(RECORD_HEADER_LEN);
      if (have === 0) return null;
      p = input.pos;
      if (have < RECORD_HEADER_LEN) {
        throw truncated(input.fileOffset(p), 'record header', RECORD_HEADER_LEN, have);
      }
    }
    let view = input.view;
    const le = this.littleEndian;
    const caplen = view.getUint32(p + RecordField.CAPLEN, le);
    const origLen = view.getUint32(p + RecordField.ORIGLEN, le);
    if (caplen > this.maxCaplen || caplen > origLen) {
      throw this.badCaplen(input.fileOffset(p), caplen, origLen);
    }
    const total = RECORD_HEADER_LEN + caplen;
    if (input.end - p < total) {
      const have = input.fill(total);
      p = input.pos;
      if (have < total) throw truncated(input.fileOffset(p), 'record', total, have);
      view = input.view;
    }
    const record = this.record;
    let sec = view.getUint32(p + RecordField.TS_SEC, le);
    let fraction = view.getUint32(p + RecordField.TS_FRACTION, le);
    if (fraction >= this.fractionsPerSec) {
      // Some writers leave a whole second in the fraction; carry it rather than lose the record.
      sec += Math.floor(fraction / this.fractionsPerSec);
      fraction %= this.fractionsPerSec;
    }
    record.tsSec = sec;
    record.tsNsec = fraction * this.nanosPerFraction;
    record.origLen = origLen;
    record.fileOffset = input.fileOffset(p);
    record.setData(input.bytes, p + RECORD_HEADER_LEN, p + total);
    input.pos = p + total;
    return record;
  }

  /** The error for a caplen that failed the one combined bound check: names which bound. */
  private badCaplen(recordOffset: number, caplen: number, origLen: number): WireError {
    const offset = recordOffset + RecordField.CAPLEN;
    if (caplen > origLen) {
      return new WireError(
        { kind: 'malformed', layer: LAYER, offset, got: caplen, expected: `<= ${origLen}` },
        'captured length above original length',
      );
    }
    if (caplen > MAX_RECORD_LEN) {
      return new WireError(
        { kind: 'malformed', layer: LAYER, offset, got: caplen, expected: `<= ${MAX_RECORD_LEN}` },
        'captured length above the 16 MiB cap',
      );
    }
    return new WireError(
      { kind: 'malformed', layer: LAYER, offset, got: caplen, expected: `<= ${this.maxCaplen}` },
      'captured length above snaplen',
    );
  }
}

/** A `truncated` error: the item at `offset` needed `need` bytes and only `have` remained. */
function truncated(offset: number, what: string, need: number, have: number): WireError {
  return new WireError(
    {
      kind: 'truncated',
      layer: LAYER,
      offset,
      got: `${have} bytes remaining`,
      expected: `${need} bytes`,
    },
    what,
  );
}

/** `0xa1b2c3d4` style, eight digits. */
export function hex32(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

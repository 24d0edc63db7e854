/** Why a decoder gave up: too few bytes, bytes that break a rule, or a valid form this code does not handle. */
export type WireErrorKind = 'truncated' | 'malformed' | 'unsupported';

/** What a WireError carries besides its message. */
export interface WireErrorDetail {
  readonly kind: WireErrorKind;
  /** Protocol or container that failed, e.g. `arp`, `ethernet`, `pcapng`. */
  readonly layer: string;
  /** Byte offset of the failing field, relative to the layer's buffer (a file offset for pcap/pcapng). */
  readonly offset: number;
  /** What the field held (or how many bytes there were). */
  readonly got?: number | string;
  /** What the decoder needed. */
  readonly expected?: number | string;
}

/**
 * The one error every codec and capture reader throws.
 *
 * "Too short" (`truncated`) is kept apart from "wrong" (`malformed`) and "valid but not ours"
 * (`unsupported`), as msgpack keeps `DecodeError` apart from `RangeError`: a capture loop treats
 * a truncated tail differently from a corrupt field.
 */
export class WireError extends Error {
  readonly kind: WireErrorKind;
  readonly layer: string;
  readonly offset: number;
  readonly got: number | string | undefined;
  readonly expected: number | string | undefined;

  constructor(detail: WireErrorDetail, what: string) {
    super(describe(detail, what));
    this.name = 'WireError';
    this.kind = detail.kind;
    this.layer = detail.layer;
    this.offset = detail.offset;
    this.got = detail.got;
    this.expected = detail.expected;
  }
}

function describe(detail: WireErrorDetail, what: string): string {
  const parts = [`${detail.layer}: ${detail.kind} ${what} at offset ${detail.offset}`];
  if (detail.got !== undefined) parts.push(`got ${detail.got}`);
  if (detail.expected !== undefined) parts.push(`expected ${detail.expected}`);
  return parts.join(', ');
}

/** Throws a `truncated` WireError unless `have >= need`; `need` and `have` are byte counts. */
export function needBytes(layer: string, offset: number, have: number, need: number): void {
  if (have < need) {
    throw new WireError(
      { kind: 'truncated', layer, offset, got: `${have} bytes`, expected: `${need}` },
      'buffer',
    );
  }
}

/** Throws a `malformed` WireError unless `value` is an integer in `0..max`: a field about to be emitted. */
export function checkField(
  layer: string,
  offset: number,
  what: string,
  value: number,
  max: number,
): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new WireError(
      { kind: 'malformed', layer, offset, got: value, expected: `0-${max}` },
      what,
    );
  }
}

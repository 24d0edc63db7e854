/**
 * Findings: what the detectors name. Kinds have stable names, used by `--json` (field `kind`),
 * `--fail-on` and the metrics; a finding carries the frame numbers of its evidence so a person
 * can open them in Wireshark.
 */

/** Trouble, always shown. */
export const TROUBLE_KINDS = [
  'new-station',
  'changed-mac',
  'flip-flop',
  'reused-mac',
  'ip-conflict',
  'probe-conflict',
  'storm',
  'unanswered',
  'retry-gap',
  'refresh-burst',
  'mac-mismatch',
  'bogon',
  'bad-sender-mac',
  'malformed',
  'gratuitous-flood',
] as const;

/** Information events, shown only with `--verbose`. */
export const INFO_KINDS = [
  'gratuitous',
  'probe',
  'announcement',
  'rarp',
  'unsolicited-na',
] as const;

export type TroubleKind = (typeof TROUBLE_KINDS)[number];
export type InfoKind = (typeof INFO_KINDS)[number];
export type FindingKind = TroubleKind | InfoKind;

/** Every kind, trouble first. */
export const FINDING_KINDS: readonly FindingKind[] = [...TROUBLE_KINDS, ...INFO_KINDS];

const INFO: ReadonlySet<string> = new Set(INFO_KINDS);

/** True for an information event (shown only with `--verbose`, never a `--fail-on` kind). */
export function isInfoKind(kind: FindingKind): kind is InfoKind {
  return INFO.has(kind);
}

/** True when `text` names a kind. */
export function isFindingKind(text: string): text is FindingKind {
  return (FINDING_KINDS as readonly string[]).includes(text);
}

/** A value of a kind-specific field, as JSON carries it. */
export type FieldValue = string | number | boolean | readonly string[] | readonly number[];

/** One finding, made when a detector names something (rare next to frames: plain strings). */
export interface Finding {
  readonly kind: FindingKind;
  /** When it happened: the frame that completed the evidence, or the moment a timeout ran out. */
  readonly timeMs: number;
  /** The file or interface. */
  readonly source: string;
  /** VLAN IDs outermost first; empty when untagged. */
  readonly vlans: readonly number[];
  /**
   * The subject, unique within the kind (`192.0.2.1`, `02:00:00:00:00:01>192.0.2.9`…): findings
   * of one kind and key are one trouble, counted together and printed again only after
   * `report-interval`.
   */
  readonly key: string;
  /** The main IP and MAC, when the finding has them. */
  readonly ip?: string;
  readonly mac?: string;
  /** Frame numbers of the evidence, oldest first (at most `MAX_EVIDENCE`). */
  readonly frames: readonly number[];
  /** The rest of the text line, for a person (`192.0.2.1 is-at 02:… was 02:…`). */
  readonly text: string;
  /** Kind-specific fields for `--json`, with stable names. */
  readonly fields: Readonly<Record<string, FieldValue>>;
}

/** What a detector says in a finding; `findingAt` adds the frame's time and place. */
export interface FindingParts {
  readonly kind: FindingKind;
  readonly key: string;
  readonly ip?: string | undefined;
  readonly mac?: string | undefined;
  readonly frames: readonly number[];
  readonly text: string;
  readonly fields: Readonly<Record<string, FieldValue>>;
}

/** The finding `parts` describe, made at the frame (or moment) `o`: its time, source and VLANs. */
export function findingAt(
  o: { readonly timeMs: number; readonly source: string; readonly vlans: readonly number[] },
  parts: FindingParts,
): Finding {
  const { kind, key, ip, mac, frames, text, fields } = parts;
  const { timeMs, source, vlans } = o;
  // Object literals, not spreads: findings with an IP and a MAC (nearly all) share one shape.
  if (ip !== undefined && mac !== undefined) {
    return { kind, timeMs, source, vlans, key, ip, mac, frames, text, fields };
  }
  return {
    kind,
    timeMs,
    source,
    vlans,
    key,
    ...(ip !== undefined ? { ip } : {}),
    ...(mac !== undefined ? { mac } : {}),
    frames,
    text,
    fields,
  };
}

/** Where detectors put findings. */
export type FindingSink = (finding: Finding) => void;

/** The most evidence frames a finding lists. */
export const MAX_EVIDENCE = 10;

/** Appends `number` to `frames` unless it holds `MAX_EVIDENCE` already; returns `frames`. */
export function addEvidence(frames: number[], number: number): number[] {
  if (frames.length < MAX_EVIDENCE) frames.push(number);
  return frames;
}

/**
 * Milliseconds as seconds for a finding's fields, rounded to `digits` decimals: 3 (to the
 * millisecond) or 6 (to the microsecond: capture timestamps, and gaps that can be shorter than
 * a millisecond, such as a defence or a flip-flop right after the claim it follows).
 */
export function roundSeconds(ms: number, digits: 3 | 6): number {
  return Math.round(ms * 10 ** (digits - 3)) / 10 ** digits;
}

/**
 * A duration for a person: `2.18 s`, or below a second in milliseconds to the microsecond
 * (`2 ms`, `0.006 ms`), so a short one never reads as `0 s`.
 */
export function durationText(ms: number): string {
  const seconds = roundSeconds(ms, 3);
  return seconds >= 1 ? `${seconds} s` : `${Math.round(ms * 1000) / 1000} ms`;
}

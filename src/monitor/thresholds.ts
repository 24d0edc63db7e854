import { DurationError, parseDurationMs } from '../time/duration.js';

/**
 * Every threshold of the detectors, with its default. Durations are milliseconds, rates frames
 * per second. `--threshold NAME=VALUE` sets one by the name in `THRESHOLD_SPECS`.
 */
export interface Thresholds {
  /** Entries each detector table holds before it forgets the least recently used. */
  readonly maxEntries: number;
  /** A finding with the kind and subject of one already printed is printed again only after this. */
  readonly reportIntervalMs: number;
  /** Two MACs claiming or answering for one IP within this long are a conflict. */
  readonly conflictWindowMs: number;
  /** How long after an RFC 5227 probe a claim by another MAC counts as a defence. */
  readonly probeWindowMs: number;
  /** ARP frames per second on one interface or file (1 s sliding window) that make a storm. */
  readonly stormRate: number;
  /** ARP frames per second from one sender MAC that make it a storm's talker on its own. */
  readonly stormSenderRate: number;
  /**
   * A request with no reply within this long is unanswered. Just over Linux's 1 s retransmit
   * time (`retrans_time_ms`), so a resolution's retries (about 1.0 s apart) are one episode.
   */
  readonly unansweredTimeoutMs: number;
  /** The shortest gap, after an unanswered ask, before the same ask again, reported as a retry gap. */
  readonly retryGapMs: number;
  /** Distinct targets one sender asks for within `burstWindowMs` that make a refresh burst. */
  readonly burstTargets: number;
  /** The window of `burstTargets`; a burst ends after this long without a new ask. */
  readonly burstWindowMs: number;
  /** Gratuitous frames for one (MAC, IP) within `garpFloodWindowMs` that make a flood. */
  readonly garpFlood: number;
  readonly garpFloodWindowMs: number;
}

/** How one threshold is named, parsed and documented. */
export interface ThresholdSpec {
  readonly name: string;
  readonly field: keyof Thresholds;
  readonly unit: 'count' | 'duration' | 'rate';
  readonly help: string;
}

/** The defaults, as documented in `--help` and the README. */
export const DEFAULT_THRESHOLDS: Thresholds = Object.freeze({
  maxEntries: 200_000,
  reportIntervalMs: 60_000,
  conflictWindowMs: 10_000,
  probeWindowMs: 3_000,
  stormRate: 500,
  stormSenderRate: 50,
  unansweredTimeoutMs: 1_500,
  retryGapMs: 2_000,
  burstTargets: 100,
  burstWindowMs: 1_000,
  garpFlood: 20,
  garpFloodWindowMs: 10_000,
});

/** Every threshold by its command-line name. */
export const THRESHOLD_SPECS: readonly ThresholdSpec[] = [
  { name: 'max-entries', field: 'maxEntries', unit: 'count', help: 'entries per detector table' },
  {
    name: 'report-interval',
    field: 'reportIntervalMs',
    unit: 'duration',
    help: 'print the same finding again only after this long (0: every time)',
  },
  {
    name: 'conflict-window',
    field: 'conflictWindowMs',
    unit: 'duration',
    help: 'two MACs for one IP within this long are a conflict',
  },
  {
    name: 'probe-window',
    field: 'probeWindowMs',
    unit: 'duration',
    help: 'a claim by another MAC this soon after a probe is a probe conflict',
  },
  { name: 'storm-rate', field: 'stormRate', unit: 'rate', help: 'ARP frames/s that are a storm' },
  {
    name: 'storm-sender-rate',
    field: 'stormSenderRate',
    unit: 'rate',
    help: 'ARP frames/s from one sender that are a storm',
  },
  {
    name: 'unanswered-timeout',
    field: 'unansweredTimeoutMs',
    unit: 'duration',
    help: 'a request with no reply after this long is unanswered',
  },
  {
    name: 'retry-gap',
    field: 'retryGapMs',
    unit: 'duration',
    help: 'shortest silence after an unanswered ask reported as a retry gap',
  },
  {
    name: 'burst-targets',
    field: 'burstTargets',
    unit: 'count',
    help: 'distinct targets one sender asks for in burst-window: a refresh burst',
  },
  {
    name: 'burst-window',
    field: 'burstWindowMs',
    unit: 'duration',
    help: 'the window of burst-targets',
  },
  {
    name: 'garp-flood',
    field: 'garpFlood',
    unit: 'count',
    help: 'gratuitous frames for one MAC and IP in garp-flood-window: a flood',
  },
  {
    name: 'garp-flood-window',
    field: 'garpFloodWindowMs',
    unit: 'duration',
    help: 'the window of garp-flood',
  },
];

/** A `NAME=VALUE` that names no threshold or carries a bad value; the message says which. */
export class ThresholdError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ThresholdError';
  }
}

/** The defaults with each `NAME=VALUE` of `settings` applied in order. */
export function parseThresholds(settings: readonly string[]): Thresholds {
  const result: Record<string, number> = { ...DEFAULT_THRESHOLDS };
  for (const setting of settings) {
    const equals = setting.indexOf('=');
    const name = equals < 0 ? setting : setting.slice(0, equals);
    const spec = THRESHOLD_SPECS.find((candidate) => candidate.name === name);
    if (spec === undefined) {
      const names = THRESHOLD_SPECS.map((candidate) => candidate.name).join(', ');
      throw new ThresholdError(`"${setting}": unknown threshold "${name}" (one of ${names})`);
    }
    if (equals < 0) throw new ThresholdError(`"${setting}": expected ${name}=VALUE`);
    result[spec.field] = parseValue(spec, setting.slice(equals + 1), setting);
  }
  return result as unknown as Thresholds;
}

function parseValue(spec: ThresholdSpec, text: string, setting: string): number {
  if (spec.unit === 'duration') {
    try {
      return parseDurationMs(text);
    } catch (error) {
      if (error instanceof DurationError)
        throw new ThresholdError(`"${setting}": ${error.message}`);
      throw error;
    }
  }
  const value = Number(text);
  const whole = spec.unit === 'count';
  if (
    text.trim() === '' ||
    !Number.isFinite(value) ||
    value <= 0 ||
    (whole && !Number.isInteger(value))
  ) {
    const what = whole ? 'a whole number above 0' : 'a number of frames per second above 0';
    throw new ThresholdError(`"${setting}": expected ${what}`);
  }
  return value;
}

/** `name=default` for every threshold, for `--help`. */
export function describeDefaults(): string {
  return THRESHOLD_SPECS.map((spec) => {
    const value = DEFAULT_THRESHOLDS[spec.field];
    const shown = spec.unit === 'duration' ? formatMs(value) : String(value);
    return `  ${`${spec.name}=${shown}`.padEnd(26)} ${spec.help}`;
  }).join('\n');
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/**
 * Builds a `WatchConfig` from plain values, whether the command line or a configuration file
 * gave them: applies the defaults, parses addresses and durations, checks ranges, and derives
 * what to watch from what to announce. Errors go to the caller's `fail`, with the path of the
 * input key, so each source reports them in its own terms (`--carrier-up`, or
 * `watch.yaml:7: triggers.carrier-up[1]`).
 */
import { MAX_OFFSET_MS, MAX_RATE, MAX_ROUNDS } from '../announce/announcer.js';
import { parseAnnounceIp } from '../announce/announce-ip.js';
import type { AnnounceIp, AnnounceOptions } from '../announce/plan.js';
import {
  DurationError,
  DURATION_EXAMPLES,
  parseDurationMs,
  secondsToMs,
} from '../time/duration.js';
import { AddressParseError } from '../wire/address-error.js';
import {
  DEFAULT_COALESCE_MS,
  DEFAULT_RATE,
  DEFAULT_SCHEDULES,
  OFF_BY_DEFAULT,
  TRIGGER_KINDS,
  type TriggerKind,
  type WatchConfig,
  type WatchTargets,
} from './watch-config.js';

/** A trigger kind that events fire; `refresh` runs on a timer and has its own setting. */
export type EventKind = Exclude<TriggerKind, 'refresh'>;

/** A duration: a number of seconds, or text such as `200ms`, `1.1s`, `2m`, `1h`. */
type DurationInput = string | number;

/**
 * What `arpkit watch` is given, as plain values already of the right JSON type (the caller checks
 * types; this checks values). Every key is optional.
 */
export interface WatchInput {
  /** Links whose MACs and addresses are announced; each is also watched as a link. */
  readonly iface?: readonly string[];
  /** Announce every link of this host. */
  readonly all?: boolean;
  /** Announce the guests behind these bridges (`true`: every bridge); they are also watched. */
  readonly guests?: true | readonly string[];
  /** Addresses to announce (IPv6 when it has a colon); each is also watched. */
  readonly ip?: readonly string[];
  /** Bridge ports to announce on instead of those found by kind. */
  readonly uplink?: readonly string[];
  /** What announces a MAC without an address. */
  readonly macFrame?: 'rarp' | 'learn';
  /** Frames a second on each link, 0 for unpaced. */
  readonly rate?: number;
  readonly bonds?: readonly string[];
  readonly links?: readonly string[];
  readonly bridges?: readonly string[] | 'all';
  readonly addresses?: readonly string[] | 'any';
  /** Each kind: `true` (its default schedule), `false` (off) or a schedule of durations. */
  readonly triggers?: Partial<Record<EventKind, boolean | readonly DurationInput[]>>;
  readonly coalesce?: DurationInput;
  /** How often to announce everything regardless of events; `false` or absent for never. */
  readonly refresh?: DurationInput | false;
}

/** A path into `WatchInput`: `['triggers', 'carrier-up', 1]`; `[]` for the input as a whole. */
export type InputPath = readonly (string | number)[];

/** Reports an input error: `path` names the key, `message` what was expected. Never returns. */
type FailInput = (path: InputPath, message: string) => never;

/** The shortest and longest `refresh` interval. */
const MIN_REFRESH_MS = 1000;
const MAX_REFRESH_MS = 24 * 3_600_000;
/** The longest `coalesce` window. */
const MAX_COALESCE_MS = 10_000;

/** What the "nothing to watch" errors say; from flags and from a file alike. */
const NOTHING_TO_WATCH =
  'nothing to watch: name a bond, link, bridge or address to watch, or an iface, ip or guests to announce';
const NO_TRIGGER_WATCHES =
  'nothing to watch: no trigger that is on uses the bonds, links, bridges or addresses watched ' +
  '(bond-failover uses bonds; carrier-up and mac-change bonds, links and bridges; ' +
  'port-change and guest-learned bridges; address-added addresses)';

/** What a schedule looks like, for messages (the configuration file's too). */
export const SCHEDULE_EXAMPLE = '[0, 1.1s, 5s]';

/** The event kinds, in `TRIGGER_KINDS` order: those a file or `--schedule` may set. */
export const EVENT_KINDS: readonly EventKind[] = TRIGGER_KINDS.filter(
  (kind): kind is EventKind => kind !== 'refresh',
);

/**
 * The whole configuration, or a call to `fail` for the first bad value. The rules:
 *
 * - Announce: `iface`, `all`, `guests` (`true` → `'all'`, an empty list → none), `ip`, `uplink`
 *   and `macFrame` (default `rarp`) as `arpkit announce` takes them, never `force`. With no
 *   selector at all (no iface, all, guests or ip) it announces every link (`all: true`); an
 *   explicit `all: false` with no other selector is an error. `rate` defaults to 1000, a whole
 *   number from 0 to 10 000 000.
 * - Watch: `bonds` as given; `links` plus every `iface`; `bridges` plus the bridges of `guests`
 *   (`'all'` when either is `'all'`); `addresses` plus every `ip` (`'any'` stays `'any'`).
 *   Duplicates are dropped, the first of each kept in order.
 * - Triggers: each event kind is on with `DEFAULT_SCHEDULES` unless `OFF_BY_DEFAULT`; `false`
 *   turns it off, `true` on with its default, a list is its schedule (starts at 0, strictly
 *   rising, at most 100 rounds, each within 1 h). `refresh` is on only when given and not
 *   `false`: from 1 s to 24 h, one round. `coalesce` defaults to 50 ms, at most 10 s.
 * - Something must be watched: a target, and a trigger that is on and uses it.
 */
export function buildWatchConfig(input: WatchInput, fail: FailInput): WatchConfig {
  const ifaces = input.iface ?? [];
  const ips = (input.ip ?? []).map((text, i) => parseIp(text, ['ip', i], fail));
  const guests =
    input.guests === true ? 'all' : input.guests?.length ? [...input.guests] : undefined;
  const selected =
    ifaces.length > 0 || input.all === true || guests !== undefined || ips.length > 0;
  if (!selected && input.all === false) {
    fail(['all'], 'nothing to announce: all is false and no iface, guests or ip is given');
  }
  const options: AnnounceOptions = {
    ifaces,
    all: input.all ?? !selected,
    guests,
    ips,
    uplinks: input.uplink ?? [],
    macFrame: input.macFrame ?? 'rarp',
    force: false,
  };
  const rate = input.rate ?? DEFAULT_RATE;
  if (!Number.isInteger(rate) || rate < 0 || rate > MAX_RATE) {
    fail(['rate'], `${shown(rate)} is not a whole number from 0 to ${MAX_RATE}`);
  }
  const watch = targetsOf(input, options, fail);
  const schedules = new Map<TriggerKind, readonly number[]>();
  for (const kind of EVENT_KINDS) {
    const setting = input.triggers?.[kind] ?? !OFF_BY_DEFAULT.has(kind);
    if (setting === true) schedules.set(kind, [...DEFAULT_SCHEDULES[kind]]);
    else if (setting !== false) schedules.set(kind, scheduleOf(setting, ['triggers', kind], fail));
  }
  let refreshMs: number | undefined;
  if (input.refresh !== undefined && input.refresh !== false) {
    refreshMs = durationMs(input.refresh, ['refresh'], fail);
    if (refreshMs < MIN_REFRESH_MS || refreshMs > MAX_REFRESH_MS) {
      fail(
        ['refresh'],
        `${shown(input.refresh)} is not a refresh interval from 1s to 24h (e.g. 100s)`,
      );
    }
    schedules.set('refresh', [...DEFAULT_SCHEDULES.refresh]);
  }
  const coalesceMs =
    input.coalesce === undefined
      ? DEFAULT_COALESCE_MS
      : durationMs(input.coalesce, ['coalesce'], fail);
  if (coalesceMs > MAX_COALESCE_MS) {
    fail(
      ['coalesce'],
      `${shown(input.coalesce!)} is not a coalescing window from 0 to 10s (e.g. 50ms)`,
    );
  }
  requireSomethingWatched(watch, schedules, fail);
  return { announce: { options, rate }, watch, schedules, coalesceMs, refreshMs };
}

/** The watch targets: those given plus those the announce selectors (`options`) imply. */
function targetsOf(input: WatchInput, options: AnnounceOptions, fail: FailInput): WatchTargets {
  const bridges = input.bridges ?? [];
  if (typeof bridges === 'string' && bridges !== 'all') {
    fail(['bridges'], `${shown(bridges)} is not a list of bridge names (e.g. [br0]) or all`);
  }
  const addresses = input.addresses ?? [];
  if (typeof addresses === 'string' && addresses !== 'any') {
    fail(['addresses'], `${shown(addresses)} is not a list of IP addresses or any`);
  }
  const { guests = [] } = options;
  return {
    bonds: unique(input.bonds ?? []),
    links: unique([...(input.links ?? []), ...options.ifaces]),
    bridges: bridges === 'all' || guests === 'all' ? 'all' : unique([...bridges, ...guests]),
    addresses:
      addresses === 'any'
        ? 'any'
        : uniqueIps([
            ...addresses.map((text, i) => parseIp(text, ['addresses', i], fail)),
            ...options.ips,
          ]),
  };
}

/** A schedule in ms: from 0, strictly rising, at most `MAX_ROUNDS`, each within an hour. */
function scheduleOf(rounds: readonly DurationInput[], path: InputPath, fail: FailInput): number[] {
  if (rounds.length === 0) {
    fail(path, `an empty list is not a schedule (e.g. ${SCHEDULE_EXAMPLE}; false turns it off)`);
  }
  if (rounds.length > MAX_ROUNDS) {
    fail(path, `a schedule of ${rounds.length} rounds is too long; expected at most ${MAX_ROUNDS}`);
  }
  const offsets: number[] = [];
  for (const [i, round] of rounds.entries()) {
    const at = [...path, i];
    const ms = durationMs(round, at, fail);
    const before = rounds[i - 1];
    if (i === 0 && ms !== 0) {
      fail(
        at,
        `${shown(round)} is not 0: a schedule starts at 0, the trigger (e.g. ${SCHEDULE_EXAMPLE})`,
      );
    }
    if (before !== undefined && ms <= offsets[i - 1]!) {
      fail(
        at,
        `${shown(round)} is not after the round before it (${shown(before)}); expected rising times`,
      );
    }
    if (ms > MAX_OFFSET_MS) {
      fail(at, `${shown(round)} is later than 1h; expected rounds within an hour of the trigger`);
    }
    offsets.push(ms);
  }
  return offsets;
}

/** Fails unless some trigger that is on has a target to watch. */
function requireSomethingWatched(
  watch: WatchTargets,
  schedules: ReadonlyMap<TriggerKind, readonly number[]>,
  fail: FailInput,
): void {
  const links = watch.links.length > 0;
  const bridges = watch.bridges === 'all' || watch.bridges.length > 0;
  const addresses = watch.addresses === 'any' || watch.addresses.length > 0;
  const bonds = watch.bonds.length > 0;
  if (!links && !bridges && !addresses && !bonds) fail([], NOTHING_TO_WATCH);
  const uses: Readonly<Record<EventKind, boolean>> = {
    start: false,
    'bond-failover': bonds,
    'carrier-up': links || bridges || bonds,
    'port-change': bridges,
    'mac-change': links || bridges || bonds,
    'address-added': addresses,
    'guest-learned': bridges,
  };
  if (!EVENT_KINDS.some((kind) => schedules.has(kind) && uses[kind])) {
    fail(['triggers'], NO_TRIGGER_WATCHES);
  }
}

/** A duration in ms: a number of seconds (finite, ≥ 0), or text as `parseDurationMs` reads it. */
function durationMs(value: DurationInput, path: InputPath, fail: FailInput): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return secondsToMs(value);
    return fail(path, `${shown(value)} is not a duration (e.g. ${DURATION_EXAMPLES})`);
  }
  return parsed(() => parseDurationMs(value), path, fail);
}

/** An address to announce or watch, as `parseAnnounceIp` reads it. */
function parseIp(text: string, path: InputPath, fail: FailInput): AnnounceIp {
  return parsed(() => parseAnnounceIp(text), path, fail);
}

/** What `parse` returns; its DurationError or AddressParseError goes to `fail` at `path`. */
function parsed<T>(parse: () => T, path: InputPath, fail: FailInput): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof DurationError || error instanceof AddressParseError) {
      fail(path, error.message);
    }
    throw error;
  }
}

/** `names` without repeats, the first of each kept in order. */
function unique(names: readonly string[]): string[] {
  return [...new Set(names)];
}

/** `ips` without repeats (same family and address), the first of each kept in order. */
function uniqueIps(ips: readonly AnnounceIp[]): AnnounceIp[] {
  const seen = new Set<string>();
  return ips.filter((ip) => {
    const key = `${ip.family} ${ip.ip}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A value as a message echoes it: text in quotes, a number as it is. */
function shown(value: string | number): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

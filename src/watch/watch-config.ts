/**
 * What `arpkit watch` is told to do, whether it came from command-line flags or from a
 * configuration file: what to announce (the selectors of `arpkit announce`), which links,
 * bridges and addresses to watch, which trigger kinds are on and the schedule of each, how long
 * a burst of events coalesces, and how often to refresh. Both sources build this one shape, so
 * the daemon has a single code path.
 */
import type { AnnounceIp, AnnounceOptions } from '../announce/plan.js';

/** The kinds of trigger, in the order logs and metrics list them. */
export const TRIGGER_KINDS = [
  'start',
  'bond-failover',
  'carrier-up',
  'port-change',
  'mac-change',
  'address-added',
  'guest-learned',
  'refresh',
] as const;

/** Why an announcement runs. */
export type TriggerKind = (typeof TRIGGER_KINDS)[number];

/**
 * The schedule of each kind when the configuration does not give one, in ms from the trigger.
 * After carrier up the peer's port may still be in STP listening/learning or LACP negotiation,
 * so frames sent at once can be lost: that kind adds a round at 15 s. A learned guest is
 * announced once, and a refresh is one round.
 */
export const DEFAULT_SCHEDULES: Readonly<Record<TriggerKind, readonly number[]>> = Object.freeze({
  start: [0, 1100, 5000],
  'bond-failover': [0, 1100, 5000],
  'carrier-up': [0, 1100, 5000, 15_000],
  'port-change': [0, 1100, 5000],
  'mac-change': [0, 1100, 5000],
  'address-added': [0, 1100, 5000],
  'guest-learned': [0],
  refresh: [0],
});

/** Kinds that are off unless the configuration turns them on. */
export const OFF_BY_DEFAULT: ReadonlySet<TriggerKind> = new Set(['guest-learned', 'refresh']);

/** `rate` when not given: frames a second on each link. */
export const DEFAULT_RATE = 1000;

/** The default coalescing window: events this close to an announcement's start join it. */
export const DEFAULT_COALESCE_MS = 50;

/** What to announce on a trigger (`arpkit announce`'s selectors, never `--force`). */
export interface WatchAnnounce {
  readonly options: AnnounceOptions;
  /** Frames a second on each link; 0 sends unpaced. */
  readonly rate: number;
}

/** What the daemon listens to. Names are kept, not indexes: a link that returns is found again. */
export interface WatchTargets {
  /**
   * Bonds whose failover event or active-slave change triggers (`bond-failover`), and, as for
   * links, their carrier coming up or MAC changing.
   */
  readonly bonds: readonly string[];
  /** Links whose carrier coming up (`carrier-up`) or MAC changing (`mac-change`) triggers. */
  readonly links: readonly string[];
  /**
   * Bridges whose ports joining or leaving trigger (`port-change`), whose uplink ports' carrier
   * coming up triggers (`carrier-up`), whose own MAC changing triggers (`mac-change`), and whose
   * newly learned guests are announced (`guest-learned`); `all` for every bridge.
   */
  readonly bridges: readonly string[] | 'all';
  /** Addresses whose appearing on this host triggers (`address-added`); `any` for every one. */
  readonly addresses: readonly AnnounceIp[] | 'any';
}

/** The whole configuration of a running watch. */
export interface WatchConfig {
  readonly announce: WatchAnnounce;
  readonly watch: WatchTargets;
  /** The schedule (ms from the trigger, rising, from 0) of each kind that is on. */
  readonly schedules: ReadonlyMap<TriggerKind, readonly number[]>;
  /** Events within this many ms of an announcement's start coalesce into one restart. */
  readonly coalesceMs: number;
  /** A full announcement this often (one round, `refresh` on), or undefined for none. */
  readonly refreshMs: number | undefined;
}

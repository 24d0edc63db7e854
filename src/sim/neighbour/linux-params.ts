/**
 * How reachable_time is drawn: once per table (Linux: per interface parms, redrawn every 300 s by
 * neighbour.c `neigh_periodic_work`), or afresh each time an entry becomes REACHABLE (Windows).
 */
export type ReachableDraw = 'per-table' | 'per-entry';

/**
 * The knobs of the Linux neighbour (NUD) model, named after the sysctls under
 * `/proc/sys/net/ipv4/neigh/<dev>/` and `net.ipv4.conf.<dev>.arp_accept`; times in milliseconds.
 */
export interface LinuxParams {
  /** REACHABLE lasts a value drawn in [base/2, 3·base/2) (neighbour.c `neigh_rand_reach_time`). */
  readonly base_reachable_time_ms: number;
  /** How long DELAY waits for a confirmation before PROBE. */
  readonly delay_first_probe_time_ms: number;
  /** The gap between two requests of one INCOMPLETE or PROBE cycle. */
  readonly retrans_time_ms: number;
  /** Broadcast requests an INCOMPLETE entry sends before FAILED (0: FAILED at once). */
  readonly mcast_solicit: number;
  /** Unicast probes, to the cached MAC, a PROBE entry sends. */
  readonly ucast_solicit: number;
  /** Broadcast requests a PROBE entry sends after its unicast probes. */
  readonly mcast_resolicit: number;
  /** An unused entry outside a timer state is deleted this long after its last use. */
  readonly gc_stale_time_ms: number;
  /** Below this many entries the periodic GC deletes nothing. */
  readonly gc_thresh1: number;
  /** At this many entries a forced GC runs if the last one was more than 5 s ago. */
  readonly gc_thresh2: number;
  /** At this many entries a forced GC runs on every allocation; if it frees nothing, it fails. */
  readonly gc_thresh3: number;
  /**
   * A MAC change that is not a GARP is ignored within this long of the entry's last update
   * ("first reply wins"); 0 turns the lock off, so the last answer wins.
   */
  readonly locktime_ms: number;
  /**
   * Whether a GARP, or a reply, from an unknown sender creates an entry. 2 (create only for an
   * on-link sender, Linux 6.0) acts as 1 here: every simulated sender is on-link.
   */
  readonly arp_accept: 0 | 1 | 2;
  /** Packets held per unresolved entry; a new one pushes out the oldest (at least 1 is held). */
  readonly unres_qlen: number;
  /** Once per table (Linux) or per entry (Windows). */
  readonly reachable_draw: ReachableDraw;
}

/** The Linux defaults (arp.c `arp_tbl`, ip-sysctl.rst). */
export const LINUX_DEFAULTS: Readonly<LinuxParams> = Object.freeze({
  base_reachable_time_ms: 30_000,
  delay_first_probe_time_ms: 5_000,
  retrans_time_ms: 1_000,
  mcast_solicit: 3,
  ucast_solicit: 3,
  mcast_resolicit: 0,
  gc_stale_time_ms: 60_000,
  gc_thresh1: 128,
  gc_thresh2: 512,
  gc_thresh3: 1024,
  locktime_ms: 1_000,
  arp_accept: 0,
  unres_qlen: 101,
  reachable_draw: 'per-table',
});

/** What `arpkit sim --list` says about each parameter: meaning, unit and the sysctl it mirrors. */
export const LINUX_HELP: Readonly<Record<keyof LinuxParams, string>> = Object.freeze({
  base_reachable_time_ms:
    'REACHABLE lasts a random time in [base/2, 3·base/2), ms (net.ipv4.neigh.*.base_reachable_time_ms)',
  delay_first_probe_time_ms:
    'wait in DELAY for a confirmation before PROBE, ms (net.ipv4.neigh.*.delay_first_probe_time, in s)',
  retrans_time_ms:
    'gap between two requests of one INCOMPLETE or PROBE cycle, ms (net.ipv4.neigh.*.retrans_time_ms)',
  mcast_solicit:
    'broadcast requests an INCOMPLETE entry sends before FAILED (net.ipv4.neigh.*.mcast_solicit)',
  ucast_solicit:
    'unicast probes to the cached MAC a PROBE entry sends (net.ipv4.neigh.*.ucast_solicit)',
  mcast_resolicit:
    'broadcast requests a PROBE entry sends after its unicast probes (net.ipv4.neigh.*.mcast_resolicit)',
  gc_stale_time_ms:
    'an unused entry is deleted this long after its last use, ms (net.ipv4.neigh.*.gc_stale_time, in s)',
  gc_thresh1:
    'below this many entries the periodic GC deletes nothing (net.ipv4.neigh.default.gc_thresh1)',
  gc_thresh2:
    'from this many entries a forced GC runs at most every 5 s (net.ipv4.neigh.default.gc_thresh2)',
  gc_thresh3:
    'most entries: a new one fails unless a forced GC frees one (net.ipv4.neigh.default.gc_thresh3)',
  locktime_ms:
    'ignore a MAC change (not a GARP) this soon after the last update, ms; 0: off (net.ipv4.neigh.*.locktime)',
  arp_accept:
    "an unknown sender's GARP or reply creates an entry: 0 no, 1 or 2 yes (net.ipv4.conf.*.arp_accept)",
  unres_qlen:
    'packets held per unresolved entry; a new one pushes out the oldest (net.ipv4.neigh.*.unres_qlen)',
  reachable_draw:
    'REACHABLE time drawn per table, again every 300 s (Linux), or afresh per entry (Windows)',
});

const COUNTS = [
  'mcast_solicit',
  'ucast_solicit',
  'mcast_resolicit',
  'gc_thresh1',
  'gc_thresh2',
  'gc_thresh3',
  'unres_qlen',
] as const;
const TIMES = [
  'base_reachable_time_ms',
  'delay_first_probe_time_ms',
  'retrans_time_ms',
  'gc_stale_time_ms',
  'locktime_ms',
] as const;

/** Throws a RangeError naming the first parameter out of range; returns `params` otherwise. */
export function checkLinuxParams(params: Readonly<LinuxParams>): Readonly<LinuxParams> {
  for (const name of COUNTS) {
    const value = params[name];
    if (!Number.isSafeInteger(value) || value < 0)
      throw new RangeError(`${name}: ${value} is not a whole number ≥ 0`);
  }
  for (const name of TIMES) {
    const value = params[name];
    if (!Number.isFinite(value) || value < 0)
      throw new RangeError(`${name}: ${value} is not a time ≥ 0 ms`);
  }
  // neighbour.c `neigh_timer_handler` floors the retransmit gap at HZ/100; 0 would spin.
  if (params.retrans_time_ms <= 0) throw new RangeError('retrans_time_ms: must be > 0');
  if (params.base_reachable_time_ms <= 0)
    throw new RangeError('base_reachable_time_ms: must be > 0');
  if (![0, 1, 2].includes(params.arp_accept))
    throw new RangeError(`arp_accept: ${String(params.arp_accept)} is not 0, 1 or 2`);
  if (params.reachable_draw !== 'per-table' && params.reachable_draw !== 'per-entry')
    throw new RangeError(
      `reachable_draw: ${String(params.reachable_draw)} is not per-table or per-entry`,
    );
  return params;
}

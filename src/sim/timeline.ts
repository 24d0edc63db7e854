import type { Nanos } from './units.js';

/** Something that happened at one moment of a run, as a plot marks it. */
export interface TimelineMark {
  readonly time: Nanos;
  /** A short label, e.g. "bond failover" or "gateway failover". */
  readonly label: string;
}

/**
 * What a run looked like over time, in bins of equal width from time 0 to `end`: what
 * `--plot` draws and the JSON output summarises.
 */
export interface Timeline {
  /** Width of one bin. */
  readonly bin: Nanos;
  /** The end of the run (the last bin may be partial). */
  readonly end: Nanos;
  /** ARP (and RARP) frames sent by all nodes, per bin. */
  readonly arpFrames: Float64Array;
  /** Data packets lost (any cause), per bin, counted at the time they were sent. */
  readonly lost: Float64Array;
  /** Frames dropped by input policers, per bin. */
  readonly policerDrops: Float64Array;
  /** The moment recovery is measured from (the scenario's failure), if it has one. */
  readonly trigger: Nanos | undefined;
  /** Flows in the run. */
  readonly flows: number;
  /**
   * For each flow that lost packets and recovered, the time it recovered (its first delivered
   * packet after its last loss), ascending. Flows that lost nothing are not listed.
   */
  readonly recoveredAt: readonly Nanos[];
  /** Flows that lost packets and had not recovered by `end`. */
  readonly unrecovered: number;
  /** Scenario events, in time order. */
  readonly marks: readonly TimelineMark[];
}

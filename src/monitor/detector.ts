import type { FindingSink } from './finding.js';
import type { Observation } from './observation.js';

/**
 * A detector: state, fed frames and time, reporting findings to a sink. It keeps only numbers
 * and strings it copied from observations (never the shared observation itself), holds at most
 * its configured number of entries and counts what it had to forget.
 *
 * Time comes only from its arguments: the frame's own timestamp, or `advance(nowMs)` from a live
 * clock or the end of a file, so the same code runs on captures, live traffic and virtual time.
 */
export interface Detector {
  /** Reads one frame (in time order). */
  frame(o: Observation, sink: FindingSink): void;
  /** Time has reached `nowMs` without a frame: report whatever timed out. */
  advance(nowMs: number, sink: FindingSink): void;
  /** The input ended at `nowMs`: report everything still open (unanswered asks, running storms). */
  finish(nowMs: number, sink: FindingSink): void;
  /** Entries forgotten because a table was full. */
  readonly evicted: number;
}

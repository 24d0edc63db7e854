import type { Link } from '../link/link.js';
import type { Clock } from '../time/clock.js';
import { Pacer } from './pacer.js';
import type { AnnouncePlan, PlannedFrame } from './plan.js';

/**
 * When the rounds of an announcement start, in ms from the first: a second round 1.1 s later,
 * past Linux's 1 s neighbour `locktime` (an update within it may be ignored), and a third at 5 s
 * for what the first two missed (keepalived's second set comes 5 s after the first).
 */
export const DEFAULT_SCHEDULE_MS: readonly number[] = Object.freeze([0, 1100, 5000]);

/** The most rounds a schedule may have, and the latest a round may start (ms from the first). */
export const MAX_ROUNDS = 100;
export const MAX_OFFSET_MS = 3_600_000;

/** The highest rate a link is paced at, in frames a second. */
export const MAX_RATE = 10_000_000;

/** What `runAnnouncement` needs: the plan, when and how fast to send it, and where. */
export interface AnnounceRun {
  readonly plan: AnnouncePlan;
  /** When each round starts, in ms from the start of the run (`DEFAULT_SCHEDULE_MS`). */
  readonly offsetsMs: readonly number[];
  /** Frames a second on each link; 0 sends each round at once. */
  readonly rate: number;
  readonly clock: Clock;
  /** An open link for every egress in the plan, by name. */
  readonly links: ReadonlyMap<string, Link>;
  /** Stops the run: no batch is sent after it aborts. */
  readonly signal?: AbortSignal;
  /** Called after each batch that went out. */
  readonly onBatch?: (batch: BatchEvent) => void;
  /** Called for each batch that failed, in whole or in part. */
  readonly onFailure?: (failure: FailureEvent) => void;
}

/** A batch of frames handed to one link in one round. */
export interface BatchEvent {
  readonly egress: string;
  /** The round, from 0. */
  readonly round: number;
  readonly frames: readonly PlannedFrame[];
  /** When it was sent, as epoch ms of the run's clock. */
  readonly timeMs: number;
}

/** Frames of a batch that the link did not send (`frames`: those that did not go). */
export interface FailureEvent extends BatchEvent {
  /** Why, in one line (the link names itself). */
  readonly message: string;
}

/** What one link did over the whole run. */
export interface LinkOutcome {
  readonly egress: string;
  /** Frames sent, every round counted. */
  readonly sent: number;
  /** Frames that did not go. */
  readonly failed: number;
  /** The first failure's message, if any failed. */
  readonly error: string | undefined;
}

/** What a run did. */
export interface AnnounceOutcome {
  /** One per egress, in the plan's order. */
  readonly links: readonly LinkOutcome[];
  /** From the start to the last link's end, in ms of the run's clock. */
  readonly durationMs: number;
  /** The signal aborted before every round was sent. */
  readonly aborted: boolean;
}

/**
 * Sends `plan` in rounds on every link at once, each link on its own: round r starts at
 * start + `offsetsMs[r]` or when the link's round r − 1 ends, whichever is later, and is paced by
 * the link's bucket (which carries over rounds). A failed batch is recorded and the run goes on
 * with the next one. Resolves when every link is done, or promptly once `signal` aborts.
 */
export async function runAnnouncement(run: AnnounceRun): Promise<AnnounceOutcome> {
  const byEgress = new Map<string, PlannedFrame[]>();
  for (const frame of run.plan.frames) {
    const list = byEgress.get(frame.egress);
    if (list === undefined) byEgress.set(frame.egress, [frame]);
    else list.push(frame);
  }
  const missing = [...byEgress.keys()].filter((egress) => !run.links.has(egress));
  if (missing.length > 0) {
    throw new RangeError(`runAnnouncement: no open link for ${missing.join(', ')}`);
  }
  const start = run.clock.now();
  const links = await Promise.all(
    [...byEgress].map(([egress, frames]) => runLink(run, start, egress, frames)),
  );
  return {
    links,
    durationMs: run.clock.now() - start,
    aborted: run.signal?.aborted ?? false,
  };
}

/** Every round of `frames` on link `egress`, from `start`. */
async function runLink(
  run: AnnounceRun,
  start: number,
  egress: string,
  frames: readonly PlannedFrame[],
): Promise<LinkOutcome> {
  const { clock, signal } = run;
  const link = run.links.get(egress)!;
  const pacer = new Pacer(clock, run.rate, start);
  let sent = 0;
  let failed = 0;
  let error: string | undefined;
  for (let round = 0; round < run.offsetsMs.length && !signal?.aborted; round++) {
    const wait = start + run.offsetsMs[round]! - clock.now();
    if (wait > 0) await clock.sleep(wait, signal);
    for await (const batch of pacer.batches(frames, signal)) {
      const timeMs = clock.now();
      const event = { egress, round, frames: batch, timeMs };
      const { went, message } = sendBatch(link, batch);
      sent += went;
      if (message === undefined) {
        run.onBatch?.(event);
        continue;
      }
      if (went > 0) run.onBatch?.({ ...event, frames: batch.slice(0, went) });
      failed += batch.length - went;
      error ??= message;
      run.onFailure?.({ ...event, frames: batch.slice(went), message });
    }
  }
  return { egress, sent, failed, error };
}

/** Hands `batch` to `link`: how many went and, when not all, why. */
function sendBatch(
  link: Link,
  batch: readonly PlannedFrame[],
): { went: number; message: string | undefined } {
  try {
    const went = link.sendBatch(batch.map((planned) => planned.frame));
    if (went >= batch.length) return { went: batch.length, message: undefined };
    return { went, message: `${link.name}: sent ${went} of ${batch.length} frames` };
  } catch (error) {
    // AfPacketLink reports an OsError with a person's message, other links a LinkError.
    return { went: 0, message: error instanceof Error ? error.message : String(error) };
  }
}

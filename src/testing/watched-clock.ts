import type { Clock } from '../time/clock.js';
import { VirtualClock } from '../time/virtual-clock.js';
import { type CliRun, type CliWorld, runCli } from './cli.js';

/** How many event-loop turns a command may take, between sleeps, before the test gives up. */
const MAX_IDLE_TURNS = 100_000;

/**
 * A virtual clock that knows which sleeps are in progress, so a test moves time only while the
 * code under test waits on it. `VirtualClock.advance` alone lets a bounded number of event-loop
 * turns pass before it moves time: a command that first loads its module (real I/O) would start
 * its schedule late.
 */
export class WatchedClock implements Clock {
  readonly #virtual: VirtualClock;
  /** The deadline of every sleep in progress. */
  readonly #deadlines: number[] = [];

  constructor(startMs?: number) {
    this.#virtual = new VirtualClock(startMs);
  }

  now(): number {
    return this.#virtual.now();
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    const deadline = this.now() + Math.max(0, ms);
    this.#deadlines.push(deadline);
    try {
      await this.#virtual.sleep(ms, signal);
    } finally {
      this.#deadlines.splice(this.#deadlines.indexOf(deadline), 1);
    }
  }

  /** The earliest deadline of a sleep in progress; undefined when nothing sleeps. */
  get nextWake(): number | undefined {
    return this.#deadlines.length === 0 ? undefined : Math.min(...this.#deadlines);
  }

  /** Moves time on by `ms`, waking the sleepers in order (see `VirtualClock.advance`). */
  advance(ms: number): Promise<void> {
    return this.#virtual.advance(ms);
  }
}

/** One turn of the event loop. */
function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Runs `arpkit ARGV` in-process on `clock`: whenever the command sleeps, time jumps to the
 * earliest deadline; never while it is busy. Resolves once it is done and the frames it sent have
 * been delivered (a memory link delivers on a later turn).
 */
export async function runCliOnClock(
  argv: readonly string[],
  world: Omit<CliWorld, 'clock'>,
  clock: WatchedClock,
): Promise<CliRun> {
  let done = false;
  const result = runCli(argv, { ...world, clock }).finally(() => {
    done = true;
  });
  for (;;) {
    let turns = 0;
    while (!done && clock.nextWake === undefined) {
      if (++turns > MAX_IDLE_TURNS) throw new Error(`${argv.join(' ')}: neither sleeps nor ends`);
      await turn();
    }
    if (done) break;
    await clock.advance(Math.max(0, clock.nextWake! - clock.now()));
  }
  for (let i = 0; i < 5; i++) await turn();
  return result;
}

/**
 * A parameter sweep (`arpkit sim --sweep KEY=A..B[:STEP]` or `KEY=a,b,c`, or a file's `sweep:`):
 * its values, and one run per value across worker threads. Each worker loads the engine and
 * the scenarios once and runs one value at a time; results come back in the order of the
 * values whichever worker finishes first, so a sweep prints the same table on any machine
 * (`wallSeconds` aside).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { type ParamSpec, ParamError, type ParamValue, describe } from './params.js';
import type { SimResult } from './run.js';

/** One parameter and the values a sweep gives it, in the order they run and print. */
export interface Sweep {
  readonly key: string;
  readonly values: readonly ParamValue[];
}

/** The most runs one sweep may ask for. */
export const MAX_SWEEP_VALUES = 1000;

/** How many values a range gets without a step (at most). */
const DEFAULT_POINTS = 11;

/**
 * The values from `from` to `to` (inclusive) for number parameter `spec`, `step` apart. Without a
 * step: 1 for a whole-number parameter, widened so there are at most 11 values; a tenth of the
 * range otherwise. Throws a ParamError naming the key.
 */
export function rangeValues(spec: ParamSpec, from: number, to: number, step?: number): number[] {
  const range = `${from}..${to}${step === undefined ? '' : `:${step}`}`;
  if (typeof spec.default !== 'number') {
    throw new ParamError(
      `${spec.key}: a range (${range}) needs a number parameter; it takes ${describe(spec)}, so list them (${spec.key}=a,b,c)`,
    );
  }
  if (![from, to].every(Number.isFinite) || to < from) {
    throw new ParamError(`${spec.key}: ${range} is not a range from low to high`);
  }
  if (step !== undefined && !(Number.isFinite(step) && step > 0)) {
    throw new ParamError(`${spec.key}: step ${step} is not a number above 0`);
  }
  const span = to - from;
  const whole = spec.integer === true;
  const by = step ?? (whole ? Math.max(1, Math.ceil(span / (DEFAULT_POINTS - 1))) : span / 10);
  // A small tolerance, so that 0..1:0.1 ends at 1 and not at 0.9 by rounding.
  const count = by === 0 ? 1 : Math.floor(span / by + 1e-9) + 1;
  if (count > MAX_SWEEP_VALUES) {
    throw new ParamError(
      `${spec.key}: ${range} is ${count} runs; at most ${MAX_SWEEP_VALUES} (give a larger step)`,
    );
  }
  return Array.from({ length: count }, (_, i) => Number((from + i * by).toPrecision(12)));
}

/** What a worker is asked to run. */
export interface SweepJob {
  readonly index: number;
  /** A built-in scenario's name. */
  readonly scenario: string;
  readonly params: ReadonlyMap<string, unknown>;
  readonly seed: number;
}

/** What a worker answers: the result, or the error the run threw (a ParamError flagged). */
export type SweepReply =
  | { readonly index: number; readonly result: SimResult }
  | { readonly index: number; readonly error: string; readonly param: boolean };

/** What to sweep. */
export interface SweepOptions {
  /** A built-in scenario's name (workers look it up themselves). */
  readonly scenario: string;
  /** The other parameters, the same for every run. */
  readonly params: ReadonlyMap<string, unknown>;
  readonly seed: number;
  readonly sweep: Sweep;
  /** Worker threads (default: the machine's available parallelism), never more than values. */
  readonly threads?: number;
}

const WORKER = new URL('./sweep-worker.js', import.meta.url);

/** How many threads a sweep of `values` runs on. */
export function sweepThreads(values: number, threads = availableParallelism()): number {
  return Math.max(1, Math.min(threads, values));
}

/**
 * Runs one simulation per value of `options.sweep` and returns the results in the order of the
 * values. Rejects with a ParamError if a run refuses its parameters, or an Error if a worker
 * fails; every worker is stopped either way.
 */
export async function runSweep(options: SweepOptions): Promise<SimResult[]> {
  const { key, values } = options.sweep;
  const results: (SimResult | undefined)[] = new Array<SimResult | undefined>(values.length);
  const workers: Worker[] = [];
  let next = 0;
  let done = 0;
  const job = (index: number): SweepJob => ({
    index,
    scenario: options.scenario,
    params: new Map([...options.params, [key, values[index]]]),
    seed: options.seed,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const give = (worker: Worker): void => {
        if (next < values.length) worker.postMessage(job(next++));
      };
      for (let i = 0; i < sweepThreads(values.length, options.threads); i++) {
        const worker = new Worker(WORKER);
        workers.push(worker);
        worker.on('message', (reply: SweepReply) => {
          if ('error' in reply) {
            const value = String(values[reply.index]);
            reject(
              reply.param
                ? new ParamError(reply.error)
                : new Error(`sweep ${key}=${value}: ${reply.error}`),
            );
            return;
          }
          results[reply.index] = reply.result;
          if (++done === values.length) resolve();
          else give(worker);
        });
        worker.on('error', reject);
        worker.on('exit', (code) => {
          if (done < values.length) reject(new Error(`a sweep worker exited (status ${code})`));
        });
        give(worker);
      }
      if (values.length === 0) resolve();
    });
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  return results as SimResult[];
}

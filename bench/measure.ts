import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Netns } from '../src/lab/netns.js';
import { trafgenArgs } from '../src/testing/link-lab.js';

/** The repository's `bin/arpkit`, which the benches run with `process.execPath`. */
export const ARPKIT_BIN = fileURLToPath(new URL('../../bin/arpkit', import.meta.url));

/** Whether `command` is on the PATH. */
export function installed(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Runs `argv` `runs` times with stdout to /dev/null (or captured when `capture`), and returns the
 * median wall time in seconds with the last run's stdout. Throws if the command fails.
 */
export function timeCommand(
  argv: readonly string[],
  runs: number,
  capture = false,
): { seconds: number; stdout: string } {
  const times: number[] = [];
  let stdout = '';
  for (let i = 0; i < runs; i++) {
    const devnull = openSync('/dev/null', 'w');
    const started = process.hrtime.bigint();
    const result = spawnSync(argv[0]!, argv.slice(1), {
      stdio: ['ignore', capture ? 'pipe' : devnull, 'pipe'],
      maxBuffer: 1 << 30,
      encoding: 'utf8',
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    closeSync(devnull);
    if (result.status !== 0) {
      throw new Error(`${argv.join(' ')} exited ${result.status}: ${result.stderr}`);
    }
    times.push(seconds);
    stdout = result.stdout ?? '';
  }
  return { seconds: median(times), stdout };
}

/** Rounds for JSON: 3 significant figures. */
export function round(value: number): number {
  return Number(value.toPrecision(3));
}

/** The median of `values` (the upper one of an even count). */
export function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

/** The nearest-rank `p`th percentile of `values` (`p` 100 is the largest); NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** Clock ticks per second, the unit of utime and stime in /proc/PID/stat. */
export const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** User and system CPU seconds `pid` has used so far, all its threads, ended ones included. */
export function cpuTimes(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) / CLK_TCK, system: Number(fields[12]) / CLK_TCK };
}

/**
 * `trafgen --cpus 1` sending `count` copies of the frame in `config` from `dev` in `ns` (with
 * `extra` arguments, e.g. a rate): its wall time, start-up included, and frames per second over
 * it. Throws unless every frame went out.
 */
export async function trafgenFlood(
  ns: Netns,
  dev: string,
  config: string,
  count: number,
  timeoutMs: number,
  extra: readonly string[] = [],
): Promise<{ seconds: number; framesPerSec: number }> {
  const started = process.hrtime.bigint();
  const output = await ns.run('trafgen', [...trafgenArgs(dev, config, count), ...extra], timeoutMs);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const sent = Number(/(\d+) packets outgoing/.exec(output)?.[1]);
  if (sent !== count) throw new Error(`trafgen sent ${sent} of ${count}: ${output}`);
  return { seconds, framesPerSec: count / seconds };
}

import { spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

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

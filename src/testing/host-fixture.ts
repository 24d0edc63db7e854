/**
 * Test and bench fixture: reads the host snapshot of the network namespace it is started in
 * (`ip netns exec NS node host-fixture.js`), because an rtnetlink socket answers for the
 * namespace that opens it. Prints one JSON line on stdout:
 *
 * - no argument: the snapshot in the shape of `host-json.ts` (`snapshotJson`);
 * - `time N` (N ≤ 1000): `readHostSnapshot` run N times after a warm-up, with the FDB size and
 *   the minimum, median and maximum in milliseconds, the median split into the four dumps
 *   (system calls) and the parsing of their bytes.
 */
import { readHostDumps, readHostSnapshot, snapshotFromDumps } from '../host/discover.js';
import { snapshotJson } from './host-json.js';

/** The most runs one timing asks for. */
const MAX_RUNS = 1000;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function time(runs: number): Record<string, number> {
  let fdb = readHostSnapshot().fdb.length;
  const total: number[] = [];
  const dump: number[] = [];
  const parse: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const dumps = readHostDumps();
    const dumped = performance.now();
    fdb = snapshotFromDumps(dumps).fdb.length;
    const end = performance.now();
    total.push(end - start);
    dump.push(dumped - start);
    parse.push(end - dumped);
  }
  return {
    runs,
    fdb,
    minMs: round(Math.min(...total)),
    medianMs: round(median(total)),
    maxMs: round(Math.max(...total)),
    medianDumpMs: round(median(dump)),
    medianParseMs: round(median(parse)),
  };
}

const [op, count] = process.argv.slice(2);
if (op === 'time') {
  const runs = Math.min(Math.max(Number(count ?? 20) || 20, 1), MAX_RUNS);
  process.stdout.write(`${JSON.stringify(time(runs))}\n`);
} else {
  process.stdout.write(`${JSON.stringify(snapshotJson(readHostSnapshot()))}\n`);
}

/**
 * bench/analyze: every detector of `arpkit analyze` on a generated 1,000,000-frame pcap of a busy
 * segment, against `tshark -r FILE -q -z expert` (Wireshark's own ARP checks) on the same file in
 * the same run; then the peak memory (GNU time's maximum resident set size) of `arpkit analyze`
 * on 10,000,000 frames of 100,000 stations. Every run is the command as a person runs it
 * (`bin/arpkit`, with the V8 settings of its first line). Prints one JSON object.
 *
 * Targets (issue #6): ≥ 3,000,000 frames/s on one core, ≥ 20× tshark, peak RSS ≤ 200 MB.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAnalyze } from '../src/cli/analyze.js';
import { detectSettings } from '../src/cli/detect-args.js';
import { type Io, processIo } from '../src/cli/io.js';
import { ARPKIT_BIN, installed, round, timeCommand } from './measure.js';
import { writeSegmentCorpus } from './segment-corpus.js';

/** GNU time (Debian's `time`, installed by scripts/setup.sh), for the peak memory. */
const GNU_TIME = '/usr/bin/time';

const FRAMES = Number(process.env.ARPKIT_BENCH_FRAMES ?? 1_000_000);
const BIG_FRAMES = Number(process.env.ARPKIT_BENCH_BIG_FRAMES ?? 10_000_000);
const HOSTS = 10_000;
const BIG_HOSTS = 100_000;

const dir = mkdtempSync(join(tmpdir(), 'arpkit-bench-'));
try {
  const file = join(dir, 'segment.pcap');
  const corpus = writeSegmentCorpus(file, FRAMES, HOSTS);
  const reportOf = (stdout: string) =>
    JSON.parse(stdout.trim().split('\n').at(-1)!) as {
      frames: { frames: number };
      findings: Record<string, number>;
    };
  const whole = timeCommand([ARPKIT_BIN, 'analyze', '--quiet', '--json', file], 3, true);
  const report = reportOf(whole.stdout);
  if (report.frames.frames !== corpus.frames) {
    throw new Error(`analyze read ${report.frames.frames} frames, expected ${corpus.frames}`);
  }
  const inProcess = analyzeInProcess(file);
  const tshark = installed('tshark')
    ? timeCommand(['tshark', '-r', file, '-q', '-z', 'expert'], 1).seconds
    : undefined;
  const bigFile = join(dir, 'big.pcap');
  const big = writeSegmentCorpus(bigFile, BIG_FRAMES, BIG_HOSTS);
  rmSync(file);
  const bigReport = join(dir, 'big.json');
  const output = openSync(bigReport, 'w');
  const started = process.hrtime.bigint();
  const rss = spawnSync(
    GNU_TIME,
    ['-f', '%M', ARPKIT_BIN, 'analyze', '--quiet', '--json', bigFile],
    { encoding: 'utf8', stdio: ['ignore', output, 'pipe'] },
  );
  const bigSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  closeSync(output);
  if (rss.status !== 0) throw new Error(`arpkit analyze (big) failed: ${rss.stderr}`);
  // GNU time's last line: the peak resident set size in KiB.
  const maxRssKiB = Number(rss.stderr.trim().split('\n').at(-1));
  const bigFrames = reportOf(readFileSync(bigReport, 'utf8')).frames.frames;
  if (bigFrames !== big.frames) {
    throw new Error(`analyze read ${bigFrames} frames, expected ${big.frames}`);
  }
  console.log(
    JSON.stringify({
      bench: 'analyze',
      frames: corpus.frames,
      stations: HOSTS,
      findings: report.findings,
      process: {
        seconds: round(whole.seconds),
        framesPerSec: round(corpus.frames / whole.seconds),
      },
      inProcess: {
        note: 'the same command code run in this process, best of 3: no node start-up',
        seconds: round(inProcess),
        framesPerSec: round(corpus.frames / inProcess),
        target: 3_000_000,
      },
      tsharkExpertSeconds: tshark === undefined ? null : round(tshark),
      timesFasterThanTshark: tshark === undefined ? null : round(tshark / whole.seconds),
      targetTimesFaster: 20,
      peakMemory: {
        frames: big.frames,
        stations: BIG_HOSTS,
        seconds: round(bigSeconds),
        framesPerSec: round(big.frames / bigSeconds),
        maxRssMB: round(maxRssKiB / 1024),
        targetMB: 200,
      },
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** Seconds for `runAnalyze` on `file` in this process, best of three, output discarded. */
function analyzeInProcess(file: string): number {
  const io: Io = { ...processIo(), stdout: { write: () => {} } };
  const settings = detectSettings({ quiet: true, threshold: [], net: [] });
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 3; run++) {
    const started = process.hrtime.bigint();
    if (runAnalyze([file], settings, io) !== 0) throw new Error(`runAnalyze failed on ${file}`);
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e9);
  }
  return best;
}

/**
 * bench/decode: `arpkit decode` on a generated 1,000,000-frame ARP pcap, against tshark and
 * tcpdump on the same file in the same run. Prints one JSON object.
 *
 * Targets (issue #2): `--count` ≥ 5,000,000 frames/s and ≥ 25× faster than
 * `tshark -r FILE -q -z io,stat,0`; text output ≥ 5× faster than `tcpdump -nr FILE`.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DecodeOptions, runDecode } from '../src/cli/decode.js';
import { type Io, processIo } from '../src/cli/io.js';
import { writeArpCorpus } from './arp-corpus.js';
import { ARPKIT_BIN, installed, round, timeCommand } from './measure.js';

const FRAMES = Number(process.env.ARPKIT_BENCH_FRAMES ?? 1_000_000);
const arpkit = [process.execPath, ARPKIT_BIN];

const dir = mkdtempSync(join(tmpdir(), 'arpkit-bench-'));
try {
  const file = join(dir, 'arp.pcap');
  writeArpCorpus(file, FRAMES);

  const count = timeCommand([...arpkit, 'decode', '--count', file], 5, true);
  const totals = JSON.parse(count.stdout) as { frames: number; arp: number };
  if (totals.frames !== FRAMES || totals.arp !== FRAMES) {
    throw new Error(`decode --count read ${count.stdout.trim()}, expected ${FRAMES} ARP frames`);
  }
  const countInProcess = decodeInProcess(file, { count: true });
  const textInProcess = decodeInProcess(file, {});
  const text = timeCommand([...arpkit, 'decode', file], 3);
  const nodeStart = timeCommand([process.execPath, '-e', '0'], 5).seconds;

  const tshark = installed('tshark')
    ? timeCommand(['tshark', '-r', file, '-q', '-z', 'io,stat,0'], 1).seconds
    : undefined;
  const tcpdump = installed('tcpdump')
    ? timeCommand(['tcpdump', '-nr', file], 3).seconds
    : undefined;

  const result = {
    bench: 'decode',
    frames: FRAMES,
    fileBytes: statSync(file).size,
    count: {
      seconds: round(count.seconds),
      framesPerSec: round(FRAMES / count.seconds),
      target: 5_000_000,
      tsharkSeconds: tshark === undefined ? null : round(tshark),
      timesFasterThanTshark: tshark === undefined ? null : round(tshark / count.seconds),
      targetTimesFaster: 25,
    },
    inProcess: {
      note: 'the same command code run in this process: no node start-up or module loading',
      nodeStartSeconds: round(nodeStart),
      countSeconds: round(countInProcess),
      countFramesPerSec: round(FRAMES / countInProcess),
      countTimesFasterThanTshark: tshark === undefined ? null : round(tshark / countInProcess),
      textSeconds: round(textInProcess),
      textFramesPerSec: round(FRAMES / textInProcess),
      textTimesFasterThanTcpdump: tcpdump === undefined ? null : round(tcpdump / textInProcess),
    },
    text: {
      seconds: round(text.seconds),
      framesPerSec: round(FRAMES / text.seconds),
      tcpdumpSeconds: tcpdump === undefined ? null : round(tcpdump),
      timesFasterThanTcpdump: tcpdump === undefined ? null : round(tcpdump / text.seconds),
      targetTimesFaster: 5,
    },
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** Best of three runs of the command's own code (`runDecode`) in this process, output discarded. */
function decodeInProcess(file: string, options: DecodeOptions): number {
  const discard = { write() {} };
  const io: Io = { ...processIo(), stdout: discard, stderr: discard };
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 3; run++) {
    const started = process.hrtime.bigint();
    if (runDecode([file], options, io) !== 0) throw new Error(`runDecode failed on ${file}`);
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e9);
  }
  return best;
}

/**
 * bench/send: AfPacketLink.sendBatch, unpaced, from one process, 60-byte ARP frames on a veth
 * inside a network namespace, against `trafgen --cpus 1` sending the same frame on the same veth
 * in the same run. Prints one JSON object.
 *
 * Target: ≥ 0.8× trafgen's frames per second. The link runs in the fixture process inside the
 * namespace (a raw socket belongs to the namespace that makes it); its figure is its own send
 * loop, timed in that process. trafgen's is its wall time for a count sized to about as long,
 * start-up included (a few milliseconds in seconds). Each side runs `RUNS` times; the median
 * counts. Everything is bounded: `MS` per arpkit run, trafgen by count and a timeout, and the
 * namespaces are deleted whatever happens.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { frameOf, runFixture, toHex, trafgenConfig, vethLab } from '../src/testing/link-lab.js';
import { netnsAvailability, type Netns, withLab } from '../src/testing/netns.js';
import { parseMac } from '../src/wire/mac.js';
import { installed, median, round, trafgenFlood } from './measure.js';

const MS = Number(process.env.ARPKIT_BENCH_SEND_MS ?? 2_000);
const RUNS = 3;
/** Frames per `sendBatch` call (each is one or more `sendmmsg` of up to 1024). */
const BATCH = 256;
const SENDER_MAC = '02:00:00:79:00:01';
const RECEIVER_MAC = '02:00:00:79:00:02';
const TRAFGEN_TIMEOUT_MS = 30_000;

/** One arpkit run: frames per second of the fixture's sendBatch loop. */
async function arpkitRun(ns: Netns, frame: Uint8Array): Promise<number> {
  const request = { op: 'blast', iface: 'veth0', frame: toHex(frame), batch: BATCH, ms: MS };
  const [line] = await runFixture(ns, request, MS + 10_000);
  if (line === undefined || typeof line.framesPerSec !== 'number') {
    throw new Error(`blast printed ${JSON.stringify(line)}`);
  }
  return line.framesPerSec;
}

const availability = netnsAvailability();
if (!availability.ok) {
  process.stdout.write(`${JSON.stringify({ bench: 'send', skipped: availability.reason })}\n`);
} else {
  const dir = mkdtempSync(join(tmpdir(), 'arpkit-bench-send-'));
  try {
    const result = await withLab(
      async (lab) => {
        const { sender } = await vethLab(lab, SENDER_MAC, RECEIVER_MAC);
        const frame = frameOf('arp', parseMac(SENDER_MAC));
        const arpkit: number[] = [];
        for (let run = 0; run < RUNS; run++) arpkit.push(await arpkitRun(sender, frame));
        const arpkitRate = median(arpkit);

        let trafgenRate: number | undefined;
        if (installed('trafgen')) {
          const config = join(dir, 'arp.cfg');
          writeFileSync(config, trafgenConfig(frame));
          const count = Math.round((arpkitRate * MS) / 1000);
          const trafgen: number[] = [];
          for (let run = 0; run < RUNS; run++)
            trafgen.push(
              (await trafgenFlood(sender, 'veth0', config, count, TRAFGEN_TIMEOUT_MS)).framesPerSec,
            );
          trafgenRate = median(trafgen);
        }
        return {
          bench: 'send',
          frameBytes: frame.length,
          batch: BATCH,
          runs: RUNS,
          arpkit: {
            framesPerSec: round(arpkitRate),
            runs: arpkit.map(round),
            secondsPerRun: MS / 1000,
          },
          trafgen: trafgenRate === undefined ? null : { framesPerSec: round(trafgenRate), cpus: 1 },
          ratioToTrafgen: trafgenRate === undefined ? null : round(arpkitRate / trafgenRate),
          targetRatio: 0.8,
        };
      },
      RUNS * 2 * (MS + 15_000),
    );
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

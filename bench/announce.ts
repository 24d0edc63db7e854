/**
 * bench/announce: `arpkit announce --guests` on a hypervisor-sized bridge, inside network
 * namespaces. Prints one JSON object.
 *
 * - Speed: a bridge with 10,000 guest MACs (static FDB entries on four veth ports) behind one
 *   uplink. `arpkit announce --guests br0 --rounds 1 --rate 0` does discovery (rtnetlink), the plan
 *   and one unpaced round: the wall time of that work, as the command's JSON summary reports it
 *   (target < 150 ms), and of the whole process, Node's start-up included; medians of `RUNS`.
 * - Against the classic recipe: a shell loop that forks the `fake` package's `send_arp` once per
 *   MAC (`send_arp 0.0.0.0 $mac 0.0.0.0 ff:ff:ff:ff:ff:ff $dev`), over the first 500 MACs,
 *   extrapolated to 10,000, against arpkit's whole process. Target ratio ≥ 500×.
 * - Pacing: `--rate 1000` over 5,000 MACs of a second bridge, the achieved rate measured from the
 *   timestamps of a tcpdump capture on the switch's side of the uplink. Target within ±2 %.
 *
 * Every command is bounded by a timeout and the namespaces are deleted whatever happens.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openFileSource } from '../src/io/fd-source.js';
import { netnsAvailability, type Lab, type Netns, withLab } from '../src/lab/netns.js';
import { openCapture, recordsShared } from '../src/pcap/capture.js';
import { ARPKIT_BIN, installed, median, round } from './measure.js';

const GUESTS = 10_000;
const PACED_GUESTS = 5_000;
const PACED_RATE = 1000;
const CLASSIC_MACS = 500;
const RUNS = 5;
const PORTS = 4;
const COMMAND_MS = 120_000;

/** The `n`th guest MAC of bridge `bridge` (0 or 1), locally administered. */
function guestMac(bridge: number, n: number): string {
  const bytes = [0x02, 0x54, bridge, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  return bytes.map((byte) => byte.toString(16).padStart(2, '0')).join(':');
}

/**
 * Bridge `brN` in `hv` with uplink `upN` (its peer `portN` in `sw`, up) and `PORTS` veth ports
 * holding `guests` static FDB entries, added with one `bridge -batch`.
 */
async function hypervisorBridge(
  lab: Lab,
  hv: Netns,
  sw: Netns,
  bridge: number,
  guests: number,
  dir: string,
): Promise<void> {
  await lab.vethPair(hv, `up${bridge}`, sw, `port${bridge}`);
  const ports: string[] = [];
  for (let p = 0; p < PORTS; p++) {
    const port = `vnet${bridge}${p}`;
    await lab.vethPair(hv, port, hv, `guest${bridge}${p}`);
    ports.push(port);
  }
  await lab.bridge(hv, `br${bridge}`, [`up${bridge}`, ...ports]);
  const lines = Array.from(
    { length: guests },
    (_, n) => `fdb add ${guestMac(bridge, n)} dev ${ports[n % PORTS]} master static`,
  );
  const batch = join(dir, `fdb${bridge}.batch`);
  writeFileSync(batch, `${lines.join('\n')}\n`);
  await hv.run('bridge', ['-batch', batch], COMMAND_MS);
}

/**
 * `arpkit ARGS --json` in `ns`, `RUNS` times: the median wall time of the process (start-up
 * included) and the median time of its own work (host read + plan + the round, from its summary),
 * both in ms. Checks that every run exits 0 and sends `GUESTS` frames.
 */
async function arpkitRuns(
  ns: Netns,
  args: readonly string[],
): Promise<{ wall: number; work: number }> {
  const walls: number[] = [];
  const works: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const started = process.hrtime.bigint();
    const output = await ns.run(process.execPath, [ARPKIT_BIN, ...args, '--json'], COMMAND_MS);
    walls.push(Number(process.hrtime.bigint() - started) / 1e6);
    const summary = (JSON.parse(output.trimEnd().split('\n').pop()!) as { summary: Summary })
      .summary;
    if (summary.sent !== GUESTS) throw new Error(`sent ${summary.sent} of ${GUESTS}`);
    works.push(summary.hostMs + summary.planMs + summary.durationMs);
  }
  return { wall: median(walls), work: median(works) };
}

/** The fields of `arpkit announce --json`'s summary this bench reads. */
interface Summary {
  readonly sent: number;
  readonly hostMs: number;
  readonly planMs: number;
  readonly durationMs: number;
}

/** Wall time, in seconds, of the classic loop forking send_arp once for each of `CLASSIC_MACS`. */
async function classicWall(ns: Netns): Promise<number> {
  const macs = Array.from({ length: CLASSIC_MACS }, (_, n) => guestMac(0, n)).join(' ');
  const script = `for mac in ${macs}; do send_arp 0.0.0.0 $mac 0.0.0.0 ff:ff:ff:ff:ff:ff up0; done`;
  const started = process.hrtime.bigint();
  await ns.run('sh', ['-c', script], COMMAND_MS);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** Frames per second of a paced run, from the first to the last frame tcpdump saw on `port1`. */
async function pacedRate(
  hv: Netns,
  sw: Netns,
  dir: string,
): Promise<{ rate: number; frames: number }> {
  const file = join(dir, 'paced.pcap');
  const capture = sw.spawn('tcpdump', ['-n', '-i', 'port1', '-w', file, '-U', 'rarp']);
  await capture.waitFor(/listening on/, 10_000);
  const output = await hv.run(
    process.execPath,
    [
      ARPKIT_BIN,
      'announce',
      '--guests',
      'br1',
      '--uplink',
      'up1',
      '--rounds',
      '1',
      '--rate',
      String(PACED_RATE),
    ],
    COMMAND_MS,
  );
  // Let tcpdump write out what the kernel has handed it before it is stopped.
  await sleep(1000);
  capture.child.kill('SIGINT');
  await new Promise((resolve) => capture.child.once('close', resolve));
  const times = captureTimes(file);
  const sent = Number(/^sent (\d+) frames/m.exec(output)?.[1]);
  if (times.length !== sent || sent < PACED_GUESTS) {
    throw new Error(`captured ${times.length} frames; arpkit says: ${output}`);
  }
  const seconds = times[times.length - 1]! - times[0]!;
  return { rate: (times.length - 1) / seconds, frames: times.length };
}

/** The timestamp of every frame in the capture `file`, in seconds. */
function captureTimes(file: string): number[] {
  const source = openFileSource(file);
  try {
    const times: number[] = [];
    for (const record of recordsShared(openCapture(source))) {
      times.push(record.tsSec + record.tsNsec / 1e9);
    }
    return times;
  } finally {
    source.close();
  }
}

const availability = netnsAvailability();
if (!availability.ok) {
  process.stdout.write(`${JSON.stringify({ bench: 'announce', skipped: availability.reason })}\n`);
} else {
  const dir = mkdtempSync(join(tmpdir(), 'arpkit-bench-announce-'));
  try {
    const result = await withLab(async (lab) => {
      const hv = await lab.addNamespace('hv');
      const sw = await lab.addNamespace('sw');
      // No IPv6: the guest ends would send router solicitations the bridges learn as guests.
      for (const ns of [hv, sw])
        await ns.run('sysctl', ['-qw', 'net.ipv6.conf.default.disable_ipv6=1']);
      await hypervisorBridge(lab, hv, sw, 0, GUESTS, dir);
      await hypervisorBridge(lab, hv, sw, 1, PACED_GUESTS, dir);
      const args = [
        'announce',
        '--guests',
        'br0',
        '--uplink',
        'up0',
        '--rounds',
        '1',
        '--rate',
        '0',
      ];
      const arpkit = await arpkitRuns(hv, args);
      const classic = installed('send_arp')
        ? (await classicWall(hv)) * (GUESTS / CLASSIC_MACS)
        : undefined;
      const paced = await pacedRate(hv, sw, dir);
      return {
        bench: 'announce',
        guests: GUESTS,
        unpacedRound: {
          workMs: round(arpkit.work),
          processWallMs: round(arpkit.wall),
          runs: RUNS,
          targetMs: 150,
        },
        classicSendArp:
          classic === undefined
            ? null
            : { measuredMacs: CLASSIC_MACS, extrapolatedSeconds: round(classic) },
        ratioToClassic: classic === undefined ? null : round((classic * 1000) / arpkit.wall),
        targetRatio: 500,
        paced: {
          guests: PACED_GUESTS,
          rate: PACED_RATE,
          achieved: round(paced.rate),
          errorPercent: round((100 * (paced.rate - PACED_RATE)) / PACED_RATE),
          targetPercent: 2,
        },
      };
    }, 10 * COMMAND_MS);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

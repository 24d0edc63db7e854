/**
 * bench/receive: how fast an AfPacketLink hands frames to its handler. trafgen (one CPU,
 * unpaced) floods 60-byte ARP frames into a veth inside a namespace; at the other end the link
 * (ARP/ND filter on, the handler only counting) receives them through `recvmmsg` on a koffi
 * worker thread. Prints one JSON object: frames per second delivered (first to last frame),
 * and how many of those sent were delivered or dropped, beside tcpdump (`-w /dev/null`, same
 * filter) under the same flood in the same run.
 *
 * Sender and receiver share the machine's cores, so the figure is a floor for a quieter host.
 * Bounded by count (`FRAMES`), by timeouts, and the namespaces are always deleted.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import {
  fixtureArgv,
  frameOf,
  parseLines,
  trafgenArgs,
  trafgenConfig,
  vethLab,
} from '../src/testing/link-lab.js';
import { type Netns, netnsAvailability, withLab } from '../src/testing/netns.js';
import { parseMac } from '../src/wire/mac.js';
import { installed, round } from './measure.js';

const FRAMES = Number(process.env.ARPKIT_BENCH_RECEIVE_FRAMES ?? 2_000_000);
/** How long the receiver listens: long enough for the flood and the queue behind it. */
const LISTEN_MS = 8_000;
const SENDER_MAC = '02:00:00:7a:00:01';
const RECEIVER_MAC = '02:00:00:7a:00:02';

/** Floods `FRAMES` copies of the frame in `config` from the sender's veth0. */
async function flood(sender: Netns, config: string): Promise<void> {
  await sender.run('trafgen', trafgenArgs('veth0', config, FRAMES), 60_000);
}

/** arpkit's receiver under one flood. */
async function arpkitUnderFlood(
  sender: Netns,
  receiver: Netns,
  config: string,
): Promise<Record<string, unknown>> {
  const [cmd, ...args] = fixtureArgv({ op: 'count', iface: 'veth1', ms: LISTEN_MS });
  const counter = receiver.spawn(cmd!, args);
  await counter.waitFor(/"ready"/, 10_000);
  await flood(sender, config);
  const line = parseLines(await counter.waitFor(/"received"/, LISTEN_MS + 10_000)).find(
    (entry) => 'received' in entry,
  )!;
  const stats = line.stats as { packets: number; drops: number };
  return {
    framesPerSec: round(line.framesPerSec as number),
    delivered: line.received,
    kernelDrops: stats.drops,
  };
}

/** tcpdump writing to /dev/null under the same flood: what it captured and what the kernel dropped. */
async function tcpdumpUnderFlood(
  sender: Netns,
  receiver: Netns,
  config: string,
): Promise<Record<string, unknown>> {
  const tcpdump = receiver.spawn('tcpdump', ['-n', '-i', 'veth1', '-w', '/dev/null', 'arp']);
  await tcpdump.waitFor(/listening on veth1/, 10_000);
  await flood(sender, config);
  await sleep(1_000);
  tcpdump.child.kill('SIGINT');
  const text = await tcpdump.waitFor(/dropped by kernel/, 10_000);
  return {
    captured: Number(/(\d+) packets? captured/.exec(text)?.[1]),
    kernelDrops: Number(/(\d+) packets? dropped by kernel/.exec(text)?.[1]),
  };
}

const availability = netnsAvailability();
if (!availability.ok || !installed('trafgen')) {
  const skipped = availability.ok ? 'trafgen is not installed' : availability.reason;
  process.stdout.write(`${JSON.stringify({ bench: 'receive', skipped })}\n`);
} else {
  const dir = mkdtempSync(join(tmpdir(), 'arpkit-bench-receive-'));
  try {
    const result = await withLab(async (lab) => {
      const { sender, receiver } = await vethLab(lab, SENDER_MAC, RECEIVER_MAC);
      const config = join(dir, 'arp.cfg');
      writeFileSync(config, trafgenConfig(frameOf('arp', parseMac(SENDER_MAC))));
      const arpkit = await arpkitUnderFlood(sender, receiver, config);
      const tcpdump = installed('tcpdump')
        ? await tcpdumpUnderFlood(sender, receiver, config)
        : null;
      return {
        bench: 'receive',
        frameBytes: 60,
        sent: FRAMES,
        sender: 'trafgen --cpus 1, unpaced',
        arpkit,
        tcpdump,
      };
    }, 120_000);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

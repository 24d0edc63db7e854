/**
 * bench/monitor: `arpkit monitor` live on a veth inside network namespaces while
 * `trafgen --cpus 1` floods it with ARP, beside `tcpdump -w /dev/null arp` and Debian's
 * `arpwatch -d` under the same flood in the same run. Prints one JSON object; exits 1 if arpkit
 * did not name the flood a `storm`.
 *
 * The flood is `FLOOD_SECONDS` of trafgen's unpaced rate (`-t 0`, see `SENDER_ARGS`), measured
 * first with nobody listening (or `ARPKIT_BENCH_MONITOR_FRAMES` frames, or paced at
 * `ARPKIT_BENCH_MONITOR_RATE` frames/s); every receiver gets a fresh flood of that many 60-byte
 * requests. trafgen runs on CPU 0 (the kernel's veth delivery and socket filter run there too,
 * in its softirq), each receiver is pinned to CPU 1 with taskset. For each: the kernel's counters
 * (frames received by the filter, dropped; target 0 drops), frames counted vs sent, and CPU:
 * utime and stime of /proc/PID/stat from just before the flood until the receiver has gone idle
 * after it (so a backlog worked off afterwards counts), over the flood's wall time. For arpkit,
 * the drops of each second of the flood too, from `ss`. arpwatch prints no counters: its CPU, how
 * long it stayed busy after the flood, and whether it learned the sender are what it tells.
 *
 * Bounded by counts, timeouts and `DEADLINE_MS`; the receivers get SIGINT (SIGKILL at teardown)
 * and the namespaces are deleted whatever happens (`withLab`).
 */
import type { Readable } from 'node:stream';
import {
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { frameOf, trafgenConfig, vethLab } from '../src/testing/link-lab.js';
import { type Background, type Netns, netnsAvailability, withLab } from '../src/testing/netns.js';
import { parseMac } from '../src/wire/mac.js';
import { ARPKIT_BIN, cpuTimes, installed, round, trafgenFlood } from './measure.js';

const FLOOD_SECONDS = 10;
/** The unpaced rate is measured on this many frames with nobody listening. */
const CALIBRATION_FRAMES = 1_000_000;
const FIXED_FRAMES = optionalNumber('ARPKIT_BENCH_MONITOR_FRAMES');
const PACED_RATE = optionalNumber('ARPKIT_BENCH_MONITOR_RATE');
/**
 * trafgen's sending mode. `-t 0` sends each frame with its own `sendto`, unpaced: a linear copy,
 * as a frame from a NIC is. Its default TX ring (`ARPKIT_BENCH_MONITOR_SENDER=ring`) sends
 * zero-copy frames instead, which the kernel copies into a fresh page (`skb_copy_ubufs`) for a
 * socket that queues them: in the sender's softirq, for a plain socket like arpkit's far more
 * than for a TPACKET ring's, so the flood itself would run slower for arpkit than for the others.
 */
const SENDER_ARGS =
  PACED_RATE !== undefined
    ? ['-b', `${PACED_RATE}pps`]
    : process.env['ARPKIT_BENCH_MONITOR_SENDER'] === 'ring'
      ? []
      : ['-t', '0'];
const SENDER_MAC = '02:00:00:7b:00:01';
const RECEIVER_MAC = '02:00:00:7b:00:02';
/**
 * The flood's subnet (sender 10.77.0.1 asks for 10.77.0.2), not its target: the kernel answers
 * nothing, arpwatch finds the net it needs, and arpkit sees no bogon.
 */
const RECEIVER_CIDR = '10.77.0.254/24';
/** trafgen's one worker runs on CPU 0; the receiver gets the other core when there is one. */
const RECEIVER_CPU = availableParallelism() > 1 ? ['taskset', '-c', '1'] : [];
/** Start-up work (JIT, first GCs) done before the CPU count starts. */
const SETTLE_MS = 1_000;
const POLL_MS = 500;
/** A receiver using less than this share of a core over one poll has worked off the flood. */
const IDLE_SHARE = 0.04;
/**
 * Waited after that before the receiver is stopped: libpcap's TPACKET_V3 ring hands a partly
 * filled block to tcpdump and arpwatch only when its 1 s timeout expires.
 */
const TAIL_MS = 1_500;
const BUSY_LIMIT_MS = 30_000;
const FLOOD_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 10_000;
const READY_TIMEOUT_MS = 15_000;
const DEADLINE_MS = 12 * 60_000;

/** A receiver under test: how to start it, when it is listening, what its output says. */
interface Receiver {
  /** The program's file name, as /proc/PID/exe must end. */
  readonly exe: string;
  readonly argv: readonly string[];
  /** Printed once it listens; without one, the bench waits for its packet socket. */
  readonly ready?: RegExp;
  /**
   * Its socket is a plain one, whose drops `ss` shows (`skmem` `d`): they are sampled every
   * second of the flood. A TPACKET ring's drops (tcpdump, arpwatch) are not counted there.
   */
  readonly plainSocket?: boolean;
  /** Its figures from what it printed (stdout alone, and everything). */
  figures(stdout: string, output: string, sent: number): Record<string, unknown>;
}

/** `arpkit monitor --json`: the report at stop has the kernel's counters and the findings. */
function arpkitReceiver(): Receiver {
  return {
    exe: basename(process.execPath),
    argv: [process.execPath, ARPKIT_BIN, 'monitor', '-i', 'veth1', '--json'],
    ready: /listening on veth1/,
    plainSocket: true,
    figures: (stdout, output, sent) => {
      const line = stdout.split('\n').find((text) => text.startsWith('{"type":"report"'));
      if (line === undefined) throw new Error(`arpkit monitor printed no report: ${output}`);
      const report = JSON.parse(line) as {
        frames: { frames: number };
        findings: Record<string, number>;
        troubles: { kind: string; text: string }[];
        interfaces: Record<string, { frames: number; kernelPackets: number; kernelDrops: number }>;
      };
      const iface = report.interfaces['veth1'];
      if (iface === undefined) throw new Error(`arpkit's report has no veth1: ${line}`);
      return {
        counted: report.frames.frames,
        missing: sent - report.frames.frames,
        kernelReceived: iface.kernelPackets,
        kernelDrops: iface.kernelDrops,
        findings: Object.fromEntries(Object.entries(report.findings).filter(([, n]) => n > 0)),
        storm: report.troubles.filter((t) => t.kind === 'storm').map((t) => t.text),
      };
    },
  };
}

/** tcpdump writing to /dev/null: its own counters on stderr at stop. */
function tcpdumpReceiver(): Receiver {
  return {
    exe: 'tcpdump',
    argv: ['tcpdump', '-n', '-i', 'veth1', '-w', '/dev/null', 'arp'],
    ready: /listening on veth1/,
    figures: (_stdout, output, sent) => {
      const count = (what: string) => {
        const match = new RegExp(`(\\d+) packets? ${what}`).exec(output);
        if (match === null) throw new Error(`tcpdump printed no "${what}": ${output}`);
        return Number(match[1]);
      };
      return {
        counted: count('captured'),
        missing: sent - count('captured'),
        kernelReceived: count('received by filter'),
        kernelDrops: count('dropped by kernel'),
      };
    },
  };
}

/** arpwatch in the foreground (`-d`): no counters; whether the sender reached its database. */
function arpwatchReceiver(database: string): Receiver {
  writeFileSync(database, '');
  return {
    exe: 'arpwatch',
    argv: ['arpwatch', '-d', '-i', 'veth1', '-f', database],
    figures: () => ({
      counted: null,
      kernelReceived: null,
      kernelDrops: null,
      pcapStats: null,
      learnedSender: readFileSync(database, 'utf8').includes(SENDER_MAC),
    }),
  };
}

/** A receiver started: the background process and its stdout alone. */
interface Running {
  readonly background: Background;
  readonly stdout: () => string;
}

/** Starts `receiver` in `ns` on its core; resolves once it listens, with its pid checked. */
async function start(ns: Netns, receiver: Receiver): Promise<Running> {
  const [command, ...args] = [...RECEIVER_CPU, ...receiver.argv];
  const background = ns.spawn(command!, args);
  const stdout = collect(background.child.stdout!);
  if (receiver.ready !== undefined) await background.waitFor(receiver.ready, READY_TIMEOUT_MS);
  // `ip netns exec` and taskset exec the command: the child's pid becomes the receiver's own.
  const pid = background.child.pid!;
  for (let poll = 0; !hasPacketSocket(pid, receiver.exe); poll++) {
    if (poll * POLL_MS >= READY_TIMEOUT_MS) {
      throw new Error(`${receiver.exe} opened no packet socket: ${background.output()}`);
    }
    await sleep(POLL_MS);
  }
  return { background, stdout };
}

/** Whether `pid` runs `exe` and holds one of the packet sockets of its namespace. */
function hasPacketSocket(pid: number, exe: string): boolean {
  try {
    if (basename(readlinkSync(`/proc/${pid}/exe`)) !== exe) return false;
    // Columns: sk RefCnt Type Proto Iface R Rmem User Inode.
    const inodes = readFileSync(`/proc/${pid}/net/packet`, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/)[8]);
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      return inodes.some((inode) => target === `socket:[${inode}]`);
    });
  } catch {
    return false; // Not exec'd yet, or gone: the caller's bounded poll decides.
  }
}

/** User + system CPU seconds of `pid` so far. */
function cpuSeconds(pid: number): number {
  const { user, system } = cpuTimes(pid);
  return user + system;
}

/** Seconds `pid` kept working after the flood ended (poll resolution), up to `BUSY_LIMIT_MS`. */
async function busyAfter(pid: number, floodEnded: number): Promise<number> {
  let lastBusy = floodEnded;
  let cpu = cpuSeconds(pid);
  for (let waited = 0; waited < BUSY_LIMIT_MS; waited += POLL_MS) {
    await sleep(POLL_MS);
    const now = cpuSeconds(pid);
    if (now - cpu < (IDLE_SHARE * POLL_MS) / 1000) break;
    cpu = now;
    lastBusy = performance.now();
  }
  return (lastBusy - floodEnded) / 1000;
}

/** The drops the kernel counted on `pid`'s plain packet socket (`sk_drops`), as `ss` shows them. */
async function socketDrops(ns: Netns, pid: number): Promise<number> {
  const text = await ns.run('ss', ['-0', '-a', '-e', '-m', '-n', '-p']);
  const at = text.indexOf(`pid=${pid},`);
  const drops = at === -1 ? undefined : /skmem:\([^)]*,d(\d+)\)/.exec(text.slice(at))?.[1];
  if (drops === undefined) throw new Error(`ss shows no packet socket of pid ${pid}: ${text}`);
  return Number(drops);
}

/** The drops on `pid`'s socket in each second until `flood` settles (the last second partly). */
async function dropsPerSecond(ns: Netns, pid: number, flood: Promise<unknown>): Promise<number[]> {
  let settled = false;
  const settle = () => (settled = true);
  flood.then(settle, settle);
  const counts = [await socketDrops(ns, pid)];
  for (let second = 1; !settled && second * 1000 <= FLOOD_TIMEOUT_MS; second++) {
    await sleep(1000);
    counts.push(await socketDrops(ns, pid));
  }
  return counts.slice(1).map((count, n) => count - counts[n]!);
}

/** SIGINT, then everything it printed once it has exited (bounded; the lab kills it otherwise). */
async function stop(running: Background): Promise<string> {
  const { child } = running;
  if (child.exitCode === null && child.signalCode === null) {
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    child.kill('SIGINT');
    await Promise.race([closed, sleep(STOP_TIMEOUT_MS)]);
  }
  if (child.exitCode === null && child.signalCode === null) {
    throw new Error(`${child.spawnargs.join(' ')} did not stop on SIGINT: ${running.output()}`);
  }
  return running.output();
}

/** Frames the receiving end of the veth has taken in so far. */
async function vethReceived(ns: Netns): Promise<number> {
  const [link] = JSON.parse(await ns.run('ip', ['-j', '-s', 'link', 'show', 'dev', 'veth1'])) as {
    stats64: { rx: { packets: number } };
  }[];
  return link!.stats64.rx.packets;
}

/** Everything `stream` delivers from now on (it is already in utf8 mode). */
function collect(stream: Readable): () => string {
  let text = '';
  stream.on('data', (chunk: string) => (text += chunk));
  return () => text;
}

/** The two ends of the veth and the flood's trafgen configuration. */
interface FloodLab {
  readonly sender: Netns;
  readonly receiver: Netns;
  readonly config: string;
}

/** `frames` ARP requests from the sender's veth0, as `SENDER_ARGS` says. */
function flood(lab: FloodLab, frames: number): Promise<{ seconds: number; framesPerSec: number }> {
  return trafgenFlood(lab.sender, 'veth0', lab.config, frames, FLOOD_TIMEOUT_MS, SENDER_ARGS);
}

/** One receiver under one fresh flood of `frames`: its figures, CPU and the flood's own. */
async function underFlood(
  lab: FloodLab,
  receiver: Receiver,
  frames: number,
): Promise<Record<string, unknown>> {
  const { background, stdout } = await start(lab.receiver, receiver);
  const pid = background.child.pid!;
  await sleep(SETTLE_MS);
  const vethBefore = await vethReceived(lab.receiver);
  const before = cpuTimes(pid);
  const flooding = flood(lab, frames);
  const drops = receiver.plainSocket ? await dropsPerSecond(lab.receiver, pid, flooding) : null;
  const flooded = await flooding;
  const busySeconds = await busyAfter(pid, performance.now());
  await sleep(TAIL_MS);
  const after = cpuTimes(pid);
  const system = after.system - before.system;
  const cpu = after.user - before.user + system;
  const vethDelivered = (await vethReceived(lab.receiver)) - vethBefore;
  const output = await stop(background);
  return {
    ...receiver.figures(stdout(), output, frames),
    cpuSeconds: round(cpu),
    cpuSystemSeconds: round(system),
    cpuPerFloodSecond: round(cpu / flooded.seconds),
    busyAfterFloodSeconds: round(busySeconds),
    flood: { seconds: round(flooded.seconds), framesPerSec: round(flooded.framesPerSec) },
    vethDelivered,
    ...(drops === null ? {} : { socketDropsPerSecond: drops }),
  };
}

/** A positive number from the environment, or undefined when unset. */
function optionalNumber(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new Error(`${name}: "${text}" is not a count`);
  return value;
}

const availability = netnsAvailability();
if (!availability.ok || !installed('trafgen')) {
  const skipped = availability.ok ? 'trafgen is not installed' : availability.reason;
  process.stdout.write(`${JSON.stringify({ bench: 'monitor', skipped })}\n`);
} else {
  const dir = mkdtempSync(join(tmpdir(), 'arpkit-bench-monitor-'));
  try {
    const result = await withLab(async (raw) => {
      const { sender, receiver } = await vethLab(raw, SENDER_MAC, RECEIVER_MAC);
      await receiver.addr('veth1', RECEIVER_CIDR);
      const config = join(dir, 'arp.cfg');
      writeFileSync(config, trafgenConfig(frameOf('arp', parseMac(SENDER_MAC))));
      const lab = { sender, receiver, config };
      let aloneRate: number | null = null;
      let frames = FIXED_FRAMES ?? (PACED_RATE ?? 0) * FLOOD_SECONDS;
      if (frames === 0) {
        aloneRate = (await flood(lab, CALIBRATION_FRAMES)).framesPerSec;
        frames = Math.round((aloneRate * FLOOD_SECONDS) / 1000) * 1000;
      }
      const loadBefore = loadavg()[0]!;
      const arpkit = await underFlood(lab, arpkitReceiver(), frames);
      const tcpdump = installed('tcpdump')
        ? await underFlood(lab, tcpdumpReceiver(), frames)
        : null;
      const arpwatch = installed('arpwatch')
        ? await underFlood(lab, arpwatchReceiver(join(dir, 'arp.dat')), frames)
        : null;
      return {
        bench: 'monitor',
        frameBytes: 60,
        framesPerFlood: frames,
        sender: `trafgen --cpus 1 ${SENDER_ARGS.join(' ') || '(TX ring)'}`,
        senderAloneFramesPerSec: aloneRate === null ? null : round(aloneRate),
        receiverCpu: RECEIVER_CPU.length === 0 ? null : 1,
        targetKernelDrops: 0,
        loadAverage1m: { before: round(loadBefore), after: round(loadavg()[0]!) },
        arpkit,
        tcpdump,
        arpwatch,
      };
    }, DEADLINE_MS);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    const findings = (result.arpkit as { findings: Record<string, number> }).findings;
    if ((findings['storm'] ?? 0) === 0) {
      process.stderr.write(`bench/monitor: arpkit found no storm in the flood\n`);
      process.exitCode = 1;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

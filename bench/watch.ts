/**
 * bench/watch: `arpkit watch` reacting to failovers, inside network namespaces. Prints one JSON
 * object.
 *
 * - Latency: the failover lab (`buildFailoverLab`, three guests the bridge has learned) with the
 *   daemon in the host namespace, `--schedule port-change=0`. `MOVES` moves of br0 between its
 *   uplinks (`ip link set upX nomaster`, then `ip link set upY master br0`), one every
 *   `MOVE_EVERY_MS`. The event is the time `ip -ts monitor link`, a second listener in the host
 *   namespace, stamps the first message that says upY has `master br0`; the frame is the first
 *   one tcpdump (`-i any`, µs stamps) sees going out on upY after the move began. Both clocks are
 *   CLOCK_REALTIME. Target p99 < 20 ms; fewer than `MIN_SAMPLES` measured moves exits 1. The
 *   daemon's own `firstFrameMs` (event batch received → first frame handed to the socket) is
 *   reported beside it as `inProcessMs`.
 * - Idle cost: CPU (utime + stime of /proc/PID/stat, % of one core) over `IDLE_MS` with nothing
 *   happening, target < 0.1 %, for that daemon and for a second one serving `--metrics` on the
 *   namespace's loopback; the finer per-thread `schedstat` run time beside it. RSS (VmRSS) after
 *   start and after the moves.
 *
 * Bounded by `DEADLINE_MS`; the daemons get SIGTERM and the namespaces are deleted whatever
 * happens (`withLab`).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildFailoverLab, type FailoverLab, HOST } from '../src/lab/failover.js';
import { type Background, type Netns, netnsAvailability, withLab } from '../src/lab/netns.js';
import { ARPKIT_BIN, installed, percentile, round } from './measure.js';

const MOVES = 200;
const MIN_SAMPLES = 190;
const MOVE_EVERY_MS = 150;
/** A move's event and frame are looked for from this long before its first command. */
const MATCH_SLACK_MS = 20;
const IDLE_MS = 10_000;
/** Start-up work (JIT, the first GCs) done before the first idle window opens. */
const SETTLE_MS = 2_000;
/**
 * When the steady idle window opens, from the daemon's start: V8's memory reducer runs a few
 * full GCs in the first ~20 s of a process that has stopped allocating, which is start-up cost.
 */
const STEADY_AFTER_MS = 22_000;
const DEADLINE_MS = 120_000;
const TARGET_P99_MS = 20;
const TARGET_IDLE_CPU_PERCENT = 0.1;
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** Wall-clock now, epoch ms (CLOCK_REALTIME, as `ip -ts` and tcpdump stamp). */
function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Samples in ms, summed up (nearest-rank percentiles). */
interface Summary {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
  readonly samples: number;
}

/** The summary of `samples`. */
function stats(samples: readonly number[]): Summary {
  const mean = samples.reduce((sum, value) => sum + value, 0) / samples.length;
  return {
    p50: round(percentile(samples, 50)),
    p99: round(percentile(samples, 99)),
    max: round(percentile(samples, 100)),
    mean: round(mean),
    samples: samples.length,
  };
}

/** `arpkit watch --json ARGS` in `ns`, once it logs that it is ready; checks its pid is node's. */
async function startDaemon(ns: Netns, args: readonly string[]): Promise<Background> {
  const daemon = ns.spawn(process.execPath, [ARPKIT_BIN, 'watch', '--json', ...args]);
  await daemon.waitFor(/"event":"ready"/, 10_000);
  // `ip netns exec` execs the command: the child's pid is the daemon's own.
  const exe = readlinkSync(`/proc/${daemon.child.pid}/exe`);
  if (exe !== readlinkSync('/proc/self/exe')) {
    throw new Error(`pid ${daemon.child.pid} is ${exe}, not node: cannot measure the daemon`);
  }
  return daemon;
}

/** SIGTERM, then its exit code (null if it had to be left to the lab's SIGKILL). */
async function stopDaemon(daemon: Background): Promise<number | null> {
  const { child } = daemon;
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  return Promise.race([exited, sleep(5_000).then(() => null)]);
}

/** CPU time of every thread of `pid`: utime + stime in clock ticks, and schedstat run time in ns. */
function cpuOf(pid: number): { ticks: number; runNs: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  let runNs = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      runNs += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // The thread ended between the listing and the read: its time is no longer counted anyway.
    }
  }
  return { ticks, runNs };
}

/** `status` field `name` (e.g. VmRSS) of `pid`, in MiB. */
function memoryMiB(pid: number, name: string): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1];
  if (kib === undefined) throw new Error(`/proc/${pid}/status has no ${name}`);
  return round(Number(kib) / 1024);
}

/** CPU use of each pid over the same `IDLE_MS`, in % of one core: from ticks and from schedstat. */
async function idleCpu(pids: readonly number[]): Promise<IdleCpu[]> {
  const before = pids.map(cpuOf);
  const started = performance.now();
  await sleep(IDLE_MS);
  const seconds = (performance.now() - started) / 1000;
  return pids.map((pid, n) => {
    const after = cpuOf(pid);
    return {
      ticks: round((100 * (after.ticks - before[n]!.ticks)) / CLK_TCK / seconds),
      schedstat: round((100 * (after.runNs - before[n]!.runNs)) / 1e9 / seconds),
    };
  });
}

/** % of one core over a window: from utime + stime (10 ms ticks), and from schedstat (ns). */
interface IdleCpu {
  readonly ticks: number;
  readonly schedstat: number;
}

/** One move: when its first command started, the uplink it moved to, when its last returned. */
interface Move {
  readonly start: number;
  readonly to: string;
  readonly returned: number;
}

/** Something stamped on a link: a join `ip monitor` saw, or a frame tcpdump saw leave. */
interface Stamp {
  /** Epoch ms. */
  readonly at: number;
  readonly link: string;
}

/** `MOVES` moves between the uplinks, each starting `MOVE_EVERY_MS` after the previous one. */
async function makeMoves(host: Netns, until: number): Promise<Move[]> {
  const moves: Move[] = [];
  const first = performance.now();
  for (let n = 0; n < MOVES; n++) {
    await sleep(first + n * MOVE_EVERY_MS - performance.now());
    if (wallMs() > until) throw new Error(`only ${n} of ${MOVES} moves before the deadline`);
    const [from, to] = n % 2 === 0 ? [HOST.uplinkA, HOST.uplinkB] : [HOST.uplinkB, HOST.uplinkA];
    const start = wallMs();
    await host.run('ip', ['link', 'set', from, 'nomaster']);
    await host.run('ip', ['link', 'set', to, 'master', HOST.bridge]);
    moves.push({ start, to, returned: wallMs() });
  }
  return moves;
}

/** `[2026-01-02T03:04:05.678901] 3: upB@if3: <…> … master br0 …` (not `Deleted …`). */
const JOINED =
  /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)\] \d+: ([^:@\s]+)(?:@[^:\s]+)?: <.* master (\S+) /;

/** `1795325622.702019 upB   Out ifindex 3 …`: a frame tcpdump -i any saw leave a link. */
const OUTGOING = /^(\d+)\.(\d{6}) (\S+)\s+Out /;

/** The links `ip -ts monitor link` (run with TZ=UTC) saw in `bridge`, when it saw them. */
function joinEvents(text: string, bridge: string): Stamp[] {
  const events: Stamp[] = [];
  for (const line of text.split('\n')) {
    const match = JOINED.exec(line);
    if (match === null || match[4] !== bridge) continue;
    events.push({ at: Date.parse(`${match[1]}Z`) + Number(match[2]) * 1000, link: match[3]! });
  }
  return events;
}

/** The frames tcpdump saw leave each link, when. */
function outgoingFrames(text: string): Stamp[] {
  const frames: Stamp[] = [];
  for (const line of text.split('\n')) {
    const match = OUTGOING.exec(line);
    if (match === null) continue;
    frames.push({ at: Number(match[1]) * 1000 + Number(match[2]) / 1000, link: match[3]! });
  }
  return frames;
}

/**
 * For each move, the first join event and the first frame on its uplink from its start (less
 * `MATCH_SLACK_MS`, for the two clocks) to the next move's.
 */
function matchMoves(
  moves: readonly Move[],
  events: readonly Stamp[],
  frames: readonly Stamp[],
): { move: Move; event: number | undefined; frame: number | undefined }[] {
  return moves.map((move, n) => {
    const from = move.start - MATCH_SLACK_MS;
    const to = (moves[n + 1]?.start ?? Number.POSITIVE_INFINITY) - MATCH_SLACK_MS;
    const inMove = (stamp: Stamp) => stamp.link === move.to && stamp.at >= from && stamp.at < to;
    return { move, event: events.find(inMove)?.at, frame: frames.find(inMove)?.at };
  });
}

/** The `firstFrameMs` and `frames` of every announcement the daemon logged. */
function announcements(log: string): { firstFrameMs: number; frames: number }[] {
  const records: { firstFrameMs: number; frames: number }[] = [];
  for (const line of log.split('\n')) {
    if (!line.includes('"event":"announce"')) continue;
    const record = JSON.parse(line) as { firstFrameMs?: number; frames: number };
    if (record.firstFrameMs !== undefined) {
      records.push({ firstFrameMs: record.firstFrameMs, frames: record.frames });
    }
  }
  return records;
}

/** The daemon's arguments: br0's own addresses and its guests, on whichever uplink is a port. */
const WATCH_ARGS: readonly string[] = [
  ...['--iface', HOST.bridge, '--guests', HOST.bridge],
  ...['--uplink', HOST.uplinkA, '--uplink', HOST.uplinkB],
  ...['--off', 'start', '--schedule', 'port-change=0'],
];

/**
 * Idle CPU of the daemon and of one serving metrics (just after start, and in the steady
 * window), then RSS and latency of the first over the moves. Stops both daemons with SIGTERM,
 * whatever happens.
 */
async function measure(lab: FailoverLab, until: number) {
  const { host } = lab;
  // The bridge learns the guests from their replies: the plan then has their RARPs too.
  for (const guest of lab.guests) {
    if ((await lab.ping(guest.ip, 1)) !== 1) throw new Error(`guest ${guest.ip} does not answer`);
  }
  const daemons: Background[] = [];
  try {
    const daemon = await startDaemon(host, WATCH_ARGS);
    daemons.push(daemon);
    const metered = await startDaemon(host, [...WATCH_ARGS, '--metrics', '127.0.0.1:0']);
    daemons.push(metered);
    const started = performance.now();
    const address = /metrics on http:\/\/(\S+)\/metrics/.exec(metered.output())?.[1];
    if (address === undefined) throw new Error(`no metrics address: ${metered.output()}`);
    if (installed('curl')) {
      // Served on the namespace's loopback (the lab sets lo up): one scrape before idling.
      await host.run('curl', ['-sf', '-o', '/dev/null', '-m', '5', `http://${address}/metrics`]);
    }
    await sleep(SETTLE_MS);
    const pid = daemon.child.pid!;
    const pids = [pid, metered.child.pid!];
    const rssAfterStart = memoryMiB(pid, 'VmRSS');
    const [startIdle, startIdleMetrics] = await idleCpu(pids);
    await sleep(started + STEADY_AFTER_MS - performance.now());
    const [idle, idleMetrics] = await idleCpu(pids);
    const meteredExit = await stopDaemon(metered);

    const monitor = host.spawn('env', ['TZ=UTC', 'ip', '-ts', 'monitor', 'link']);
    const dump = host.spawn('tcpdump', [
      ...['-i', 'any', '-n', '-l', '--immediate-mode', '-tt', '--time-stamp-precision=micro'],
      ...['-e', 'arp or rarp'],
    ]);
    await dump.waitFor(/listening on/, 10_000);
    const moves = await makeMoves(host, until);
    // The last move's schedule and the captures' output settle.
    await sleep(500);
    const rssAfterMoves = memoryMiB(pid, 'VmRSS');
    const rssPeak = memoryMiB(pid, 'VmHWM');
    const daemonExit = await stopDaemon(daemon);

    const events = joinEvents(monitor.output(), HOST.bridge);
    const matched = matchMoves(moves, events, outgoingFrames(dump.output()));
    const latency: number[] = [];
    const commandReturn: number[] = [];
    for (const { move, event, frame } of matched) {
      if (event !== undefined) commandReturn.push(move.returned - event);
      if (event !== undefined && frame !== undefined) latency.push(frame - event);
    }
    const logged = announcements(daemon.output());
    return {
      bench: 'watch',
      moves: MOVES,
      guests: lab.guests.length,
      framesPerAnnouncement: logged[0]?.frames ?? 0,
      eventToFirstFrameMs: { ...stats(latency), eventClock: 'ip -ts monitor' },
      inProcessMs: {
        ...stats(logged.map((record) => record.firstFrameMs)),
        from: 'event batch received',
      },
      targetP99Ms: TARGET_P99_MS,
      movesWithoutEvent: matched.filter((each) => each.event === undefined).length,
      movesWithoutFrame: matched.filter((each) => each.frame === undefined).length,
      framesBeforeEvent: latency.filter((ms) => ms < 0).length,
      eventToCommandReturnMs: stats(commandReturn),
      idleCpuPercent: idle!.ticks,
      idleCpuPercentWithMetrics: idleMetrics!.ticks,
      targetIdleCpuPercent: TARGET_IDLE_CPU_PERCENT,
      idleCpu: {
        seconds: IDLE_MS / 1000,
        tickMs: 1000 / CLK_TCK,
        fromStartS: STEADY_AFTER_MS / 1000,
        schedstat: { plain: idle!.schedstat, withMetrics: idleMetrics!.schedstat },
        justAfterStart: {
          fromStartS: SETTLE_MS / 1000,
          ticks: { plain: startIdle!.ticks, withMetrics: startIdleMetrics!.ticks },
          schedstat: { plain: startIdle!.schedstat, withMetrics: startIdleMetrics!.schedstat },
        },
      },
      rssMiB: { afterStart: rssAfterStart, afterMoves: rssAfterMoves, peak: rssPeak },
      daemonExit: { plain: daemonExit, withMetrics: meteredExit },
    };
  } finally {
    await Promise.all(daemons.map(stopDaemon));
  }
}

const availability = netnsAvailability();
if (!availability.ok) {
  process.stdout.write(`${JSON.stringify({ bench: 'watch', skipped: availability.reason })}\n`);
} else {
  // The moves must end before the lab's deadline, with time left to stop and tear down.
  const until = wallMs() + DEADLINE_MS - 15_000;
  const result = await withLab(
    async (raw) => measure(await buildFailoverLab(raw, { guests: 3 }), until),
    DEADLINE_MS,
  );
  process.stdout.write(`${JSON.stringify(result)}\n`);
  const { samples } = result.eventToFirstFrameMs;
  if (samples < MIN_SAMPLES) {
    process.stderr.write(
      `bench/watch: only ${samples} of ${MOVES} moves measured (${MIN_SAMPLES} needed)\n`,
    );
    process.exitCode = 1;
  }
}

/**
 * ARP trouble made by real tools in network namespaces, for the `analyze` and `monitor`
 * namespace tests, benchmarks and demos. Every scenario is a switch (a Linux bridge `sw` in its
 * own namespace) with stations on its ports; the bridge device is the observer: in promiscuous
 * mode it receives every frame the bridge forwards, unicast replies included, so tcpdump and
 * `arpkit monitor` listen there.
 *
 * ```
 *   station 1 ── p1 ┐
 *   station 2 ── p2 ┤ sw (switch namespace: tcpdump -i sw, arpkit monitor -i sw)
 *   …               ┘
 * ```
 *
 * The traffic comes from arping (Thomas Habets' arping 2.x, as `scripts/setup.sh` installs it:
 * `-0` probes from 0.0.0.0, `-U` announces, `-d` finds duplicate replies), trafgen and the
 * kernel's own neighbour resolution. IPv6 is off everywhere, so no ND frame joins in.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { FINDING_KINDS, isInfoKind, type TroubleKind } from '../monitor/finding.js';
import type { ReportJson } from '../monitor/report.js';
import { DEFAULT_THRESHOLDS } from '../monitor/thresholds.js';
import { arpFrame } from '../wire/compose.js';
import { parseIpv4 } from '../wire/ipv4.js';
import { MAC_BROADCAST, MAC_ZERO, parseMac } from '../wire/mac.js';
import type { Lab, Netns } from './netns.js';

/** The switch's bridge: where the observer listens. */
export const OBSERVED = 'sw';

/** The built command line, `bin/arpkit`, to run with node (inside a namespace for `monitor`). */
export const ARPKIT_BIN = fileURLToPath(new URL('../../../bin/arpkit', import.meta.url));

/** A station on the switch: its namespace (interface `eth0`), MAC and address, if any. */
export interface Station {
  readonly ns: Netns;
  readonly mac: string;
  readonly ip: string | undefined;
}

/** A switch and its stations, in the order asked for. */
export interface Segment {
  readonly observer: Netns;
  readonly stations: readonly Station[];
}

/** The trouble a scenario must make arpkit name, and the other kinds it may name beside it. */
export interface Expected {
  readonly shows: readonly TroubleKind[];
  readonly mayShow: readonly TroubleKind[];
}

/** What `report` (of `arpkit … --json`) misses of `expected`, or names beyond it; empty when right. */
export function kindProblems(report: ReportJson, expected: Expected): string[] {
  const problems: string[] = [];
  for (const kind of FINDING_KINDS) {
    const count = report.findings[kind];
    const wanted = (expected.shows as readonly string[]).includes(kind);
    const allowed = !isInfoKind(kind) && (expected.mayShow as readonly string[]).includes(kind);
    if (wanted && count === 0) problems.push(`no ${kind}`);
    if (!wanted && !allowed && count > 0) problems.push(`${count} unexpected ${kind}`);
  }
  return problems;
}

const IPV6_OFF = [
  '-qw',
  'net.ipv6.conf.all.disable_ipv6=1',
  'net.ipv6.conf.default.disable_ipv6=1',
];

/** A switch with one station per spec on ports p1, p2…; `cidr` is put on the station's eth0. */
export async function buildSegment(
  lab: Lab,
  specs: readonly { role: string; mac: string; cidr?: string }[],
): Promise<Segment> {
  const observer = await lab.addNamespace('switch');
  await observer.run('sysctl', IPV6_OFF);
  const stations: Station[] = [];
  for (const [i, spec] of specs.entries()) {
    const ns = await lab.addNamespace(spec.role);
    await ns.run('sysctl', IPV6_OFF);
    await lab.vethPair(ns, 'eth0', observer, `p${i + 1}`, { aMac: spec.mac });
    if (spec.cidr !== undefined) await ns.addr('eth0', spec.cidr);
    stations.push({ ns, mac: spec.mac, ip: spec.cidr?.split('/')[0] });
  }
  await lab.bridge(
    observer,
    OBSERVED,
    specs.map((_, i) => `p${i + 1}`),
  );
  return { observer, stations };
}

/** Habets' arping on the station's eth0; resolves its exit code (1: no reply, or duplicates with -d). */
async function arping(station: Station, args: readonly string[]): Promise<number> {
  const result = await station.ns.exec('arping', ['-i', 'eth0', ...args], 15_000);
  if (result.code > 1) throw new Error(`arping ${args.join(' ')}: ${result.stderr}`);
  return result.code;
}

/** One gratuitous ARP request (`arping -U`) for `ip` from the station: a claim that asks nothing. */
async function announce(station: Station, ip: string): Promise<void> {
  await arping(station, ['-U', '-S', ip, '-c', '1', '-W', '0.05', ip]);
}

/** 1. An RFC 5227 probe meeting the owner of its address, then one for a free address. */
export interface ProbeScenario extends Segment {
  readonly expected: Expected;
  readonly prober: Station;
  readonly owner: Station;
  readonly ownedIp: string;
  readonly freeIp: string;
  /** Two probes (`arping -0`) for the owned address, then two for the free one. */
  run(): Promise<void>;
}

/** Builds scenario 1: a prober without an address, an owner of 10.61.0.2. */
export async function probeScenario(lab: Lab): Promise<ProbeScenario> {
  const segment = await buildSegment(lab, [
    { role: 'prober', mac: '02:00:00:61:00:01' },
    { role: 'owner', mac: '02:00:00:61:00:02', cidr: '10.61.0.2/24' },
  ]);
  const [prober, owner] = segment.stations as [Station, Station];
  const scenario = { ...segment, prober, owner, ownedIp: owner.ip!, freeIp: '10.61.0.77' };
  return {
    ...scenario,
    // The owner's defence is also its first claim of the address.
    expected: { shows: ['probe-conflict'], mayShow: ['new-station'] },
    async run() {
      await arping(prober, ['-0', '-c', '2', '-W', '0.3', scenario.ownedIp]);
      await arping(prober, ['-0', '-c', '2', '-W', '0.3', scenario.freeIp]);
    },
  };
}

/** 2. Two stations configured with one address; a third asks for it and both answer. */
export interface DuplicateScenario extends Segment {
  readonly expected: Expected;
  readonly asker: Station;
  readonly first: Station;
  readonly second: Station;
  readonly ip: string;
  /** Three broadcast who-has (`arping -d -c 3`); resolves arping's verdict: it saw two MACs. */
  run(): Promise<{ duplicatesSeen: boolean }>;
}

/** Builds scenario 2: 10.62.0.10 on two stations, the asker at 10.62.0.1. */
export async function duplicateScenario(lab: Lab): Promise<DuplicateScenario> {
  const segment = await buildSegment(lab, [
    { role: 'asker', mac: '02:00:00:62:00:01', cidr: '10.62.0.1/24' },
    { role: 'first', mac: '02:00:00:62:00:0a', cidr: '10.62.0.10/24' },
    { role: 'second', mac: '02:00:00:62:00:0b', cidr: '10.62.0.10/24' },
  ]);
  const [asker, first, second] = segment.stations as [Station, Station, Station];
  return {
    ...segment,
    // Each answer moves the address's binding to the other MAC, as arpwatch would say too.
    expected: { shows: ['ip-conflict'], mayShow: ['new-station', 'changed-mac', 'flip-flop'] },
    asker,
    first,
    second,
    ip: '10.62.0.10',
    async run() {
      const code = await arping(asker, ['-d', '-c', '3', '-W', '0.2', '10.62.0.10']);
      return { duplicatesSeen: code === 1 };
    },
  };
}

/** 3. A virtual IP taken over cleanly by another station, and given back later. */
export interface TakeoverScenario extends Segment {
  readonly expected: Expected;
  readonly a: Station;
  readonly b: Station;
  readonly vip: string;
  /**
   * A holds the VIP and announces it; A drops it, B adds and announces it; `backAfterMs` after
   * A's announcement, B drops it and A takes it back and announces it again.
   */
  run(backAfterMs: number): Promise<void>;
}

/** Builds scenario 3: stations A (10.63.0.1) and B (10.63.0.2), the VIP 10.63.0.100. */
export async function takeoverScenario(lab: Lab): Promise<TakeoverScenario> {
  const segment = await buildSegment(lab, [
    { role: 'a', mac: '02:00:00:63:00:0a', cidr: '10.63.0.1/24' },
    { role: 'b', mac: '02:00:00:63:00:0b', cidr: '10.63.0.2/24' },
  ]);
  const [a, b] = segment.stations as [Station, Station];
  const vip = '10.63.0.100';
  const move = async (from: Station | undefined, to: Station) => {
    if (from !== undefined) await from.ns.run('ip', ['addr', 'del', `${vip}/24`, 'dev', 'eth0']);
    await to.ns.addr('eth0', `${vip}/24`);
    await announce(to, vip);
  };
  return {
    ...segment,
    expected: { shows: ['changed-mac', 'flip-flop'], mayShow: ['new-station'] },
    a,
    b,
    vip,
    async run(backAfterMs) {
      await move(undefined, a);
      const announced = performance.now();
      await move(a, b);
      await sleep(Math.max(0, backAfterMs - (performance.now() - announced)));
      await move(b, a);
    },
  };
}

/** 4. One station flooding broadcast who-has with trafgen. */
export interface StormScenario extends Segment {
  readonly expected: Expected;
  readonly sender: Station;
  /** `frames` requests, `gapUs` apart (trafgen's pacing is approximate), then quiet, then a mark. */
  run(frames: number, gapUs: number, configFile: string): Promise<void>;
}

/** How long a scenario waits after its traffic before its closing announcement. */
const QUIET_MS = 2_500;

/** Builds scenario 4: the sender 10.64.0.1 asks for 10.64.0.254, which nobody holds. */
export async function stormScenario(lab: Lab): Promise<StormScenario> {
  const segment = await buildSegment(lab, [
    { role: 'storm', mac: '02:00:00:64:00:01', cidr: '10.64.0.1/24' },
  ]);
  const [sender] = segment.stations as [Station];
  const mac = parseMac(sender.mac);
  const frame = arpFrame(
    { destination: MAC_BROADCAST, source: mac, vlans: [] },
    {
      op: 1,
      senderMac: mac,
      senderIp: parseIpv4(sender.ip!),
      targetMac: MAC_ZERO,
      targetIp: parseIpv4('10.64.0.254'),
    },
  );
  return {
    ...segment,
    // Its target never answers: one unanswered episode, as long as the storm.
    expected: { shows: ['storm'], mayShow: ['new-station', 'unanswered'] },
    sender,
    async run(frames, gapUs, configFile) {
      const bytes = Array.from(frame, (byte) => `0x${byte.toString(16).padStart(2, '0')}`);
      await writeFile(configFile, `{ ${bytes.join(', ')} }\n`);
      // One CPU; no socket memory sysctls, no IRQ affinity: nothing outside the namespace.
      const args = ['--no-sock-mem', '--notouch-irq', '--cpus', '1', '--dev', 'eth0'];
      const pacing = ['--conf', configFile, '-n', String(frames), '-t', `${gapUs}us`];
      await sender.ns.run('trafgen', [...args, ...pacing], 30_000);
      await closingMark(sender);
    },
  };
}

/**
 * Waits `QUIET_MS`, then the station announces its own address: a capture's reader sees time
 * pass the detectors' windows (a storm's quiet second, a burst's answers) as a live monitor
 * does, without a trouble of its own.
 */
async function closingMark(station: Station): Promise<void> {
  await sleep(QUIET_MS);
  await announce(station, station.ip!);
}

/** The router's time between tries of one resolution (three broadcast tries, mcast_solicit). */
export const RETRANS_MS = 500;

/**
 * The refresh scenario's time between its two rounds: the router is then silent for 0.75 s
 * more than the default retry-gap after its last try for an absent target (and longer than the
 * default burst-window and unanswered-timeout), so each round is a burst of its own and each
 * absent target's second round starts with a `retry-gap`, whatever the timers' jitter.
 */
export const REFRESH_GAP_MS = 2 * RETRANS_MS + DEFAULT_THRESHOLDS.retryGapMs + 750;

/** 5. A router's neighbour entries for many hosts going stale at once and re-validated together. */
export interface RefreshScenario extends Segment {
  readonly expected: Expected;
  readonly router: Station;
  readonly hosts: Station;
  /** Every address the router sends to, and those the hosts' namespace holds. */
  readonly targets: readonly string[];
  readonly present: readonly string[];
  /**
   * One UDP datagram to each target (the router resolves them all: broadcast who-has, three
   * tries for the absent ones); `gapMs` later (`REFRESH_GAP_MS`), once the answered entries are
   * STALE and the others FAILED (at least 1.5 s), the same datagrams again: unicast probes for the stale
   * entries, broadcast for the failed ones. Then quiet and a mark.
   */
  run(gapMs?: number): Promise<void>;
}

/**
 * Builds scenario 5 with `count` targets in 10.65.0.0/16, every other one present on the hosts.
 *
 * Linux has one ARP table for all namespaces: its gc_thresh2 (512) and gc_thresh3 (1024) count
 * every namespace's entries, the machine's own included, and raising them would change the
 * machine. So `count` stays under 512 (400 by default) rather than the thousands of a real
 * router. In the router only its own interface's parameters change: base_reachable_time_ms 1000
 * (entries go STALE 0.5–1.5 s after their answer), delay_first_probe_time 0 (a STALE entry in
 * use is probed at once, and one used within its reachable time goes STALE, not to DELAY), and
 * retrans_time_ms `RETRANS_MS`: Linux's default of 1 s between tries is exactly the detectors'
 * default burst-window, where timer jitter decides whether a try continues the burst; at 500 ms
 * each round is one burst and each resolution one unanswered episode.
 * gc_stale_time stays at 60 s: lowered, the periodic collection would delete the STALE entries,
 * and their re-validation would be broadcast, not unicast. The hosts know the router's MAC for
 * good, so they never ask for it.
 */
export async function refreshScenario(lab: Lab, count = 400): Promise<RefreshScenario> {
  if (count < 2 || count > 500) throw new RangeError('count: 2 to 500 (the shared ARP table)');
  const segment = await buildSegment(lab, [
    { role: 'router', mac: '02:00:00:65:00:01', cidr: '10.65.0.1/16' },
    { role: 'hosts', mac: '02:00:00:65:00:02', cidr: '10.65.0.2/16' },
  ]);
  const [router, hosts] = segment.stations as [Station, Station];
  const targets = Array.from({ length: count }, (_, i) => `10.65.${1 + (i >> 8)}.${i & 0xff}`);
  const present = targets.filter((_, i) => i % 2 === 0);
  await batch(
    hosts.ns,
    present.map((ip) => `addr add ${ip}/16 dev eth0`),
  );
  await hosts.ns.run('ip', [
    ...['neigh', 'replace', router.ip!, 'lladdr', router.mac, 'dev', 'eth0', 'nud', 'permanent'],
  ]);
  await router.ns.run('sysctl', [
    '-qw',
    'net.ipv4.neigh.eth0.base_reachable_time_ms=1000',
    'net.ipv4.neigh.eth0.delay_first_probe_time=0',
    `net.ipv4.neigh.eth0.retrans_time_ms=${RETRANS_MS}`,
  ]);
  // One process sends both rounds (one datagram per target to the discard port), so that the
  // gap between them is its timer's, not two process startups'.
  const rounds = (gapMs: number) =>
    `const s=require('dgram').createSocket('udp4');const t=${JSON.stringify(targets)};` +
    `let n=0;const round=()=>{for(const a of t)s.send('x',9,a,()=>{if(++n===2*t.length)s.close()})};` +
    `round();setTimeout(round,${gapMs});`;
  return {
    ...segment,
    // Asking for `count` targets within a second is over storm-sender-rate (50/s) for the router,
    // answering half of them for the hosts, and with the answers over storm-rate (500/s).
    // The absent targets' second round comes after a failed first one: a retry-gap each.
    expected: {
      shows: ['refresh-burst', 'unanswered', 'retry-gap'],
      mayShow: ['new-station', 'storm'],
    },
    router,
    hosts,
    targets,
    present,
    async run(gapMs = REFRESH_GAP_MS) {
      await router.ns.run(process.execPath, ['-e', rounds(gapMs)], gapMs + 15_000);
      // The absent targets' other two tries.
      await sleep(2 * RETRANS_MS);
      await closingMark(router);
    },
  };
}

/** `ip -b -` in `ns`: many iproute2 commands in one process. */
function batch(ns: Netns, commands: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile('ip', ['-n', ns.name, '-b', '-'], { timeout: 15_000 }, (error) =>
      error === null ? resolve() : reject(error),
    );
    child.stdin?.end(`${commands.join('\n')}\n`);
  });
}

/**
 * tcpdump on `iface` in `ns` writing ARP and RARP frames to `file`, until `stop()` (SIGINT), which
 * resolves tcpdump's counts. A short snapshot length and an 8 MiB buffer: in immediate mode
 * libpcap gives each frame a ring slot of the snapshot length, and with the default 256 KiB
 * slots the ring holds 8 frames, so a burst is dropped.
 */
export async function startCapture(
  ns: Netns,
  iface: string,
  file: string,
): Promise<{ stop(): Promise<{ captured: number; dropped: number }> }> {
  const args = ['-n', '-i', iface, '-s', '256', '-B', '8192', '--immediate-mode', '-U'];
  const dump = ns.spawn('tcpdump', [...args, '-w', file, 'arp or rarp']);
  await dump.waitFor(/listening on/, 10_000);
  return {
    async stop() {
      dump.child.kill('SIGINT');
      const text = await dump.waitFor(/packets dropped by kernel/, 10_000);
      const count = (what: string) => Number(new RegExp(`(\\d+) packets? ${what}`).exec(text)?.[1]);
      return { captured: count('captured'), dropped: count('dropped by kernel') };
    },
  };
}

/** One finding line of `arpkit … --json`. */
export interface JsonFinding {
  readonly type: 'finding';
  readonly kind: string;
  readonly ts: number;
  readonly key: string;
  readonly ip: string | null;
  readonly mac: string | null;
  readonly frames: readonly number[];
  readonly text: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

/** The monitor's report: the analyzer's, with each interface's frames and kernel counters. */
export type JsonReport = ReportJson & {
  readonly interfaces?: Readonly<
    Record<string, { frames: number; kernelPackets: number; kernelDrops: number }>
  >;
};

/** The finding lines and the report in what `arpkit analyze|monitor --json` printed. */
export function readArpkitJson(text: string): { findings: JsonFinding[]; report: JsonReport } {
  const lines = text.split('\n').filter((line) => line.startsWith('{'));
  const values = lines.map((line) => JSON.parse(line) as { type: string });
  const reports = values.filter((value) => value.type === 'report');
  if (reports.length !== 1) throw new Error(`expected one report in: ${text}`);
  const findings = values.filter((value) => value.type === 'finding') as JsonFinding[];
  return { findings, report: reports[0] as JsonReport };
}

/** Runs `arpkit ARGS` here, outside any namespace (for `analyze`); resolves whatever its status. */
export async function arpkitHere(
  args: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const run = promisify(execFile);
    const options = { timeout: 30_000, maxBuffer: 64 << 20 };
    const { stdout, stderr } = await run(process.execPath, [ARPKIT_BIN, ...args], options);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/**
 * The real kernel's side of the fidelity tests: per-device neighbour sysctls, the parameters the
 * kernel actually uses (`ip ntable`), neighbour entries (`ip neigh`), ping, the global ARP table
 * counters, and a lock that keeps the fidelity tests of several files from running at once.
 *
 * Every sysctl written here is per device and per namespace (`net.ipv4.neigh.<dev>.*`,
 * `net.ipv4.conf.<dev>.*`) in a namespace the test made; the global gc_thresh1/2/3 are only read.
 */
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LINUX_DEFAULTS, type LinuxParams } from '../neighbour/linux-params.js';
import type { Background, Netns } from '../../testing/netns.js';

/** Now, as epoch ms with sub-millisecond precision: the clock tcpdump and ping stamp with. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Sets sysctls in `ns`: keys without the `net.ipv4.` prefix, e.g. `neigh.eth0.retrans_time_ms`. */
export async function setSysctls(
  ns: Netns,
  values: Readonly<Record<string, number | string>>,
): Promise<void> {
  const pairs = Object.entries(values).map(([key, value]) => `net.ipv4.${key}=${value}`);
  await ns.run('sysctl', ['-qw', ...pairs]);
}

/** IPv6 off in `ns`: no router or neighbour solicitation, no MLD report joins the ARP traffic. */
export async function ipv6Off(ns: Netns): Promise<void> {
  const keys = ['all', 'default'].map((dev) => `net.ipv6.conf.${dev}.disable_ipv6=1`);
  await ns.run('sysctl', ['-qw', ...keys]);
}

/** A device's neighbour parameters as the kernel holds them, and its current reachable time. */
export interface KernelNeighParams {
  /** The LinuxTable parameters they amount to (the rest LINUX_DEFAULTS; gc_thresh* global). */
  readonly params: LinuxParams;
  /** The reachable time the kernel drew from base_reachable_time for this device, in ms. */
  readonly reachableMs: number;
}

/**
 * Reads `ip ntable show dev IFACE name arp_cache` (times in ms there, whatever unit each sysctl
 * takes), `mcast_resolicit` and `arp_accept`, and the global thresholds.
 */
export async function kernelNeighParams(ns: Netns, iface: string): Promise<KernelNeighParams> {
  const text = await ns.run('ip', ['ntable', 'show', 'dev', iface, 'name', 'arp_cache']);
  const field = (name: string): number => {
    const match = new RegExp(`\\b${name} (\\d+)`).exec(text);
    if (match?.[1] === undefined) throw new Error(`ip ntable: no ${name} in ${text}`);
    return Number(match[1]);
  };
  const keys = [`net.ipv4.neigh.${iface}.mcast_resolicit`, `net.ipv4.conf.${iface}.arp_accept`];
  const [resolicit, accept] = (await ns.run('sysctl', ['-n', ...keys])).trim().split(/\s+/);
  const thresholds = globalThresholds();
  const arpAccept = Number(accept);
  if (arpAccept !== 0 && arpAccept !== 1 && arpAccept !== 2)
    throw new Error(`arp_accept of ${iface} is ${accept}`);
  return {
    reachableMs: field('reachable'),
    params: {
      ...LINUX_DEFAULTS,
      base_reachable_time_ms: field('base_reachable'),
      retrans_time_ms: field('retrans'),
      gc_stale_time_ms: field('gc_stale'),
      delay_first_probe_time_ms: field('delay_probe'),
      ucast_solicit: field('ucast_probes'),
      mcast_solicit: field('mcast_probes'),
      mcast_resolicit: Number(resolicit),
      locktime_ms: field('locktime'),
      arp_accept: arpAccept,
      ...thresholds,
    },
  };
}

/** gc_thresh1/2/3: global (init_net's `default`), read and never written. */
export function globalThresholds(): Pick<LinuxParams, 'gc_thresh1' | 'gc_thresh2' | 'gc_thresh3'> {
  const read = (name: string) =>
    Number(readFileSync(`/proc/sys/net/ipv4/neigh/default/${name}`, 'utf8').trim());
  return {
    gc_thresh1: read('gc_thresh1'),
    gc_thresh2: read('gc_thresh2'),
    gc_thresh3: read('gc_thresh3'),
  };
}

/** One neighbour entry as `ip -j neigh` shows it. */
export interface KernelNeighbour {
  readonly state: string;
  readonly lladdr: string | undefined;
}

/** The entry for `ip` on `iface`, if there is one. */
export async function kernelNeighbour(
  ns: Netns,
  iface: string,
  ip: string,
): Promise<KernelNeighbour | undefined> {
  const json = await ns.run('ip', ['-j', 'neigh', 'show', ip, 'dev', iface]);
  const entry = (JSON.parse(json || '[]') as { lladdr?: string; state?: string[] }[])[0];
  if (entry === undefined) return undefined;
  return { state: (entry.state ?? []).join(','), lladdr: entry.lladdr };
}

/** How long a stopped background command may take to exit before its output is read anyway. */
const STOP_WAIT_MS = 2_000;

/** Stops `background` (SIGTERM) if it still runs, waits for it a moment, and returns its output. */
export async function stopBackground(background: Background): Promise<string> {
  const child = background.child;
  if (child.exitCode === null && child.signalCode === null) {
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    child.kill('SIGTERM');
    await Promise.race([closed, sleep(STOP_WAIT_MS)]);
  }
  return background.output();
}

/** One line of ping's output that concerns a packet: its reply or its error, with ping's stamp. */
export interface PingEvent {
  readonly seq: number;
  /** Epoch ms (`ping -D`). */
  readonly time: number;
  readonly kind: 'reply' | 'unreachable';
}

/** `ping -D -n -i INTERVAL -c COUNT ip` in the background. */
export function startPing(ns: Netns, ip: string, intervalS: number, count: number): Background {
  return ns.spawn('ping', ['-D', '-n', '-i', String(intervalS), '-c', String(count), ip]);
}

/** The replies and "Destination Host Unreachable" errors of ping -D output, in order. */
export function pingEvents(output: string): PingEvent[] {
  const events: PingEvent[] = [];
  for (const line of output.split('\n')) {
    const match = /^\[(\d+\.\d+)\] (.*)icmp_seq=(\d+)(.*)$/.exec(line);
    if (match === null) continue;
    const [, stamp, before, seq, after] = match;
    const kind = before!.includes('bytes from')
      ? 'reply'
      : /Destination Host Unreachable/.test(after!)
        ? 'unreachable'
        : undefined;
    if (kind !== undefined) events.push({ seq: Number(seq), time: Number(stamp) * 1000, kind });
  }
  return events;
}

/** The kernel ARP table's counters (`/proc/net/stat/arp_cache`, global, read in init_net). */
export interface ArpCacheStats {
  /** Entries of every namespace, permanent ones included (`tbl->entries`). */
  readonly entries: number;
  readonly allocs: number;
  readonly destroys: number;
  readonly forcedGcRuns: number;
  /** Allocations refused: "neighbor table overflow!". */
  readonly tableFulls: number;
}

/** Reads the counters: `entries` is the same on every CPU's line, the others are summed. */
export function arpCacheStats(path = '/proc/net/stat/arp_cache'): ArpCacheStats {
  const [header, ...rows] = readFileSync(path, 'utf8').trim().split('\n');
  const names = header!.trim().split(/\s+/);
  const column = (name: string) => {
    const at = names.indexOf(name);
    if (at < 0) throw new Error(`${path}: no column ${name}`);
    return rows.map((row) => parseInt(row.trim().split(/\s+/)[at]!, 16));
  };
  const sum = (name: string) => column(name).reduce((a, b) => a + b, 0);
  return {
    entries: column('entries')[0] ?? 0,
    allocs: sum('allocs'),
    destroys: sum('destroys'),
    forcedGcRuns: sum('forced_gc_runs'),
    tableFulls: sum('table_fulls'),
  };
}

const LOCK_DIR = join(tmpdir(), 'arpkit-fidelity.lock');
/** A lock directory without its owner's pid file this long is left from a crash. */
const LOCK_ORPHAN_MS = 5_000;
const LOCK_POLL_MS = 100;

/**
 * Runs `body` while holding a lock shared by every fidelity test process: one of them fills
 * the kernel's global neighbour table (gc_thresh3), which would make the others' resolutions
 * fail, and the timings of all of them are measured best alone. Waits at most `waitMs`; a lock
 * whose owner process is gone is taken over.
 */
export async function exclusive<T>(body: () => Promise<T>, waitMs: number): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      writeFileSync(join(LOCK_DIR, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (lockOrphaned()) {
        rmSync(LOCK_DIR, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new Error(`fidelity lock ${LOCK_DIR} still held after ${waitMs} ms`);
      await sleep(LOCK_POLL_MS);
    }
  }
  try {
    return await body();
  } finally {
    rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

/** Whether the lock's owner is gone (or never wrote its pid and the lock is old). */
function lockOrphaned(): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(LOCK_DIR, 'pid'), 'utf8'));
  } catch {
    try {
      return Date.now() - statSync(LOCK_DIR).mtimeMs > LOCK_ORPHAN_MS;
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * A neighbour entry's state over time, as the kernel shows it, two ways: `ip neigh show` polled
 * inside the namespace by a bounded shell loop (every `periodMs`, at most `maxSamples` times),
 * which sees every state but only to the period plus a fork or two; and `ip monitor neigh`,
 * stamped by the kernel's notification to the microsecond, which never reports DELAY
 * (neigh_timer_handler and __neigh_event_send enter it without a notification).
 */
import type { Netns } from '../../testing/netns.js';
import { stopBackground } from './kernel.js';

/** The entry's state from `time` (epoch ms) on: e.g. REACHABLE; `NONE` for no entry. */
export interface StateChange {
  readonly time: number;
  readonly state: string;
  readonly lladdr: string | undefined;
  /** Polled: how many samples in a row saw it. */
  samples?: number;
}

/** A running poll; `stop` ends it and returns the changes. */
export interface NeighWatch {
  stop(): Promise<StateChange[]>;
}

const MARK = '--';

/** Starts polling the entry for `ip` on `iface` in `ns`. */
export async function watchNeighbour(
  ns: Netns,
  iface: string,
  ip: string,
  periodMs = 20,
  maxSamples = 1000,
): Promise<NeighWatch> {
  if (!/^[0-9.]+$/.test(ip) || !/^[a-z0-9]+$/.test(iface))
    throw new RangeError(`watchNeighbour: ${ip} on ${iface}`);
  const script = [
    'n=0',
    `while [ $n -lt ${maxSamples} ]; do`,
    `ip neigh show ${ip} dev ${iface}; date +%s.%N; echo ${MARK}`,
    `n=$((n+1)); sleep ${periodMs / 1000}`,
    'done',
  ].join('\n');
  const poll = ns.spawn('sh', ['-c', script]);
  await poll.waitFor(new RegExp(`^${MARK}$`, 'm'), 10_000);
  return {
    async stop() {
      return stateChanges(await stopBackground(poll));
    },
  };
}

/**
 * Parses the loop's output (zero or one `ip neigh` line, the stamp taken after it, the mark)
 * into state changes. A change's time is when it was first seen, so never before it happened.
 */
export function stateChanges(output: string): StateChange[] {
  const changes: StateChange[] = [];
  const blocks = output.split(`\n${MARK}\n`);
  for (const block of blocks) {
    const lines = block.replace(/^\n+/, '').split('\n');
    const stamp = lines.pop();
    const line = lines[0];
    if (stamp === undefined || !/^\d+\.\d+$/.test(stamp)) continue;
    const words = (line ?? '').trim().split(/\s+/).filter(Boolean);
    const state = words.length === 0 ? 'NONE' : words[words.length - 1]!;
    const at = words.indexOf('lladdr');
    const lladdr = at >= 0 ? words[at + 1] : undefined;
    const last = changes[changes.length - 1];
    if (last?.state === state && last.lladdr === lladdr) last.samples = (last.samples ?? 1) + 1;
    else changes.push({ time: Number(stamp) * 1000, state, lladdr, samples: 1 });
  }
  return changes;
}

/**
 * Starts `ip -ts monitor neigh` in `ns` (in UTC, so its stamps read as epoch time) and resolves
 * once it runs; `stop` returns the notified changes of the entry for `ip`.
 */
export async function monitorNeighbour(ns: Netns, ip: string): Promise<NeighWatch> {
  const monitor = ns.spawn('env', ['TZ=UTC', 'ip', '-ts', 'monitor', 'neigh']);
  // It prints nothing until an event: give it a moment to subscribe.
  await new Promise((resolve) => setTimeout(resolve, 100));
  return {
    async stop() {
      const child = monitor.child;
      if (child.exitCode === null && child.signalCode === null) {
        const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
        child.kill('SIGTERM');
        await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2_000))]);
      }
      return notifiedChanges(monitor.output(), ip);
    },
  };
}

/** Parses `ip -ts monitor neigh` lines about `ip` (`[2026-11-22T10:37:39.205165] 10.9.0.2 …`). */
export function notifiedChanges(output: string, ip: string): StateChange[] {
  const changes: StateChange[] = [];
  for (const line of output.split('\n')) {
    const match = /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{6})\] (Deleted )?(\S+) (.*)$/.exec(
      line,
    );
    if (match === null || match[4] !== ip) continue;
    const [, seconds, micros, deleted, , rest] = match;
    const words = rest!.trim().split(/\s+/);
    const at = words.indexOf('lladdr');
    changes.push({
      time: Date.parse(`${seconds}Z`) + Number(micros) / 1000,
      state: deleted === undefined ? words[words.length - 1]! : 'NONE',
      lladdr: at >= 0 ? words[at + 1] : undefined,
    });
  }
  return changes;
}

/** States the kernel enters without a notification; only polling sees them. */
const UNNOTIFIED = new Set(['DELAY', 'INCOMPLETE']);

/**
 * One timeline from both views: every notified change, and the DELAY and INCOMPLETE only
 * polling sees, when two samples in a row saw them. Such a change is stamped after it was first
 * seen, so after the notified change before it, and the state outlived that stamp, so before
 * the notified change after it: the merged order is right. (A state of microseconds, the
 * INCOMPLETE of an answered request, is left out.)
 */
export function timeline(
  notified: readonly StateChange[],
  polled: readonly StateChange[],
): StateChange[] {
  const unnotified = polled.filter((c) => UNNOTIFIED.has(c.state) && (c.samples ?? 1) >= 2);
  const all = [...notified, ...unnotified];
  all.sort((a, b) => a.time - b.time);
  return all.filter((change, i) => i === 0 || all[i - 1]!.state !== change.state);
}

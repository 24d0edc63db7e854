/**
 * Fidelity 2: a resolved entry's life with short timers (base_reachable_time 2 s, delay 1 s,
 * retrans 250 ms). The kernel draws its reachable time once per device, uniformly in
 * [base/2, 3·base/2) (`ip ntable` shows the draw), and its timer wheel rounds the expiry up
 * (by up to 256 ms at HZ=250 past 2 s); the twin is calibrated to what REACHABLE lasted, so
 * what follows is compared exactly: STALE, DELAY on the next packet, PROBE with unicast probes
 * to the cached MAC, REACHABLE again on the answer, or FAILED without one.
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ArpOp } from '../../wire/arp.js';
import { parseIpv4 } from '../../wire/ipv4.js';
import { MAC_BROADCAST, parseMac } from '../../wire/mac.js';
import { Flow } from '../flow.js';
import type { LinuxParams } from '../neighbour/linux-params.js';
import { fromMs, MILLISECOND } from '../units.js';
import { assertTime, assertTimes, report } from './compare.js';
import { fidelityTest, fidelityTools } from './harness.js';
import type { Lab, Netns } from '../../testing/netns.js';
import { epochMs, kernelNeighParams, setSysctls, startPing } from './kernel.js';
import { arpOnly, type CapturedFrame, isBroadcast, startCapture } from './kernel-capture.js';
import { bridgedSegment, STATION_IF } from './kernel-lab.js';
import { monitorNeighbour, type StateChange, timeline, watchNeighbour } from './neigh-watch.js';
import {
  arpLog,
  calibratedBase,
  packetsAt,
  runWatching,
  type Segment,
  segment,
  type SimStateChange,
} from './sim-twin.js';

const LAB_MS = 30_000;
const tools = fidelityTools(LAB_MS);

const A = { role: 'asker', ip: '10.72.0.1', mac: '02:f2:00:00:00:01' };
const B = { role: 'answerer', ip: '10.72.0.2', mac: '02:f2:00:00:00:02' };
const MASK = 0xffff_ff00;
const NEIGH = {
  base_reachable_time_ms: 2_000,
  delay_first_probe_time: 1,
  retrans_time_ms: 250,
  ucast_solicit: 3,
  mcast_solicit: 3,
  app_solicit: 0,
  mcast_resolicit: 0,
};
const IPV4 = 0x0800;
const PING_INTERVAL_MS = 100;

/**
 * The kernel's side: A's frames, and its entry for B both polled (every state, ±25 ms) and as
 * notified (exact, no DELAY); times stay epoch ms, `origin` is A's first broadcast request.
 */
interface Measured {
  readonly origin: number;
  readonly frames: readonly CapturedFrame[];
  /** The entry's changes, notified and polled (`timeline`). */
  readonly states: readonly StateChange[];
}

/** Watches A while `act` runs. */
async function observe(a: Netns, filter: string, act: () => Promise<void>): Promise<Measured> {
  const capture = await startCapture(a, STATION_IF, filter);
  const monitor = await monitorNeighbour(a, B.ip);
  const poll = await watchNeighbour(a, STATION_IF, B.ip);
  await act();
  const frames = await capture.stop();
  const notified = await monitor.stop();
  const polled = await poll.stop();
  return { origin: originOf(frames), frames, states: timeline(notified, polled) };
}

/**
 * A and B on a bridge, the short timers on both. B knows A for good (`nud permanent`), so it
 * never asks: its echo replies would otherwise make its own entry for A probe, and A's replies
 * to those probes would join A's capture. The twin's B sends nothing either.
 */
async function abSegment(lab: Lab): Promise<[Netns, Netns]> {
  const { stations } = await bridgedSegment(lab, [A, B], 24, NEIGH);
  const [a, b] = [stations[0]!, stations[1]!];
  const entry = ['neigh', 'replace', A.ip, 'lladdr', A.mac, 'dev', STATION_IF];
  await b.run('ip', [...entry, 'nud', 'permanent']);
  return [a, b];
}

/** The twin of the segment with A's parameters, its reachable time drawn as `reachableMs`. */
function twinOf(params: LinuxParams, reachableMs: number, endMs: number): Segment {
  const a = { ...params, base_reachable_time_ms: calibratedBase(reachableMs) };
  return segment(
    [
      { name: 'a', ip: A.ip, mac: A.mac, params: a },
      { name: 'b', ip: B.ip, mac: B.mac, params },
    ],
    endMs,
    MASK,
  );
}

/** States from the first REACHABLE on, without PROBE if `dropProbe` (an answered one lasts µs). */
function sequence(states: readonly { state: string }[], dropProbe: boolean): string[] {
  const names = states.map((s) => s.state);
  const from = names.indexOf('REACHABLE');
  return names.slice(from < 0 ? names.length : from).filter((s) => !dropProbe || s !== 'PROBE');
}

/** How long the first REACHABLE lasted (to the next change), in ms; NaN if it did not end. */
function reachableFor(states: readonly (StateChange | SimStateChange)[]): number {
  const at = states.findIndex((s) => s.state === 'REACHABLE');
  const next = states[at + 1];
  return at < 0 || next === undefined ? Number.NaN : next.time - states[at]!.time;
}

/** Asserts the twin's first REACHABLE lasted what the kernel's did (`calibratedBase` held). */
function assertCalibrated(kernelMs: number, simStates: readonly SimStateChange[]): void {
  const simMs = reachableFor(simStates);
  assert.ok(Math.abs(simMs - kernelMs) <= 2, `REACHABLE lasted ${kernelMs} ms, sim ${simMs} ms`);
}

/** When `state` began the `nth` time (from 0), relative to `origin`; NaN if it never did. */
function began(
  states: readonly (StateChange | SimStateChange)[],
  state: string,
  origin = 0,
  nth = 0,
): number {
  const at = states.filter((s) => s.state === state)[nth];
  return at === undefined ? Number.NaN : at.time - origin;
}

/** A's first broadcast request for B: where the kernel's times start. */
function originOf(frames: readonly CapturedFrame[]): number {
  const aMac = parseMac(A.mac);
  const first = arpOnly(frames).find((f) => f.source === aMac && isBroadcast(f));
  assert.ok(first !== undefined, 'A sent no broadcast request');
  return first.time;
}

describe('fidelity: REACHABLE → STALE → DELAY → PROBE (namespaces vs sim)', () => {
  fidelityTest(
    'idle: STALE when REACHABLE lapses, DELAY on a packet, REACHABLE on an answered unicast probe',
    tools,
    LAB_MS,
    async (lab, note) => {
      const [a] = await abSegment(lab);
      const { params, reachableMs } = await kernelNeighParams(a, STATION_IF);
      const base = params.base_reachable_time_ms;
      assert.ok(reachableMs >= base / 2 && reachableMs < (3 * base) / 2, `drawn ${reachableMs}`);

      const measured = await observe(a, 'arp or icmp', async () => {
        await a.run('ping', ['-n', '-c', '1', '-W', '1', B.ip]);
        await sleep(reachableMs + 500);
        await a.run('ping', ['-n', '-c', '1', '-W', '1', B.ip]);
        await sleep(params.delay_first_probe_time_ms + 600);
      });
      const { origin, frames, states } = measured;
      const lasted = reachableFor(states);
      const aMac = parseMac(A.mac);
      const echoes = frames.filter((f) => f.source === aMac && f.ethertype === IPV4);
      assert.equal(echoes.length, 2, 'two echo requests');
      const probes = arpOnly(frames).filter(
        (f) => f.source === aMac && f.op === ArpOp.REQUEST && !isBroadcast(f),
      );
      const endMs = states[states.length - 1]!.time - origin + 300;

      const twin = twinOf(params, lasted, endMs);
      const host = twin.hosts.get('a')!;
      const log = arpLog(host.port);
      packetsAt(twin.world, host, parseIpv4(B.ip), [0, echoes[1]!.time - origin]);
      const simStates = runWatching(twin.world, host, parseIpv4(B.ip), endMs);
      assertCalibrated(lasted, simStates);
      const simProbes = log.filter(
        ({ frame }) =>
          frame.source === host.mac &&
          frame.op === ArpOp.REQUEST &&
          frame.destination !== MAC_BROADCAST,
      );

      const kernel = {
        states: sequence(states, true),
        stale: began(states, 'STALE', origin),
        delay: began(states, 'DELAY', origin),
        probes: probes.map((f) => f.time - origin),
        reachableAgain: began(states, 'REACHABLE', origin, 1),
      };
      const sim = {
        states: sequence(simStates, true),
        stale: began(simStates, 'STALE'),
        delay: began(simStates, 'DELAY'),
        probes: simProbes.map((p) => p.time),
        reachableAgain: began(simStates, 'REACHABLE', 0, 1),
      };
      note(
        `reachable time: drawn ${reachableMs} ms (base ${base} ms), lasted ${lasted.toFixed(1)} ms`,
      );
      for (const key of Object.keys(kernel) as (keyof typeof kernel)[])
        note(report(key, kernel[key], sim[key]));
      const retrans = params.retrans_time_ms;
      assert.deepEqual(kernel.states, ['REACHABLE', 'STALE', 'DELAY', 'REACHABLE']);
      assert.deepEqual(sim.states, kernel.states);
      assertTime('STALE', kernel.stale, sim.stale, retrans);
      assertTime('DELAY', kernel.delay, sim.delay, retrans);
      assertTimes('unicast probes', kernel.probes, sim.probes, retrans);
      assertTime('REACHABLE again', kernel.reachableAgain, sim.reachableAgain, retrans);
    },
  );

  fidelityTest(
    'busy, answers blocked: STALE, DELAY on the next packet, ucast_solicit unicast probes, FAILED',
    tools,
    LAB_MS,
    async (lab, note) => {
      const [a, b] = await abSegment(lab);
      const { params, reachableMs } = await kernelNeighParams(a, STATION_IF);
      const retrans = params.retrans_time_ms;

      let blockedAt = 0;
      const probing = params.delay_first_probe_time_ms + params.ucast_solicit * retrans;
      const measured = await observe(a, 'arp', async () => {
        startPing(a, B.ip, PING_INTERVAL_MS / 1000, 100);
        await sleep(300);
        blockedAt = epochMs();
        // arp_ignore 8: B answers no ARP request at all (and learns nothing from them).
        await setSysctls(b, { [`conf.${STATION_IF}.arp_ignore`]: 8 });
        await sleep(reachableMs + probing + 600);
      });
      const { origin, states } = measured;
      const frames = arpOnly(measured.frames);
      const lasted = reachableFor(states);
      const aMac = parseMac(A.mac);
      const fromA = frames.filter((f) => f.source === aMac && f.op === ArpOp.REQUEST);
      const probes = fromA.filter((f) => !isBroadcast(f));
      const failedAt = began(states, 'FAILED', origin);
      const rebroadcast = fromA.find((f) => isBroadcast(f) && f.time - origin > failedAt);
      const endMs = states[states.length - 1]!.time - origin + 200;

      const twin = twinOf(params, lasted, endMs);
      const host = twin.hosts.get('a')!;
      const other = twin.hosts.get('b')!;
      const log = arpLog(host.port);
      const spec = {
        name: 'ping',
        to: parseIpv4(B.ip),
        interval: PING_INTERVAL_MS * MILLISECOND,
        start: 0,
      };
      const flow = new Flow(0, spec, host, twin.world.engine);
      twin.world.flows.push(flow);
      flow.start(fromMs(endMs));
      twin.world.engine.at(fromMs(blockedAt - origin), () => other.removeIp(parseIpv4(B.ip)));
      const simStates = runWatching(twin.world, host, parseIpv4(B.ip), endMs);
      assertCalibrated(lasted, simStates);
      const simFromA = log.filter(
        ({ frame }) => frame.source === host.mac && frame.op === ArpOp.REQUEST,
      );
      const simProbes = simFromA.filter(({ frame }) => frame.destination !== MAC_BROADCAST);
      const simFailed = began(simStates, 'FAILED');
      const simRebroadcast = simFromA.find(
        ({ frame, time }) => frame.destination === MAC_BROADCAST && time > simFailed,
      );

      const upTo = (names: string[]) => names.slice(0, names.indexOf('FAILED') + 2);
      const kernel = {
        states: upTo(sequence(states, false)),
        stale: began(states, 'STALE', origin),
        delay: began(states, 'DELAY', origin),
        probe: began(states, 'PROBE', origin),
        probes: probes.map((f) => f.time - origin),
        failed: failedAt,
        rebroadcast: (rebroadcast?.time ?? Number.NaN) - origin,
      };
      const sim = {
        states: upTo(sequence(simStates, false)),
        stale: began(simStates, 'STALE'),
        delay: began(simStates, 'DELAY'),
        probe: began(simStates, 'PROBE'),
        probes: simProbes.map((p) => p.time),
        failed: simFailed,
        rebroadcast: simRebroadcast?.time ?? Number.NaN,
      };
      note(
        `reachable time: drawn ${reachableMs} ms, lasted ${lasted.toFixed(1)} ms; ` +
          `B blocked at ${(blockedAt - origin).toFixed(1)} ms`,
      );
      for (const key of Object.keys(kernel) as (keyof typeof kernel)[])
        note(report(key, kernel[key], sim[key]));
      assert.deepEqual(
        kernel.states,
        ['REACHABLE', 'STALE', 'DELAY', 'PROBE', 'FAILED', 'INCOMPLETE'],
        'kernel states',
      );
      assert.equal(kernel.probes.length, params.ucast_solicit);
      assertTime('DELAY', kernel.delay, sim.delay, retrans);
      assertTime('PROBE', kernel.probe, sim.probe, retrans);
      assertTimes('unicast probes', kernel.probes, sim.probes, retrans);
      assertTime('FAILED', kernel.failed, sim.failed, retrans);
      assertTime('broadcast after FAILED', kernel.rebroadcast, sim.rebroadcast, retrans);
      // Linux's output for a NUD_CONNECTED entry takes the cached header (neigh_hh_output) and
      // never touches `used`, so a busy REACHABLE entry expires to STALE and the next packet
      // makes it DELAY, as an idle one does.
      assert.deepEqual(sim.states, kernel.states, 'states, kernel vs sim');
      assertTime('STALE', kernel.stale, sim.stale, retrans);
    },
  );
});

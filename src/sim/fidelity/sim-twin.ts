/**
 * The simulator's side of the fidelity tests: the namespaces' topology rebuilt in a `World`,
 * with the same addresses, MACs and neighbour parameters, run from a fixed seed, and read the
 * way the kernel is read (the ARP frames on a port; an entry's state over time).
 */
import { type Ipv4, parseIpv4 } from '../../wire/ipv4.js';
import { type Mac, parseMac } from '../../wire/mac.js';
import { FrameKind, type SimFrame } from '../frame.js';
import type { Host } from '../host.js';
import type { Link, Port } from '../link.js';
import { LinuxTable } from '../neighbour/linux.js';
import type { LinuxParams } from '../neighbour/linux-params.js';
import { Random } from '../random.js';
import type { Switch } from '../switch.js';
import { type Nanos, MICROSECOND, MILLISECOND, fromMs } from '../units.js';
import { World } from '../world.js';

/** The seed of every twin: one seed, one run. */
export const TWIN_SEED = 20_240_611;
/** One-way latency of a simulated veth: a frame crosses one between namespaces in microseconds. */
export const VETH_LATENCY: Nanos = 10 * MICROSECOND;

/** A host of a twin, named and addressed as in the namespaces. */
export interface TwinHostSpec {
  readonly name: string;
  /** Dotted quad. */
  readonly ip: string;
  /** `aa:bb:cc:dd:ee:ff`. */
  readonly mac: string;
  readonly params: LinuxParams;
}

/** A segment: one switch (the switch namespace's bridge) and its hosts. */
export interface Segment {
  readonly world: World;
  readonly sw: Switch;
  /** By name. */
  readonly hosts: ReadonlyMap<string, Host>;
  /** Each host's cable to the switch, by host name. */
  readonly links: ReadonlyMap<string, Link>;
}

/** A world of `endMs` with one switch and a Linux host per spec, on a subnet of `mask`. */
export function segment(specs: readonly TwinHostSpec[], endMs: number, mask: number): Segment {
  const world = new World(TWIN_SEED, fromMs(endMs));
  const sw = world.network.addSwitch('sw');
  const hosts = new Map<string, Host>();
  const links = new Map<string, Link>();
  for (const spec of specs) {
    const host = linuxHost(world, spec, mask);
    hosts.set(spec.name, host);
    links.set(spec.name, world.network.plug(sw, host.port, { latency: VETH_LATENCY }));
  }
  return { world, sw, hosts, links };
}

/** A host with a LinuxTable, not yet plugged in. */
export function linuxHost(world: World, spec: TwinHostSpec, mask: number): Host {
  const options = { mac: parseMac(spec.mac), ips: [parseIpv4(spec.ip)], mask };
  return world.network.addHost(spec.name, options, (host) => new LinuxTable(host, spec.params));
}

/** An ARP frame a simulated port carried, and when (ms of virtual time). */
export interface SimArp {
  readonly time: number;
  readonly frame: SimFrame;
}

/** Records every ARP frame `port` sends or receives, as tcpdump on its interface would. */
export function arpLog(port: Port): SimArp[] {
  const log: SimArp[] = [];
  const previous = port.tap;
  port.tap = (frame, time) => {
    previous?.(frame, time);
    if (frame.kind === FrameKind.ARP) log.push({ time: toMs(time), frame });
  };
  return log;
}

/** An entry's state from `time` (ms of virtual time) on, named as `ip neigh` names it. */
export interface SimStateChange {
  readonly time: number;
  readonly state: string;
  readonly mac: Mac | undefined;
}

/**
 * Runs `world` to `untilMs`, looking at `host`'s entry for `ip` every `stepMs`, and returns its
 * changes (`NONE` for no entry), as polling `ip neigh` does but without the poll's delay.
 */
export function runWatching(
  world: World,
  host: Host,
  ip: Ipv4,
  untilMs: number,
  stepMs = 1,
): SimStateChange[] {
  const changes: SimStateChange[] = [];
  const step = fromMs(stepMs);
  const until = fromMs(untilMs);
  for (let time = world.engine.now; ; time = Math.min(until, time + step)) {
    world.engine.run(time);
    const state = host.table.state(ip)?.toUpperCase() ?? 'NONE';
    const mac = host.table.mac(ip);
    const last = changes[changes.length - 1];
    if (last?.state !== state || last.mac !== mac)
      changes.push({ time: toMs(world.engine.now), state, mac });
    if (time >= until) return changes;
  }
}

/** Virtual time in ms. */
export function toMs(time: Nanos): number {
  return time / MILLISECOND;
}

/**
 * The base_reachable_time_ms that makes a LinuxTable's first reachable-time draw in a world of
 * `seed` come out as `reachableMs`, what the kernel's entry lasted in REACHABLE. neighbour.c
 * draws uniformly in [base/2, 3·base/2) (and the timer wheel then rounds the expiry up), so the
 * kernel's draw says nothing of the sim's: a twin compares what follows REACHABLE only once
 * both lasted as long. The table draws `floor(base/2) + floor(u·base)` ns with u the engine's
 * first random number; nothing else in a twin draws before it (a test checks the result).
 */
export function calibratedBase(reachableMs: number, seed = TWIN_SEED): number {
  const u = new Random(seed).next();
  return reachableMs / (0.5 + u);
}

/**
 * Sends one packet from `host` to `to` at each time of `timesMs` (virtual ms), numbered from 0
 * as flow `flow`: the pings the kernel's side sent, at the moments it sent them.
 */
export function packetsAt(
  world: World,
  host: Host,
  to: Ipv4,
  timesMs: readonly number[],
  flow = 0,
): void {
  timesMs.forEach((ms, seq) => {
    const time = fromMs(ms);
    world.engine.at(time, () =>
      host.sendPacket({ flow, seq, sentAt: time, source: host.ips[0]!, destination: to }),
    );
  });
}

/** A data packet that reached a host, and when (ms of virtual time). */
export interface SimDelivery {
  readonly time: number;
  readonly seq: number;
}

/**
 * Records every data packet that arrives at `host`'s port addressed to its MAC (it takes
 * them), and calls `then` with its number (an echo reply, say).
 */
export function deliveries(host: Host, then?: (seq: number) => void): SimDelivery[] {
  const log: SimDelivery[] = [];
  const previous = host.port.tap;
  host.port.tap = (frame, time) => {
    previous?.(frame, time);
    const packet = frame.packet;
    if (packet === undefined || frame.source === host.mac) return;
    if (!host.macs.includes(frame.destination)) return;
    log.push({ time: toMs(time), seq: packet.seq });
    then?.(packet.seq);
  };
  return log;
}

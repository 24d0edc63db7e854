/**
 * The failover of fidelity case 5 in namespaces: a host with an active-backup "bond0" over
 * eth0 and eth1 to a switch namespace, and a peer pinging the host's address.
 *
 * ```
 *   single:   host eth0 ── p0 ┐                 trunked:  host eth0 ── p0 ─ br1 ─ tA ┐
 *             host eth1 ── p1 ┤ br0 (switch)              host eth1 ── p1 ─ br2 ─ tB ┘
 *             peer eth0 ── p2 ┘                           peer eth0 ── p2 ─ br2
 * ```
 *
 * The failure is eth0's link: `ip link set p0 down` in the switch (the bridge flushes what it
 * learned on p0; veth takes the host end's carrier down with it). With the kernel's bonding
 * driver (mode active-backup, miimon 100 ms, num_grat_arp 1 or 0), the host fails over by
 * itself. Kernels built without it (CONFIG_BONDING unset, as some VM kernels are) get an
 * active-backup stand-in that the test drives: bond0 is a bridge with only the active slave as
 * its port, and the failover, one miimon after the failure, moves eth1 in and eth0 out and,
 * if announcing, sends bonding's gratuitous ARP (an RFC 5227 announcement of the host's
 * address from bond0's MAC). The switch, the flush, the flood, the learning and the pings are
 * the real kernel's either way.
 */
import type { Lab, Netns } from '../../testing/netns.js';
import { parseIpv4 } from '../../wire/ipv4.js';
import { parseMac } from '../../wire/mac.js';
import { garpRequest } from '../announcers.js';
import { epochMs, ipv6Off, setSysctls, stopBackground } from './kernel.js';
import { type FrameSender, startFrameSender } from './send-frames.js';

/** Which topology. */
export type Topology = 'single' | 'trunked';

/** The host: bond0's address and MAC. */
export const HOST = { ip: '10.75.0.1', mac: '02:f5:00:00:00:01' } as const;
/** The peer that pings the host. */
export const PEER = { ip: '10.75.0.2', mac: '02:f5:00:00:00:02' } as const;
/** bonding's link monitor interval. */
export const MIIMON_MS = 100;

/** The lab of one run, and how its failover is done. */
export interface FailoverLab {
  readonly sw: Netns;
  readonly host: Netns;
  readonly peer: Netns;
  /** `bonding`: the kernel's driver; `stand-in`: the test's (see the module comment). */
  readonly bond: 'bonding' | 'stand-in';
  /**
   * Fails eth0 (p0 down) and, with the stand-in, fails over one miimon later; resolves when
   * done. When each happened is read from `ip monitor link` afterwards (`moments`).
   */
  fail(): Promise<void>;
  /**
   * The epoch ms p0 went down (the switch's notification) and, with the stand-in, eth1 joined
   * bond0 (the host's); stops the monitors. bonding's own failover is not timed here: it comes
   * at its next miimon tick, 0–100 ms after the failure.
   */
  moments(): Promise<{ downAt: number; failedOverAt: number | undefined }>;
  /** The port of `bridge` on which it learned `mac`, if any. */
  portOf(bridge: string, mac: string): Promise<string | undefined>;
}

/** Whether the kernel can make a bond (tried, and removed, in `ns`). */
async function hasBonding(ns: Netns): Promise<boolean> {
  const made = await ns.exec('ip', ['link', 'add', 'akprobe0', 'type', 'bond']);
  if (made.code !== 0) return false;
  await ns.run('ip', ['link', 'del', 'akprobe0']);
  return true;
}

/**
 * Builds the lab: `announce` is bonding's num_grat_arp 1 (else 0), `peerNeigh` the peer's
 * sysctls under `net.ipv4.neigh.eth0.`.
 */
export async function buildFailoverLab(
  lab: Lab,
  topology: Topology,
  announce: boolean,
  peerNeigh: Readonly<Record<string, number>>,
): Promise<FailoverLab> {
  const [sw, host, peer] = [
    await lab.addNamespace('switch'),
    await lab.addNamespace('host'),
    await lab.addNamespace('peer'),
  ];
  for (const ns of [sw, host, peer]) await ipv6Off(ns);
  await lab.vethPair(host, 'eth0', sw, 'p0');
  await lab.vethPair(host, 'eth1', sw, 'p1');
  await lab.vethPair(peer, 'eth0', sw, 'p2', { aMac: PEER.mac });
  if (topology === 'single') {
    await lab.bridge(sw, 'br0', ['p0', 'p1', 'p2']);
  } else {
    await lab.vethPair(sw, 'tA', sw, 'tB');
    await lab.bridge(sw, 'br1', ['p0', 'tA']);
    await lab.bridge(sw, 'br2', ['p1', 'p2', 'tB']);
  }
  const bond = (await hasBonding(host)) ? 'bonding' : 'stand-in';
  let sender: FrameSender | undefined;
  if (bond === 'bonding') {
    const options = ['mode', 'active-backup', 'miimon', String(MIIMON_MS)];
    const grat = ['num_grat_arp', announce ? '1' : '0'];
    await host.run('ip', ['link', 'add', 'bond0', 'type', 'bond', ...options, ...grat]);
    await host.run('ip', ['link', 'set', 'bond0', 'address', HOST.mac]);
    for (const slave of ['eth0', 'eth1']) {
      await host.run('ip', ['link', 'set', slave, 'down']);
      await host.run('ip', ['link', 'set', slave, 'master', 'bond0']);
    }
    await host.run('ip', ['link', 'set', 'bond0', 'type', 'bond', 'primary', 'eth0']);
    await host.up('bond0');
  } else {
    await lab.bridge(host, 'bond0', ['eth0']);
    await host.run('ip', ['link', 'set', 'bond0', 'address', HOST.mac]);
    // A backup slave hands nothing to the stack (bonding's exact-match rule); standing alone,
    // eth1 would answer requests for bond0's address with its own MAC (any local address).
    await setSysctls(host, { 'conf.eth1.arp_ignore': 1 });
  }
  await host.addr('bond0', `${HOST.ip}/24`);
  await peer.addr('eth0', `${PEER.ip}/24`);
  // The host never asks for the peer (its own ARP would teach the switch); the peer resolves
  // the host, with its own timers, as any client would.
  const entry = ['neigh', 'replace', PEER.ip, 'lladdr', PEER.mac, 'dev', 'bond0'];
  await host.run('ip', [...entry, 'nud', 'permanent']);
  const keys = Object.entries(peerNeigh).map(([key, value]) => [`neigh.eth0.${key}`, value]);
  if (keys.length > 0) await setSysctls(peer, Object.fromEntries(keys));
  const swLinks = await monitorLinks(sw);
  const hostLinks = await monitorLinks(host);
  if (bond === 'stand-in' && announce) {
    const garp = garpRequest(parseMac(HOST.mac), parseIpv4(HOST.ip));
    sender = await startFrameSender(host, 'bond0', [{ atMs: 0, frame: garp }], 'signal');
  }

  return {
    sw,
    host,
    peer,
    bond,
    async fail() {
      const failedAt = epochMs();
      await sw.run('ip', ['link', 'set', 'p0', 'down']);
      if (bond === 'bonding') return;
      const wait = failedAt + MIIMON_MS - epochMs();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const move = 'ip link set eth1 master bond0 && ip link set eth0 nomaster';
      await host.run('sh', ['-c', move]);
      sender?.fire();
    },
    async moments() {
      const down = (await swLinks.stop()).find((l) => l.name === 'p0' && !l.flags.includes('UP'));
      if (down === undefined) throw new Error('ip monitor link: p0 never went down');
      const joined = (await hostLinks.stop()).find(
        (l) => l.name === 'eth1' && l.master === 'bond0' && l.time >= down.time,
      );
      if (bond === 'bonding') return { downAt: down.time, failedOverAt: undefined };
      if (joined === undefined) throw new Error('ip monitor link: eth1 never joined bond0');
      return { downAt: down.time, failedOverAt: joined.time };
    },
    async portOf(bridge, mac) {
      const json = await sw.run('bridge', ['-j', 'fdb', 'show', 'br', bridge]);
      const entries = JSON.parse(json) as { mac: string; ifname: string; state?: string }[];
      return entries.find((e) => e.mac === mac && e.state !== 'permanent')?.ifname;
    },
  };
}

/** One `ip -ts monitor link` line: when, which link, its flags and master. */
interface LinkEvent {
  readonly time: number;
  readonly name: string;
  readonly flags: readonly string[];
  readonly master: string | undefined;
}

/** `ip -ts monitor link` in `ns`, in UTC; `stop` ends it and returns its events. */
async function monitorLinks(ns: Netns): Promise<{ stop(): Promise<LinkEvent[]> }> {
  const monitor = ns.spawn('env', ['TZ=UTC', 'ip', '-ts', 'monitor', 'link']);
  await new Promise((resolve) => setTimeout(resolve, 100));
  return {
    async stop() {
      return linkEvents(await stopBackground(monitor));
    },
  };
}

/** Parses `[2026-11-22T10:37:39.205165] 5: p0@if4: <BROADCAST,MULTICAST> mtu … master br0 …`. */
export function linkEvents(output: string): LinkEvent[] {
  const events: LinkEvent[] = [];
  const line =
    /^\[(\S+T\d\d:\d\d:\d\d)\.(\d{6})\] (?:Deleted )?\d+: ([^:@\s]+)(?:@\S+)?: <([^>]*)>(.*)$/;
  for (const text of output.split('\n')) {
    const match = line.exec(text);
    if (match === null) continue;
    const [, seconds, micros, name, flags, rest] = match;
    events.push({
      time: Date.parse(`${seconds}Z`) + Number(micros) / 1000,
      name: name!,
      flags: flags!.split(','),
      master: /\bmaster (\S+)/.exec(rest!)?.[1],
    });
  }
  return events;
}

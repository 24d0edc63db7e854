/**
 * The failover that `arpkit announce` repairs, built in network namespaces: a switch (a Linux
 * bridge), a client on it, and a host whose bridge `br0` carries guests and reaches the switch
 * through uplink A or uplink B. Moving `br0` from A to B is what a bond's failover or a replaced
 * uplink does: the guests' frames now leave through B, but the switch keeps sending to the port of
 * A, where it last saw each guest MAC, until a frame from that MAC arrives through B.
 *
 * ```
 *   client ── portC ┐
 *                   sw (switch)          host namespace
 *                   ├─ portA ─────── upA ─┐
 *                   └─ portB ─────── upB  br0 (192.0.2.1) ── vnet1 ─── guest 1 (192.0.2.11)
 *                                         │                └ vnet2 ─── guest 2 (192.0.2.12) …
 * ```
 *
 * Used by the namespace tests and `arpkit demo failover`. Nothing but the announcement may teach
 * the switch where a MAC went, so IPv6 is off in every namespace unless asked for (no MLD report,
 * no router solicitation), and the client, the host and the guests know each other's MACs from
 * permanent neighbour entries: no ARP at all, where a guest would otherwise probe the client 5 s
 * after last hearing from it (delay_first_probe_time) and so heal the switch by chance.
 */
import type { Lab, Netns } from './netns.js';

/** The switch's bridge and its ports: `portA`/`portB` face the host's uplinks, `portC` the client. */
export const SWITCH = Object.freeze({
  bridge: 'sw',
  portA: 'portA',
  portB: 'portB',
  portC: 'portC',
});

/** The host's interfaces: its bridge and the two uplinks (veths to the switch). */
export const HOST = Object.freeze({
  bridge: 'br0',
  uplinkA: 'upA',
  uplinkB: 'upB',
  ip: '192.0.2.1',
  ipv6: '2001:db8::1',
  mac: '02:aa:00:00:00:01',
});

/** The client that pings the guests from the switch's side. */
export const CLIENT = Object.freeze({
  ip: '192.0.2.100',
  ipv6: '2001:db8::100',
  mac: '02:cc:00:00:00:01',
});

/** One guest: its own namespace, behind `vnetN` on the host bridge. */
export interface Guest {
  readonly ns: Netns;
  /** The host-side port on `br0`. */
  readonly port: string;
  readonly ip: string;
  readonly ipv6: string;
  readonly mac: string;
}

/** What the failover lab is made of, and the moves the tests and the demo make in it. */
export interface FailoverLab {
  readonly switch: Netns;
  readonly host: Netns;
  readonly client: Netns;
  readonly guests: readonly Guest[];
  /** Takes `br0` off uplink A and puts it on uplink B: the failover. */
  moveToUplinkB(): Promise<void>;
  /** The switch port on which the switch's bridge has learned `mac`, if any. */
  switchPortOf(mac: string): Promise<string | undefined>;
  /** Pings `ip` from the client `count` times, 200 ms apart; resolves how many answered. */
  ping(ip: string, count: number): Promise<number>;
  /**
   * Puts `cidr` on the first guest and pings it once from the client, so that the client's
   * neighbour entry for it names the guest: an address about to move, as a VIP does.
   */
  addressOnGuest(cidr: string): Promise<void>;
  /** The client's neighbour entry for `ip`: its MAC, or undefined without one. */
  clientNeighbour(ip: string): Promise<string | undefined>;
}

/** How many guests, and whether IPv6 is on (it is off unless a test needs it). */
export interface FailoverOptions {
  readonly guests: number;
  readonly ipv6?: boolean;
}

const IPV6_OFF = ['net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1'];
const IPV6_NO_DAD = ['net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0'];

/** The guest number `n` (from 1): `vnetN`, 192.0.2.(10+n), 52:54:00:00:00:nn. */
function guestAddresses(n: number): Omit<Guest, 'ns'> {
  return {
    port: `vnet${n}`,
    ip: `192.0.2.${10 + n}`,
    ipv6: `2001:db8::${(0x10 + n).toString(16)}`,
    mac: `52:54:00:00:00:${n.toString(16).padStart(2, '0')}`,
  };
}

async function configure(ns: Netns, ipv6: boolean): Promise<void> {
  await ns.run('sysctl', ['-qw', ...(ipv6 ? IPV6_NO_DAD : IPV6_OFF)]);
}

/** A station: a namespace, the interface its address is on, the address and the MAC. */
interface Station {
  readonly ns: Netns;
  readonly port: string;
  readonly ip: string;
  readonly mac: string;
}

/** Tells `station` the MAC of `other` for good (`nud permanent`): it never asks by ARP. */
async function permanentNeighbour(station: Station, other: Station): Promise<void> {
  const entry = ['neigh', 'replace', other.ip, 'lladdr', other.mac];
  await station.ns.run('ip', [...entry, 'dev', station.port, 'nud', 'permanent']);
}

/** Builds the lab with `br0` on uplink A and every guest reachable from the client. */
export async function buildFailoverLab(lab: Lab, options: FailoverOptions): Promise<FailoverLab> {
  const ipv6 = options.ipv6 === true;
  if (options.guests < 0 || options.guests > 240) throw new RangeError('guests: 0 to 240');
  const [sw, host, client] = await Promise.all(
    ['switch', 'host', 'client'].map((role) => lab.addNamespace(role)),
  );
  if (sw === undefined || host === undefined || client === undefined)
    throw new Error('unreachable');
  await Promise.all([sw, host, client].map((ns) => configure(ns, ipv6)));

  await lab.vethPair(host, HOST.uplinkA, sw, SWITCH.portA, { aMac: '02:aa:00:00:00:0a' });
  await lab.vethPair(host, HOST.uplinkB, sw, SWITCH.portB, { aMac: '02:aa:00:00:00:0b' });
  await lab.vethPair(client, 'eth0', sw, SWITCH.portC, { aMac: CLIENT.mac });
  await lab.bridge(sw, SWITCH.bridge, [SWITCH.portA, SWITCH.portB, SWITCH.portC]);

  const guests: Guest[] = [];
  for (let n = 1; n <= options.guests; n++) {
    const ns = await lab.addNamespace(`guest${n}`);
    await configure(ns, ipv6);
    const guest = { ns, ...guestAddresses(n) };
    await lab.vethPair(ns, 'eth0', host, guest.port, { aMac: guest.mac });
    await ns.addr('eth0', `${guest.ip}/24`);
    if (ipv6) await ns.addr('eth0', `${guest.ipv6}/64`);
    guests.push(guest);
  }
  await lab.bridge(host, HOST.bridge, [HOST.uplinkA, ...guests.map((guest) => guest.port)]);
  // A bridge takes the lowest MAC of its ports unless given one: fix it, so it stays put.
  await host.run('ip', ['link', 'set', HOST.bridge, 'address', HOST.mac]);
  await host.addr(HOST.bridge, `${HOST.ip}/24`);
  await client.addr('eth0', `${CLIENT.ip}/24`);
  if (ipv6) {
    await host.addr(HOST.bridge, `${HOST.ipv6}/64`);
    await client.addr('eth0', `${CLIENT.ipv6}/64`);
  }
  const client0 = { ns: client, port: 'eth0', ip: CLIENT.ip, mac: CLIENT.mac };
  const others = [
    { ns: host, port: HOST.bridge, ip: HOST.ip, mac: HOST.mac },
    ...guests.map((guest) => ({ ns: guest.ns, port: 'eth0', ip: guest.ip, mac: guest.mac })),
  ];
  for (const other of others) {
    await permanentNeighbour(client0, other);
    await permanentNeighbour(other, client0);
  }

  /** Pings `ip` from the client `count` times, 200 ms apart; resolves how many answered. */
  const ping = async (ip: string, count: number): Promise<number> => {
    const deadline = String(Math.ceil(count * 0.2) + 1);
    const args = ['-n', '-q', '-c', String(count), '-i', '0.2', '-w', deadline, ip];
    const result = await client.exec('ping', args, 30_000);
    const received = / (\d+) received/.exec(result.stdout);
    if (received?.[1] === undefined)
      throw new Error(`ping ${ip}: ${result.stdout}${result.stderr}`);
    return Number(received[1]);
  };

  return {
    switch: sw,
    host,
    client,
    guests,
    async moveToUplinkB() {
      await host.run('ip', ['link', 'set', HOST.uplinkA, 'nomaster']);
      await host.run('ip', ['link', 'set', HOST.uplinkB, 'master', HOST.bridge]);
    },
    async switchPortOf(mac) {
      const json = await sw.run('bridge', ['-j', 'fdb', 'show', 'br', SWITCH.bridge]);
      const entries = JSON.parse(json) as { mac: string; ifname: string; state?: string }[];
      const learned = entries.find((entry) => entry.mac === mac && entry.state !== 'permanent');
      return learned?.ifname;
    },
    ping,
    async addressOnGuest(cidr) {
      const guest = guests[0]!;
      await guest.ns.addr('eth0', cidr);
      const ip = cidr.split('/')[0]!;
      if ((await ping(ip, 1)) !== 1) throw new Error(`${ip} on guest ${guest.ip}: no answer`);
    },
    async clientNeighbour(ip) {
      const json = await client.run('ip', ['-j', 'neigh', 'show', ip]);
      return (JSON.parse(json) as { lladdr?: string }[])[0]?.lladdr;
    },
  };
}

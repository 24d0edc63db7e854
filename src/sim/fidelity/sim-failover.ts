/**
 * The twin of `kernel-failover.ts`: the same switch or trunked pair of switches (Linux bridge
 * defaults: learning, flooding, flush on link down), an active-backup Bond with slaves eth0 and
 * eth1 on p0 and p1, the host behind it, and the peer on p2 sending to the host at ping's pace.
 */
import { parseIpv4 } from '../../wire/ipv4.js';
import { parseMac } from '../../wire/mac.js';
import { garpRequest } from '../announcers.js';
import type { Bond } from '../bond.js';
import { Flow } from '../flow.js';
import type { Host } from '../host.js';
import type { Link } from '../link.js';
import type { LinuxParams } from '../neighbour/linux-params.js';
import type { Switch } from '../switch.js';
import { fromMs } from '../units.js';
import { World } from '../world.js';
import { HOST, PEER, type Topology } from './kernel-failover.js';
import { deliveries, linuxHost, type SimDelivery, TWIN_SEED, VETH_LATENCY } from './sim-twin.js';

const MASK = 0xffff_ff00;

/** The kernel's name of each simulated switch port (a trunk port is named after its far switch). */
const PORT_NAMES: Readonly<Record<string, string>> = { 'to-br2': 'tA', 'to-br1': 'tB' };

/** What the run is told: when eth0 fails and the bond fails over, ms from the first packet. */
export interface FailoverTimes {
  readonly failMs: number;
  readonly failoverMs: number;
  /** The peer's packet interval, as ping kept it. */
  readonly intervalMs: number;
  readonly endMs: number;
}

/** The twin, built and run. */
export interface FailoverTwin {
  readonly world: World;
  readonly flow: Flow;
  /** Packets that reached the host. */
  readonly delivered: readonly SimDelivery[];
  /** The kernel's name of the port where `bridge` sent the host's MAC just before the failure. */
  before(bridge: string): string | undefined;
  /** The same at the end of the run. */
  after(bridge: string): string | undefined;
}

/**
 * The host's parameters in the twin: the kernel's host knows the peer for good (`nud permanent`)
 * and never probes it; a DELAY of an hour does the same within a run.
 */
export function permanentLike(params: LinuxParams): LinuxParams {
  return { ...params, delay_first_probe_time_ms: 3_600_000 };
}

/** Builds the twin, runs it to `times.endMs` and returns what it saw. */
export function runFailoverTwin(
  topology: Topology,
  announce: boolean,
  peerParams: LinuxParams,
  hostParams: LinuxParams,
  times: FailoverTimes,
): FailoverTwin {
  const world = new World(TWIN_SEED, fromMs(times.endMs));
  const network = world.network;
  const cable = { latency: VETH_LATENCY };
  const switches = new Map<string, Switch>();
  const bridge = (name: string) => {
    const sw = network.addSwitch(name);
    switches.set(name, sw);
    return sw;
  };
  const [near, far] =
    topology === 'single' ? [bridge('br0'), undefined] : [bridge('br1'), bridge('br2')];
  if (far !== undefined) network.trunk(near, far, cable);
  const bond: Bond = network.addBond('bond0');
  const eth0: Link = network.plug(near, bond.addSlave('eth0'), cable, 'p0');
  network.plug(far ?? near, bond.addSlave('eth1'), cable, 'p1');
  const host: Host = linuxHost(
    world,
    { name: 'host', ip: HOST.ip, mac: HOST.mac, params: permanentLike(hostParams) },
    MASK,
  );
  network.connect(bond.inner, host.port, { latency: 0 });
  const peer = linuxHost(
    world,
    { name: 'peer', ip: PEER.ip, mac: PEER.mac, params: peerParams },
    MASK,
  );
  network.plug(far ?? near, peer.port, cable, 'p2');
  const delivered = deliveries(host, (seq) => {
    // ping: the host answers each request at once (flow 1), from its active slave.
    const reply = {
      flow: 1,
      seq,
      sentAt: world.engine.now,
      source: host.ips[0]!,
      destination: peer.ips[0]!,
    };
    world.engine.after(0, () => host.sendPacket(reply));
  });

  const spec = {
    name: 'ping',
    to: parseIpv4(HOST.ip),
    interval: fromMs(times.intervalMs),
    start: 0,
  };
  const flow = world.flow(spec, peer);
  const portOf = (name: string) => {
    const port = switches.get(name)?.lookup(parseMac(HOST.mac));
    return port === undefined ? undefined : (PORT_NAMES[port.name] ?? port.name);
  };
  const before = new Map<string, string | undefined>();
  world.event(fromMs(times.failMs), 'p0 down', () => {
    for (const name of switches.keys()) before.set(name, portOf(name));
    eth0.setUp(false);
  });
  world.event(fromMs(times.failoverMs), 'failover', () => {
    bond.failover(1);
    if (announce) host.sendArp(garpRequest(parseMac(HOST.mac), parseIpv4(HOST.ip)));
  });
  world.engine.run(fromMs(times.endMs));
  return {
    world,
    flow,
    delivered,
    before: (name) => before.get(name),
    after: portOf,
  };
}

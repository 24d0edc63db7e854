import { vrrpGarps } from '../announcers.js';
import type { Host } from '../host.js';
import type { Scenario } from '../scenario.js';
import { fromSeconds } from '../units.js';
import {
  addNeighbours,
  atSpec,
  cable,
  durationSpec,
  interval,
  ip,
  LATENCY_SPEC,
  numbered,
  phase,
  plugHost,
  policerOf,
  policerSpecs,
  rateSpec,
} from './common.js';

/** The VRRP virtual MAC of VRID 1 (RFC 5798 §7.3: 00-00-5E-00-01-{VRID}). */
const VMAC_VRID_1 = 0x00005e000101;

/**
 * Two L3 gateways share a VIP by VRRP in front of many neighbours on one switch. The master
 * dies; after Master_Down_Interval the backup takes the VIP, sends its gratuitous ARPs, and
 * takes over the downstream traffic — to every neighbour at once, with a cold ARP cache behind
 * its own ARP policer (SONiC CoPP: 600 pps, burst 600).
 */
export const gatewayFailover: Scenario = {
  name: 'gateway-failover',
  summary:
    'the standby gateway takes over and must resolve every neighbour at once behind its ARP policer',
  params: [
    durationSpec(120),
    atSpec(10, 'the master gateway dies'),
    {
      key: 'neighbours',
      default: 10_000,
      min: 1,
      max: 60_000,
      integer: true,
      help: 'hosts behind the gateways',
    },
    rateSpec(1),
    ...policerSpecs('each gateway'),
    { key: 'advert_s', default: 1, min: 0.01, help: 'VRRP advertisement interval, in seconds' },
    {
      key: 'priority',
      default: 100,
      min: 1,
      max: 254,
      integer: true,
      help: "the backup's VRRP priority (skew)",
    },
    {
      key: 'vmac',
      default: true,
      help: "the VIP uses the VRRP virtual MAC (false: the master's own MAC, keepalived's default)",
    },
    {
      key: 'garp_repeat',
      default: 5,
      min: 0,
      integer: true,
      help: 'keepalived vrrp_garp_master_repeat',
    },
    {
      key: 'garp_delay_s',
      default: 5,
      min: 0,
      help: 'keepalived vrrp_garp_master_delay, in seconds (0: one burst)',
    },
    {
      key: 'warm_backup',
      default: false,
      help: "the backup's cache already holds every neighbour",
    },
    LATENCY_SPEC,
  ],
  roles: {
    gateway: {
      help: 'both gateways',
      policy: 'linux',
      // A gateway for thousands of neighbours raises the gc thresholds (Linux defaults hold ~1024).
      base: { gc_thresh1: 1024, gc_thresh2: 65_536, gc_thresh3: 131_072 },
    },
    hosts: { help: 'the neighbours', policy: 'linux' },
  },
  duration: (params) => params.number('duration_s'),
  build(world, params) {
    const network = world.network;
    const link = cable(params);
    const sw = network.addSwitch('sw');
    const vip = ip(1);
    const vmac = params.boolean('vmac');
    const gatewayTable = params.table('gateway');
    const gateway = (name: string, n: number): Host => {
      const options = numbered(n, { router: true, ...policerOf(params) });
      const node = plugHost(world, sw, name, options, gatewayTable, link);
      world.capturePoint(name, node.port);
      return node;
    };
    const master = gateway('gw1', 2);
    const backup = gateway('gw2', 3);
    const vipMac = vmac ? (VMAC_VRID_1 as typeof master.mac) : master.mac;
    if (vmac) master.addMac(vipMac);
    master.addIp(vip, vipMac);

    const every = interval(params);
    const start = fromSeconds(0.5);
    const warm = params.boolean('warm_backup');
    const count = params.number('neighbours');
    addNeighbours(world, sw, count, params.table('hosts'), link, { gateway: vip }, (host) => {
      // The master's warm cache means each host answered it not long ago: the switch heard it.
      master.table.learn(host.ips[0]!, host.mac);
      sw.learn(host.mac, host.uplink!);
      if (warm) backup.table.learn(host.ips[0]!, host.mac);
      const first = start + phase(world, every);
      world.flow(
        { name: `gw→${host.name}`, to: host.ips[0]!, interval: every, start: first },
        master,
      );
    });

    const at = fromSeconds(params.number('at_s'));
    const advert = params.number('advert_s');
    const skew = ((256 - params.number('priority')) * advert) / 256;
    const takeover = at + fromSeconds(3 * advert + skew);
    world.trigger(at);
    world.event(at, 'gw1 dies', () => {
      master.up = false;
      master.port.link!.setUp(false);
    });
    world.event(takeover, 'gw2 master', () => {
      const backupVipMac = vmac ? vipMac : backup.mac;
      if (vmac) backup.addMac(vipMac);
      backup.addIp(vip, backupVipMac);
      for (const flow of world.flows) flow.from = backup;
      const repeat = params.number('garp_repeat');
      const delay = fromSeconds(params.number('garp_delay_s'));
      vrrpGarps(world.engine, world.engine.now, repeat, delay, backupVipMac, [vip], (frame) =>
        backup.sendArp(frame),
      );
    });
    world.details.push(() => ({
      backupOverflows: backup.table.counters()['overflows'] ?? 0,
      backupEntries: backup.table.size,
    }));
  },
};

import { arpkitAnnouncement, bondingGarps, type Send } from '../announcers.js';
import type { Host } from '../host.js';
import type { Scenario } from '../scenario.js';
import { SWITCH_DEFAULTS } from '../switch.js';
import { fromSeconds, MILLISECOND } from '../units.js';
import {
  ARPKIT_SPECS,
  arpkitSchedule,
  atSpec,
  cable,
  durationSpec,
  interval,
  ip,
  LATENCY_SPEC,
  mac,
  MASK,
  rateSpec,
} from './common.js';

/**
 * A hypervisor whose bond (active-backup, eth0 to sw1, eth1 to sw2, the switches trunked)
 * carries a bridge with the host's own address and its guests. eth0's link fails; bonding
 * notices within miimon and makes eth1 active. sw2 still sends the guests' traffic towards sw1
 * until a frame from each guest's MAC arrives through eth1: an announcement, or the guest's own
 * traffic, or the peer's re-resolution after its neighbour entry goes stale.
 */
export const bondFailover: Scenario = {
  name: 'bond-failover',
  summary:
    'a host with guests behind a bridge on an active-backup bond fails over to the other switch',
  params: [
    durationSpec(60),
    atSpec(10, 'eth0 fails'),
    {
      key: 'guests',
      default: 4,
      min: 0,
      max: 100_000,
      integer: true,
      help: 'guests bridged on the bond',
    },
    {
      key: 'announce',
      default: 'arpkit',
      choices: ['none', 'bonding', 'arpkit'],
      help: "after failover: nothing, bonding's own GARPs (the host's IPs only), or arpkit watch (host and guests)",
    },
    rateSpec(50),
    {
      key: 'guest_rate_pps',
      default: 0,
      min: 0,
      help: 'packets a second each guest sends to the peer (0: quiet guests)',
    },
    { key: 'miimon_ms', default: 100, min: 1, help: 'bonding: link monitoring interval, in ms' },
    {
      key: 'num_grat_arp',
      default: 1,
      min: 0,
      max: 255,
      integer: true,
      help: 'bonding: GARPs after a failover',
    },
    {
      key: 'peer_notif_delay_ms',
      default: 0,
      min: 0,
      help: 'bonding: gap between those GARPs (0: miimon)',
    },
    { key: 'ageing_time_s', default: 300, min: 0, help: 'FDB ageing of both switches, in seconds' },
    LATENCY_SPEC,
    ...ARPKIT_SPECS,
  ],
  roles: {
    peer: { help: 'the peer on sw2 that sends to the host and every guest', policy: 'linux' },
    guests: { help: 'the guests and the hypervisor', policy: 'linux' },
  },
  duration: (params) => params.number('duration_s'),
  build(world, params) {
    const network = world.network;
    const link = cable(params);
    const ageing = params.number('ageing_time_s');
    const switchParams = { ...SWITCH_DEFAULTS, ageing_time_s: ageing };
    const sw1 = network.addSwitch('sw1', switchParams);
    const sw2 = network.addSwitch('sw2', switchParams);
    network.trunk(sw1, sw2, link);
    const bond = network.addBond('bond0');
    const eth0 = network.plug(sw1, bond.addSlave('eth0'), link);
    network.plug(sw2, bond.addSlave('eth1'), link);
    const bridge = network.addSwitch('br0', switchParams);
    network.plug(bridge, bond.inner, { latency: 0 }, 'bond0');

    const guestTable = params.table('guests');
    const host = (name: string, n: number): Host => {
      const node = network.addHost(name, { mac: mac(n), ips: [ip(n)], mask: MASK }, guestTable);
      network.plug(bridge, node.port, { latency: 0 }, name);
      return node;
    };
    const hv = host('hv', 10);
    const guests = Array.from({ length: params.number('guests') }, (_, i) =>
      host(`g${i + 1}`, 100 + i),
    );
    const peer = network.addHost(
      'peer',
      { mac: mac(1), ips: [ip(1)], mask: MASK },
      params.table('peer'),
    );
    network.plug(sw2, peer.port, link);
    world.capturePoint('peer', peer.port);
    world.capturePoint('eth0', bond.slaves[0]!);
    world.capturePoint('eth1', bond.slaves[1]!);

    const every = interval(params);
    const start = fromSeconds(1);
    for (const target of [hv, ...guests]) {
      const phase = Math.floor(world.engine.random.next() * every);
      world.flow(
        { name: `peer→${target.name}`, to: target.ips[0]!, interval: every, start: start + phase },
        peer,
      );
    }
    const guestRate = params.number('guest_rate_pps');
    if (guestRate > 0) {
      const guestEvery = Math.max(1, fromSeconds(1 / guestRate));
      for (const guest of guests) {
        const phase = Math.floor(world.engine.random.next() * guestEvery);
        world.flow(
          {
            name: `${guest.name}→peer`,
            to: peer.ips[0]!,
            interval: guestEvery,
            start: start + phase,
          },
          guest,
        );
      }
    }

    const at = fromSeconds(params.number('at_s'));
    const miimon = params.number('miimon_ms') * MILLISECOND;
    world.trigger(at);
    world.event(at, 'eth0 down', () => eth0.setUp(false));
    const send: Send = (frame) => {
      network.arpSent(hv);
      bond.active.send(frame);
    };
    world.event(at + miimon, 'bond failover', () => {
      bond.failover(1);
      const now = world.engine.now;
      switch (params.string('announce')) {
        case 'bonding': {
          const gap = params.number('peer_notif_delay_ms') * MILLISECOND || miimon;
          bondingGarps(world.engine, now, params.number('num_grat_arp'), gap, hv.mac, hv.ips, send);
          break;
        }
        case 'arpkit': {
          const subjects = [
            { mac: hv.mac, ips: hv.ips },
            ...guests.map((guest) => ({ mac: guest.mac, ips: [] })),
          ];
          const delay = params.number('arpkit_delay_ms') * MILLISECOND;
          const rate = params.number('arpkit_rate');
          arpkitAnnouncement(
            world.engine,
            now + delay,
            arpkitSchedule(params),
            rate,
            subjects,
            send,
          );
          break;
        }
      }
    });
  },
};

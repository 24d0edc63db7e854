import { ArpOp } from '../../wire/arp.js';
import { MAC_BROADCAST, MAC_ZERO } from '../../wire/mac.js';
import { arpSimFrame } from '../frame.js';
import { Policer } from '../policer.js';
import type { Scenario } from '../scenario.js';
import { fromSeconds, MICROSECOND, SECOND } from '../units.js';
import {
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
 * A forwarding loop replays one ARP request as a broadcast storm. Every host on the segment
 * reads every copy (about 1 µs of softirq each on Linux 6.18, measured), and the gateway's ARP
 * policer spends its tokens on the storm, so its own neighbour re-confirmations are dropped.
 */
export const storm: Scenario = {
  name: 'storm',
  summary:
    "a broadcast ARP storm: the hosts' CPU cost, and the gateway's policer starving its own resolution",
  params: [
    durationSpec(90),
    atSpec(10, 'the storm starts'),
    { key: 'storm_s', default: 60, min: 0, help: 'how long the storm lasts, in seconds' },
    { key: 'storm_pps', default: 10_000, min: 1, max: 10_000_000, help: 'storm frames a second' },
    { key: 'hosts', default: 50, min: 1, max: 60_000, integer: true, help: 'hosts on the segment' },
    {
      key: 'arp_cost_us',
      default: 1,
      min: 0,
      help: 'CPU one received ARP frame costs a host, in µs',
    },
    rateSpec(2),
    {
      key: 'policer_pps',
      default: 600,
      min: 0,
      help: "the gateway's ARP input policer rate (0: none)",
    },
    { key: 'policer_burst', default: 600, min: 1, help: "the gateway's ARP input policer burst" },
    LATENCY_SPEC,
  ],
  roles: {
    gateway: { help: 'the gateway', policy: 'linux' },
    hosts: { help: 'the hosts', policy: 'linux' },
  },
  duration: (params) => params.number('duration_s'),
  build(world, params) {
    const network = world.network;
    const link = cable(params);
    const sw = network.addSwitch('sw');
    const rate = params.number('policer_pps');
    const policer = rate > 0 ? new Policer(rate, params.number('policer_burst')) : undefined;
    const cost = params.number('arp_cost_us') * MICROSECOND;
    const gateway = network.addHost(
      'gw',
      {
        mac: mac(1),
        ips: [ip(1)],
        mask: MASK,
        router: true,
        arpCost: cost,
        ...(policer ? { policer } : {}),
      },
      params.table('gateway'),
    );
    network.plug(sw, gateway.port, link);
    world.capturePoint('gw', gateway.port);
    const loop = network.addHost(
      'loop',
      { mac: mac(2), ips: [ip(2)], mask: MASK },
      params.table('hosts'),
    );
    network.plug(sw, loop.port, link);

    const every = interval(params);
    const hostTable = params.table('hosts');
    for (let i = 0; i < params.number('hosts'); i++) {
      const n = 256 + i;
      const host = network.addHost(
        `h${i + 1}`,
        { mac: mac(n), ips: [ip(n)], mask: MASK, gateway: gateway.ips[0]!, arpCost: cost },
        hostTable,
      );
      network.plug(sw, host.port, link);
      if (i === 0) world.capturePoint('h1', host.port);
      const phase = Math.floor(world.engine.random.next() * every);
      world.flow(
        {
          name: `gw→${host.name}`,
          to: host.ips[0]!,
          interval: every,
          start: fromSeconds(1) + phase,
        },
        gateway,
      );
    }

    // The looped frame: a request from a station that is not on the segment for an unused address.
    const frame = arpSimFrame(ArpOp.REQUEST, MAC_BROADCAST, mac(3), ip(3), MAC_ZERO, ip(4));
    const at = fromSeconds(params.number('at_s'));
    const length = fromSeconds(params.number('storm_s'));
    const gap = Math.max(1, Math.round(SECOND / params.number('storm_pps')));
    let floodsBefore = 0;
    let floodsDuring = 0;
    world.trigger(at);
    world.event(at, 'storm starts', () => {
      floodsBefore = sw.floods;
      const send = (): void => {
        loop.sendArp(frame);
        if (world.engine.now + gap < at + length) world.engine.after(gap, send);
      };
      send();
    });
    world.event(at + length, 'storm ends', () => {
      floodsDuring = sw.floods - floodsBefore;
    });
    world.details.push(() => {
      const seconds = params.number('storm_s');
      const perSecond = seconds > 0 ? floodsDuring / seconds : 0;
      return {
        stormFrames: floodsDuring,
        hostCpuPercent: Math.round(((perSecond * cost) / SECOND) * 100 * 1000) / 1000,
        gatewayPolicerDrops: policer?.drops ?? 0,
      };
    });
  },
};

import { ArpOp } from '../../wire/arp.js';
import { MAC_BROADCAST, MAC_ZERO } from '../../wire/mac.js';
import { arpSimFrame } from '../frame.js';
import type { Scenario } from '../scenario.js';
import { fromSeconds, MICROSECOND, SECOND } from '../units.js';
import {
  addNeighbours,
  atSpec,
  cable,
  durationSpec,
  interval,
  ip,
  LATENCY_SPEC,
  mac,
  numbered,
  phase,
  plugHost,
  policerOf,
  policerSpecs,
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
    ...policerSpecs('the gateway'),
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
    const policer = policerOf(params);
    const cost = params.number('arp_cost_us') * MICROSECOND;
    const gatewayOptions = numbered(1, { router: true, arpCost: cost, ...policer });
    const gateway = plugHost(world, sw, 'gw', gatewayOptions, params.table('gateway'), link);
    world.capturePoint('gw', gateway.port);
    const hostTable = params.table('hosts');
    const loop = plugHost(world, sw, 'loop', numbered(2), hostTable, link);

    const every = interval(params);
    const extra = { gateway: gateway.ips[0]!, arpCost: cost };
    addNeighbours(world, sw, params.number('hosts'), hostTable, link, extra, (host) => {
      const start = fromSeconds(1) + phase(world, every);
      world.flow({ name: `gw→${host.name}`, to: host.ips[0]!, interval: every, start }, gateway);
    });

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
        gatewayPolicerDrops: policer.policer?.drops ?? 0,
      };
    });
  },
};

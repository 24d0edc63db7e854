import type { Scenario } from '../scenario.js';
import { fromSeconds } from '../units.js';
import { addNeighbours, cable, durationSpec, LATENCY_SPEC, numbered, plugHost } from './common.js';

/**
 * ns-3's ARP scaling case (scratch/arp-burst.cc in the research notes): at t = 1 s a router
 * sends one packet to each of N hosts on one segment, every one unresolved, so it broadcasts N
 * requests and every host hears every one. ns-3 delivers each broadcast to each receiver as an
 * event, N² in all (10,000 hosts: 300 M events, ~482 s); here a broadcast is one step.
 */
export const resolutionBurst: Scenario = {
  name: 'resolution-burst',
  summary:
    "a router with a cold cache sends one packet to each of N hosts at once (ns-3's ARP scaling case)",
  params: [
    durationSpec(10),
    {
      key: 'hosts',
      default: 10_000,
      min: 1,
      max: 60_000,
      integer: true,
      help: 'hosts on the segment',
    },
    LATENCY_SPEC,
  ],
  roles: {
    router: {
      help: 'the router',
      policy: 'linux',
      base: { gc_thresh1: 1024, gc_thresh2: 65_536, gc_thresh3: 131_072 },
    },
    hosts: { help: 'the hosts', policy: 'linux' },
  },
  duration: (params) => params.number('duration_s'),
  build(world, params) {
    const network = world.network;
    const link = cable(params);
    const sw = network.addSwitch('sw');
    const options = numbered(1, { router: true });
    const router = plugHost(world, sw, 'router', options, params.table('router'), link);
    world.capturePoint('router', router.port);
    const start = fromSeconds(1);
    // One packet each: the next would be due after the run ends.
    const once = world.end;
    addNeighbours(world, sw, params.number('hosts'), params.table('hosts'), link, {}, (host) => {
      world.flow({ name: `router→${host.name}`, to: host.ips[0]!, interval: once, start }, router);
    });
    world.trigger(start);
  },
};

import { hostBoot, linkFlap } from '../events.js';
import type { Scenario } from '../scenario.js';
import { fromSeconds, MILLISECOND } from '../units.js';
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
 * Host a's cable to the switch comes up; a sends at once, but the switch's port forwards only
 * after its ready delay (STP, LACP, a slow PHY), so a's first ARP request (and its arp_notify
 * GARP) is lost. Traffic from a waits for a's retry; traffic from b to a waits for b's. By
 * default a boots (cold cache); with `down_s` > 0 its link flaps instead, caches warm.
 */
export const linkUpDrop: Scenario = {
  name: 'link-up-drop',
  summary:
    'a link comes up, the switch end forwards late, the first ARP request is lost and traffic waits for the retry',
  params: [
    durationSpec(30),
    atSpec(1, "a's link comes up (or goes down, with down_s)"),
    {
      key: 'ready_ms',
      default: 500,
      min: 0,
      help: "the switch end's forwarding delay after link-up, in ms",
    },
    {
      key: 'host_ready_ms',
      default: 0,
      min: 0,
      help: "host a's end's forwarding delay after link-up, in ms",
    },
    {
      key: 'arp_notify',
      default: true,
      help: 'a sends a gratuitous ARP when it comes up (Linux arp_notify=1)',
    },
    {
      key: 'down_s',
      default: 0,
      min: 0,
      help: "0: a boots at at_s; more: a's link flaps down at at_s for this long (warm caches)",
    },
    rateSpec(10),
    LATENCY_SPEC,
  ],
  roles: {
    a: { help: 'the host whose link comes up', policy: 'linux' },
    b: { help: 'its peer across the switch', policy: 'linux' },
  },
  duration: (params) => params.number('duration_s'),
  build(world, params) {
    const network = world.network;
    const sw = network.addSwitch('sw');
    const a = network.addHost('a', { mac: mac(1), ips: [ip(1)], mask: MASK }, params.table('a'));
    const b = network.addHost('b', { mac: mac(2), ips: [ip(2)], mask: MASK }, params.table('b'));
    const options = {
      ...cable(params),
      readyDelayA: params.number('ready_ms') * MILLISECOND,
      readyDelayB: params.number('host_ready_ms') * MILLISECOND,
    };
    const aLink = network.plug(sw, a.port, options);
    network.plug(sw, b.port, cable(params));
    world.capturePoint('a', a.port);
    world.capturePoint('b', b.port);

    const at = fromSeconds(params.number('at_s'));
    const every = interval(params);
    const down = fromSeconds(params.number('down_s'));
    world.trigger(at);
    let start = 0;
    if (down > 0) {
      linkFlap(world, aLink, at, down, "a's link");
    } else {
      start = at;
      aLink.setUp(false);
      world.event(at, "a's link up", () => aLink.setUp(true));
      hostBoot(world, a, at, { arpNotify: params.boolean('arp_notify') });
    }
    world.flow({ name: 'a→b', to: b.ips[0]!, interval: every, start }, a);
    world.flow({ name: 'b→a', to: a.ips[0]!, interval: every, start }, b);
  },
};

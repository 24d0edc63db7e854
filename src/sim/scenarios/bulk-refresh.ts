import type { Scenario } from '../scenario.js';
import { fromSeconds } from '../units.js';
import {
  addNeighbours,
  cable,
  durationSpec,
  interval,
  LATENCY_SPEC,
  numbered,
  phase,
  plugHost,
  policerOf,
  policerSpecs,
  rateSpec,
} from './common.js';

/** How often the entries lost are sampled for the per-cycle figure. */
const CYCLE_S = 60;

/**
 * A router with thousands of neighbours and a 5-minute ARP timeout checks its table every 60 s
 * and refreshes at once every entry that would expire before the next check: about a fifth of
 * the table in one burst. The replies come back faster than its own ARP policer lets in, and
 * entries whose refreshes all went unanswered are deleted (then re-resolved on demand).
 */
export const bulkRefresh: Scenario = {
  name: 'bulk-refresh',
  summary:
    'a router refreshes a fifth of its table at once every minute and its own policer drops the replies',
  params: [
    durationSpec(900),
    {
      key: 'neighbours',
      default: 10_000,
      min: 1,
      max: 60_000,
      integer: true,
      help: "entries in the router's table",
    },
    rateSpec(0.05),
    ...policerSpecs('the router'),
    LATENCY_SPEC,
  ],
  roles: {
    router: {
      help: 'the router',
      policy: 'router',
      base: { timeout_s: 300, scan_interval_s: CYCLE_S },
    },
    hosts: { help: 'its neighbours', policy: 'linux' },
  },
  duration: (params) => params.number('duration_s'),
  build(world, params) {
    const network = world.network;
    const link = cable(params);
    const sw = network.addSwitch('sw');
    const options = numbered(1, { router: true, ...policerOf(params) });
    const router = plugHost(world, sw, 'router', options, params.table('router'), link);
    world.capturePoint('router', router.port);

    const every = interval(params);
    const random = world.engine.random;
    // The table fills over the first timeout (300 s by default: entries of every age).
    const fill = fromSeconds(300);
    const count = params.number('neighbours');
    addNeighbours(world, sw, count, params.table('hosts'), link, {}, (host) => {
      const learned = Math.floor(random.next() * fill);
      world.engine.at(learned, () => router.table.learn(host.ips[0]!, host.mac));
      const start = learned + phase(world, every);
      world.flow({ name: `router→${host.name}`, to: host.ips[0]!, interval: every, start }, router);
    });

    const lostPerCycle: number[] = [];
    let before = 0;
    const end = world.end;
    for (let t = fromSeconds(CYCLE_S); t <= end; t += fromSeconds(CYCLE_S)) {
      world.engine.at(t, () => {
        const lost = router.table.counters()['refreshLost'] ?? 0;
        lostPerCycle.push(lost - before);
        before = lost;
      });
    }
    world.details.push(() => ({
      refreshLost: router.table.counters()['refreshLost'] ?? 0,
      refreshLostPerMinute: lostPerCycle.join(' '),
      routerEntries: router.table.size,
    }));
  },
};

import { vmMigration } from '../events.js';
import type { Scenario } from '../scenario.js';
import { SWITCH_DEFAULTS } from '../switch.js';
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
 * A VM moves from hypervisor hv1 to hv2 (each a Linux bridge uplinked to one switch). The
 * switch keeps sending the guest's traffic to hv1 until a frame from the guest's MAC arrives
 * from hv2: QEMU's RARP announcements as it resumes, or the guest's own traffic.
 */
export const vmMigrationScenario: Scenario = {
  name: 'vm-migration',
  summary:
    "a VM live-migrates to another hypervisor; the switch learns where it went from QEMU's RARPs",
  params: [
    durationSpec(30),
    atSpec(5, 'the guest stops on hv1'),
    {
      key: 'downtime_ms',
      default: 300,
      min: 0,
      help: 'stop-and-copy pause, from the last frame on hv1 to the first on hv2, in ms',
    },
    {
      key: 'announce',
      default: 'qemu',
      choices: ['none', 'qemu'],
      help: "on resume: nothing, or QEMU's 5 RARP announcements",
    },
    rateSpec(50),
    {
      key: 'guest_rate_pps',
      default: 0,
      min: 0,
      help: 'packets a second the guest sends to the peer (0: a quiet guest)',
    },
    { key: 'ageing_time_s', default: 300, min: 0, help: "the switch's FDB ageing, in seconds" },
    LATENCY_SPEC,
  ],
  roles: {
    peer: { help: 'the peer that sends to the guest', policy: 'linux' },
    guest: { help: 'the migrating guest', policy: 'linux' },
  },
  duration: (params) => params.number('duration_s'),
  build(world, params) {
    const network = world.network;
    const link = cable(params);
    const sw = network.addSwitch('sw', {
      ...SWITCH_DEFAULTS,
      ageing_time_s: params.number('ageing_time_s'),
    });
    const hv1 = network.addSwitch('hv1');
    const hv2 = network.addSwitch('hv2');
    network.trunk(sw, hv1, link);
    network.trunk(sw, hv2, link);
    const tap = { latency: 0 };
    const guest = network.addHost(
      'g1',
      { mac: mac(100), ips: [ip(100)], mask: MASK },
      params.table('guest'),
    );
    const from = network.plug(hv1, guest.port, tap, 'g1');
    const peer = network.addHost(
      'peer',
      { mac: mac(1), ips: [ip(1)], mask: MASK },
      params.table('peer'),
    );
    network.plug(sw, peer.port, link);
    world.capturePoint('peer', peer.port);

    const every = interval(params);
    const start = fromSeconds(1);
    world.flow({ name: 'peer→g1', to: guest.ips[0]!, interval: every, start }, peer);
    const guestRate = params.number('guest_rate_pps');
    if (guestRate > 0) {
      const guestEvery = Math.max(1, fromSeconds(1 / guestRate));
      world.flow({ name: 'g1→peer', to: peer.ips[0]!, interval: guestEvery, start }, guest);
    }
    const at = fromSeconds(params.number('at_s'));
    world.trigger(at);
    vmMigration(world, guest, at, {
      from,
      to: hv2,
      cable: tap,
      downtime: params.number('downtime_ms') * MILLISECOND,
      announce: params.string('announce') === 'qemu',
    });
  },
};

import { DEFAULT_RATE, DEFAULT_SCHEDULES } from '../../watch/watch-config.js';
import { type Ipv4, parseIpv4 } from '../../wire/ipv4.js';
import type { Mac } from '../../wire/mac.js';
import type { Host, HostOptions } from '../host.js';
import type { LinkOptions } from '../link.js';
import type { NeighbourTable } from '../neighbour/table.js';
import { Policer } from '../policer.js';
import type { Switch } from '../switch.js';
import type { World } from '../world.js';
import { ParamError, type ParamSpec } from '../params.js';
import type { Params } from '../scenario.js';
import { type Nanos, MICROSECOND, fromSeconds } from '../units.js';

/** A /16 of addresses every built-in scenario numbers its nodes from. */
export const SUBNET: Ipv4 = parseIpv4('10.0.0.0');
/** The mask of `SUBNET`. */
export const MASK = 0xffff_0000;

/** Locally administered MACs, numbered from here (02:00:00:00:00:00 + n). */
export const MAC_BASE = 0x0200_0000_0000 as Mac;

/** The n-th address of `SUBNET`. */
export function ip(n: number): Ipv4 {
  return ((SUBNET + n) >>> 0) as Ipv4;
}

/** The n-th MAC of `MAC_BASE`. */
export function mac(n: number): Mac {
  return (MAC_BASE + n) as Mac;
}

/** How long the run lasts. */
export function durationSpec(seconds: number): ParamSpec {
  return {
    key: 'duration_s',
    default: seconds,
    min: 0.001,
    max: 1_000_000,
    help: 'virtual time simulated, in seconds',
  };
}

/** When the scenario's failure happens. */
export function atSpec(seconds: number, what: string): ParamSpec {
  return { key: 'at_s', default: seconds, min: 0, help: `when ${what}, in seconds` };
}

/** The packet rate of each flow. */
export function rateSpec(pps: number): ParamSpec {
  return {
    key: 'rate_pps',
    default: pps,
    min: 0.001,
    max: 1_000_000,
    help: 'packets a second of each flow',
  };
}

/** The one-way latency of each cable. */
export const LATENCY_SPEC: ParamSpec = {
  key: 'latency_us',
  default: 5,
  min: 0,
  max: 1_000_000,
  help: 'one-way latency of each cable, in µs',
};

/** The link options from `latency_us`. */
export function cable(params: Params): LinkOptions {
  return { latency: Math.round(params.number('latency_us') * MICROSECOND) };
}

/** The time between packets of a flow at `rate_pps`. */
export function interval(params: Params): Nanos {
  return Math.max(1, fromSeconds(1 / params.number('rate_pps')));
}

/** `arpkit watch`'s schedule and pacing parameters (its defaults for a bond failover). */
export const ARPKIT_SPECS: readonly ParamSpec[] = [
  {
    key: 'arpkit_schedule_ms',
    default: DEFAULT_SCHEDULES['bond-failover'].join(','),
    help: 'arpkit watch: rounds of the announcement, ms after the trigger (comma-separated)',
  },
  {
    key: 'arpkit_rate',
    default: DEFAULT_RATE,
    min: 0,
    integer: true,
    help: 'arpkit watch: frames a second (0: unpaced)',
  },
  {
    key: 'arpkit_delay_ms',
    default: 1,
    min: 0,
    help: 'arpkit watch: from the kernel event to the first frame, in ms',
  },
];

/** The rounds of `arpkit_schedule_ms`. */
export function arpkitSchedule(params: Params): number[] {
  const text = params.string('arpkit_schedule_ms');
  const rounds = text.split(',').map((part) => Number(part.trim()));
  if (rounds.some((ms) => !Number.isFinite(ms) || ms < 0)) {
    throw new ParamError(
      `arpkit_schedule_ms: "${text}" is not a list of ms ≥ 0 (e.g. 0,1100,5000)`,
    );
  }
  return rounds;
}

/** Where the numbered neighbours of a scenario start (h1 is node 256, 10.0.1.0). */
const FIRST_NEIGHBOUR = 256;

/** The options of node number `n`: its MAC and address from the scenario's blocks, and `extra`. */
export function numbered(n: number, extra: Partial<HostOptions> = {}): HostOptions {
  return { mac: mac(n), ips: [ip(n)], mask: MASK, ...extra };
}

/** A new host called `name` with `options` and a table of `table`, plugged into `sw`. */
export function plugHost(
  world: World,
  sw: Switch,
  name: string,
  options: HostOptions,
  table: (host: Host) => NeighbourTable,
  link: LinkOptions,
): Host {
  const host = world.network.addHost(name, options, table);
  world.network.plug(sw, host.port, link);
  return host;
}

/**
 * Adds `count` neighbours h1…hN (numbered from 256) with `extra` options to `sw`, offers h1 for
 * capture, and calls `each` with every one in turn.
 */
export function addNeighbours(
  world: World,
  sw: Switch,
  count: number,
  table: (host: Host) => NeighbourTable,
  link: LinkOptions,
  extra: Partial<HostOptions>,
  each: (host: Host) => void,
): void {
  for (let i = 0; i < count; i++) {
    const host = plugHost(
      world,
      sw,
      `h${i + 1}`,
      numbered(FIRST_NEIGHBOUR + i, extra),
      table,
      link,
    );
    if (i === 0) world.capturePoint('h1', host.port);
    each(host);
  }
}

/** The ARP input policer of `who`: 600 pps with a burst of 600 (SONiC's CoPP for ARP). */
export function policerSpecs(who: string): ParamSpec[] {
  return [
    { key: 'policer_pps', default: 600, min: 0, help: `${who}'s ARP input policer rate (0: none)` },
    { key: 'policer_burst', default: 600, min: 1, help: `${who}'s ARP input policer burst` },
  ];
}

/** A new policer as `policer_pps` and `policer_burst` ask, as host options (none at rate 0). */
export function policerOf(params: Params): Partial<HostOptions> {
  const rate = params.number('policer_pps');
  return rate > 0 ? { policer: new Policer(rate, params.number('policer_burst')) } : {};
}

/** A random offset in [0, every) for a flow's first packet, so flows do not tick together. */
export function phase(world: World, every: Nanos): Nanos {
  return Math.floor(world.engine.random.next() * every);
}

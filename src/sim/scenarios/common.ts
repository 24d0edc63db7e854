import { DEFAULT_RATE, DEFAULT_SCHEDULES } from '../../watch/watch-config.js';
import { type Ipv4, parseIpv4 } from '../../wire/ipv4.js';
import type { Mac } from '../../wire/mac.js';
import type { LinkOptions } from '../link.js';
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

import type { Command } from 'commander';
import { DEFAULT_SCHEDULE_MS, MAX_OFFSET_MS, MAX_RATE, MAX_ROUNDS } from '../announce/announcer.js';
import { parseAnnounceIp } from '../announce/announce-ip.js';
import type { AnnounceOptions } from '../announce/plan.js';
import { UsageError } from './errors.js';
import { collect, parseAddress, parseDuration, parseWhole } from './values.js';

/** What to announce, as `arpkit announce` and `arpkit watch` take it from the command line. */
export interface SelectorArgs {
  readonly iface: string[];
  readonly all?: boolean;
  /** `true` for a bare `--guests` (every bridge), else the bridges named. */
  readonly guests?: true | string[];
  readonly ip: string[];
  readonly uplink: string[];
}

/** Adds the selectors (`--iface`, `--all`, `--guests [BR]`, `--ip`) and `--uplink` to `command`. */
export function addSelectors(command: Command): Command {
  return command
    .option('--iface <if>', "announce this link's MAC and addresses (repeatable)", collect, [])
    .option('--all', 'announce every link with a MAC of its own that uses ARP')
    .option(
      '--guests [bridge]',
      "announce the guests behind BRIDGE's ports (bare: every bridge)",
      collectBridges,
    )
    .option('--ip <addr>', 'announce this address of this host (repeatable)', collect, [])
    .option(
      '--uplink <if>',
      'a bridge port to announce guests on, instead of those found (repeatable)',
      collect,
      [],
    );
}

/** `--guests BRIDGE` adds a bridge; a bare `--guests` (commander's `true`) stands for them all. */
function collectBridges(value: string, previous: true | string[] | undefined): true | string[] {
  return previous === true ? true : [...(previous ?? []), value];
}

/** `arpkit announce` options as commander hands them over (strings, unvalidated). */
export interface AnnounceArgs extends SelectorArgs {
  readonly macFrame: 'rarp' | 'learn';
  readonly force?: boolean;
  readonly schedule?: string;
  readonly rounds?: string;
  readonly spacing?: string;
  readonly rate: string;
  readonly dryRun?: boolean;
  readonly json?: boolean;
  readonly pcap?: string;
}

/** Spacing of `--rounds N` without `--spacing`: over Linux's 1 s neighbour `locktime`. */
export const DEFAULT_SPACING_MS = 1100;

/** What to announce, from the selectors; the planner checks them against the host. */
export function announceOptions(args: AnnounceArgs): AnnounceOptions {
  return {
    ifaces: args.iface,
    all: args.all === true,
    guests: args.guests === undefined ? undefined : args.guests === true ? 'all' : args.guests,
    ips: args.ip.map((text) => parseAddress('--ip', text, parseAnnounceIp)),
    uplinks: args.uplink,
    macFrame: args.macFrame,
    force: args.force === true,
  };
}

/**
 * When each round starts, in ms from the first: `--schedule 0,1.1s,5s`, or `--rounds N`
 * `--spacing D` (N rounds D apart), or the default 0, 1.1 s, 5 s.
 */
export function scheduleOf(args: AnnounceArgs): number[] {
  if (args.schedule !== undefined) {
    if (args.rounds !== undefined || args.spacing !== undefined) {
      const other = args.rounds !== undefined ? '--rounds' : '--spacing';
      throw new UsageError(`--schedule: give either --schedule or ${other}, not both`);
    }
    return parseSchedule(args.schedule);
  }
  if (args.rounds === undefined && args.spacing === undefined) return [...DEFAULT_SCHEDULE_MS];
  const rounds = args.rounds === undefined ? 3 : parseWhole('--rounds', args.rounds, 1, MAX_ROUNDS);
  const spacing =
    args.spacing === undefined ? DEFAULT_SPACING_MS : parseDuration('--spacing', args.spacing);
  if (spacing < 1) {
    throw new UsageError(
      `--spacing: "${args.spacing}" is not a time between rounds of 1ms or more`,
    );
  }
  if (spacing * (rounds - 1) > MAX_OFFSET_MS) {
    throw new UsageError(`--spacing: ${rounds} rounds ${args.spacing} apart last over an hour`);
  }
  return Array.from({ length: rounds }, (_, round) => round * spacing);
}

function parseSchedule(text: string): number[] {
  const offsets = text.split(',').map((part) => parseDuration('--schedule', part));
  if (offsets.length > MAX_ROUNDS) {
    throw new UsageError(`--schedule: "${text}" has more than ${MAX_ROUNDS} rounds`);
  }
  for (let i = 0; i < offsets.length; i++) {
    const offset = offsets[i]!;
    if (offset > MAX_OFFSET_MS || (i > 0 && offset <= offsets[i - 1]!)) {
      throw new UsageError(
        `--schedule: "${text}" is not a rising list of times from the start, up to 1h (e.g. 0,1.1s,5s)`,
      );
    }
  }
  return offsets;
}

/** `--rate`: frames per second on each link, 0 for unpaced. */
export function rateOf(args: AnnounceArgs): number {
  return parseWhole('--rate', args.rate, 0, MAX_RATE);
}

import { type Command, Option } from 'commander';
import {
  buildWatchConfig,
  EVENT_KINDS,
  type EventKind,
  type WatchInput,
} from '../watch/config-build.js';
import { ConfigError, loadConfig } from '../watch/config-file.js';
import { describeConfig } from '../watch/describe-config.js';
import { isJournalStream, WatchLog } from '../watch/log.js';
import {
  type ListenAddress,
  ListenError,
  MetricsServeError,
  parseListen,
} from '../io/metrics-server.js';
import { WatchMetrics } from '../watch/metrics.js';
import type { WatchConfig } from '../watch/watch-config.js';
import { addSelectors, type SelectorArgs } from './announce-args.js';
import { Exit, RuntimeError, UsageError } from './errors.js';
import type { Io } from './io.js';
import { collect } from './values.js';

const WATCH_HELP = `
Triggers (each kind has its own schedule; --schedule KIND=LIST changes it, --off KIND turns it off):
  start          once, when arpkit watch starts                       0,1.1s,5s
  bond-failover  a --bond's failover event or active-slave change     0,1.1s,5s
  carrier-up     carrier up on a --link, a --bond or an uplink port
                 of a --bridge (peer ports may not forward at once)  0,1.1s,5s,15s
  port-change    a port joins or leaves a --bridge                    0,1.1s,5s
  mac-change     a --link, --bond or --bridge changes its MAC         0,1.1s,5s
  address-added  an --address appears on this host (a VIP taken over) 0,1.1s,5s
  guest-learned  (off unless --learn-guests) a new guest MAC on a
                 --bridge: that MAC alone, once                       0
  refresh        (off unless --refresh) every DURATION while idle     0

What is announced is what arpkit announce --iface/--all/--guests/--ip would (default --all).
The bridges of --guests, the links of --iface and the addresses of --ip are watched too.
Events within --coalesce (50ms) of an announcement's start join one restart of the schedule.

The configuration can come from a YAML or JSON file instead (--config; see contrib/watch.yaml);
SIGHUP reloads it (a file with an error keeps the running configuration), SIGTERM/SIGINT stop.

Examples:
  arpkit watch --bond bond0 --guests br0               # a hypervisor on an active-backup bond
  arpkit watch --address 192.0.2.10 --iface eth0       # announce when keepalived adds the VIP
  arpkit watch --config /etc/arpkit/watch.yaml --check # validate a file, print what it means
  arpkit watch --config /etc/arpkit/watch.yaml --json --metrics 127.0.0.1:9468

Logs go to standard error, one line per trigger and per announcement (--json: JSON lines).
Exit status: 0 after SIGTERM/SIGINT or --check, 1 when it cannot start, 2 for a usage error.`;

/** `arpkit watch` options as commander hands them over. */
interface WatchArgs extends SelectorArgs {
  readonly config?: string;
  readonly check?: boolean;
  readonly macFrame?: 'rarp' | 'learn';
  readonly rate?: string;
  readonly bond: string[];
  readonly link: string[];
  readonly bridge: string[];
  readonly address: string[];
  readonly schedule: string[];
  readonly off: string[];
  readonly learnGuests?: boolean;
  readonly coalesce?: string;
  readonly refresh?: string;
  readonly json?: boolean;
  readonly metrics?: string;
}

/** The flags a configuration file replaces: `--config` with any of them is a usage error. */
const CONFIG_FLAGS: ReadonlyArray<[keyof WatchArgs, string]> = [
  ['iface', '--iface'],
  ['all', '--all'],
  ['guests', '--guests'],
  ['ip', '--ip'],
  ['uplink', '--uplink'],
  ['macFrame', '--mac-frame'],
  ['rate', '--rate'],
  ['bond', '--bond'],
  ['link', '--link'],
  ['bridge', '--bridge'],
  ['address', '--address'],
  ['schedule', '--schedule'],
  ['off', '--off'],
  ['learnGuests', '--learn-guests'],
  ['coalesce', '--coalesce'],
  ['refresh', '--refresh'],
];

/** Adds `arpkit watch` to the program. */
export function registerWatch(program: Command, io: Io, run: { status: number }): void {
  const command = program
    .command('watch')
    .description('announce by itself when a failover happens (rtnetlink events)')
    .option('--config <file>', 'the configuration, YAML or JSON (instead of the flags below)')
    .option('--check', 'check the configuration, print what it means, and exit')
    .option('--bond <bond>', 'announce when this bond fails over (repeatable)', collect, [])
    .option('--link <if>', "announce when this link's carrier comes up or MAC changes", collect, [])
    .option('--bridge <br>', "announce when this bridge's ports change (repeatable)", collect, [])
    .option(
      '--address <ip>',
      'announce when this address appears here; "any" (repeatable)',
      collect,
      [],
    );
  addSelectors(command)
    .addOption(
      new Option(
        '--mac-frame <kind>',
        'the frame for a MAC without an address (default rarp)',
      ).choices(['rarp', 'learn']),
    )
    .option('--rate <pps>', 'frames a second on each link; 0 sends unpaced (default 1000)')
    .option(
      '--schedule <kind=list>',
      'the schedule of a trigger kind, e.g. carrier-up=0,2s,10s',
      collect,
      [],
    )
    .option('--off <kind>', 'turn a trigger kind off (repeatable)', collect, [])
    .option('--learn-guests', 'announce each guest MAC a --bridge learns, once')
    .option('--coalesce <duration>', 'events this close to a start join it (default 50ms)')
    .option('--refresh <duration>', 'announce everything this often while idle (e.g. 100s)')
    .option('--json', 'log JSON lines')
    .option('--metrics <host:port>', 'serve Prometheus metrics at http://HOST:PORT/metrics')
    .addHelpText('after', WATCH_HELP)
    .action(async (args: WatchArgs) => {
      run.status = await runWatch(args, io);
    });
}

async function runWatch(args: WatchArgs, io: Io): Promise<number> {
  const listen = listenOf(args);
  const config = await configOf(args);
  if (args.check) {
    io.stdout.write(`${args.config ?? 'flags'}: ok: watching ${describeConfig(config)}\n`);
    return Exit.OK;
  }
  const log = new WatchLog(io.stderr, {
    json: args.json === true,
    clock: io.clock,
    journal: isJournalStream(process.env, 2),
  });
  const { runDaemon } = await import('../watch/daemon.js');
  const file = args.config;
  await runDaemon({
    config,
    reload: file === undefined ? undefined : () => loadConfig(file),
    clock: io.clock,
    readHost: io.host,
    openLink: (name) => io.links.open(name),
    log,
    metrics: listen === undefined ? undefined : new WatchMetrics(),
    listen,
    signals: process,
  }).catch((error: unknown) => {
    if (error instanceof MetricsServeError) throw new RuntimeError(error.message);
    throw error;
  });
  return Exit.OK;
}

function listenOf(args: WatchArgs): ListenAddress | undefined {
  if (args.metrics === undefined) return undefined;
  try {
    return parseListen(args.metrics);
  } catch (error) {
    if (error instanceof ListenError) throw new UsageError(error.message);
    throw error;
  }
}

/** The configuration from `--config FILE` or from the flags. */
async function configOf(args: WatchArgs): Promise<WatchConfig> {
  if (args.config !== undefined) {
    const given = CONFIG_FLAGS.filter(([key]) => {
      const value = args[key];
      return Array.isArray(value) ? value.length > 0 : value !== undefined;
    });
    if (given.length > 0) {
      const flags = given.map(([, flag]) => flag).join(', ');
      throw new UsageError(`--config: the file says what to watch; drop ${flags}`);
    }
    try {
      return await loadConfig(args.config);
    } catch (error) {
      if (error instanceof ConfigError) throw new UsageError(error.message);
      throw error;
    }
  }
  return buildWatchConfig(inputOf(args), (path, message) => {
    const flag = flagOf(path);
    throw new UsageError(flag === undefined ? message : `${flag}: ${message}`);
  });
}

/** The flags as the input of the configuration builder. */
function inputOf(args: WatchArgs): WatchInput {
  const triggers: Partial<Record<EventKind, boolean | string[]>> = {};
  for (const kind of args.off) triggers[triggerKind('--off', kind)] = false;
  if (args.learnGuests) triggers['guest-learned'] = true;
  for (const text of args.schedule) {
    const equals = text.indexOf('=');
    if (equals < 0) {
      throw new UsageError(
        `--schedule: "${text}" is not KIND=LIST (e.g. carrier-up=0,1.1s,5s,15s)`,
      );
    }
    const kind = triggerKind('--schedule', text.slice(0, equals));
    triggers[kind] = text.slice(equals + 1).split(',');
  }
  const input: WatchInput = {
    iface: args.iface,
    ip: args.ip,
    uplink: args.uplink,
    bonds: args.bond,
    links: args.link,
    bridges: args.bridge,
    addresses: args.address.includes('any') ? 'any' : args.address,
    triggers,
  };
  return {
    ...input,
    ...(args.all === undefined ? {} : { all: true }),
    ...(args.guests === undefined ? {} : { guests: args.guests }),
    ...(args.macFrame === undefined ? {} : { macFrame: args.macFrame }),
    ...(args.rate === undefined ? {} : { rate: rateOf(args.rate) }),
    ...(args.coalesce === undefined ? {} : { coalesce: args.coalesce }),
    ...(args.refresh === undefined ? {} : { refresh: args.refresh }),
  };
}

function rateOf(text: string): number {
  if (!/^\d+$/.test(text.trim())) {
    throw new UsageError(`--rate: "${text}" is not a whole number of frames a second`);
  }
  return Number(text);
}

function triggerKind(flag: string, text: string): EventKind {
  const kind = EVENT_KINDS.find((known) => known === text);
  if (kind === undefined) {
    const hint = text === 'refresh' ? ' (use --refresh DURATION)' : '';
    throw new UsageError(
      `${flag}: "${text}" is not a trigger kind${hint} (kinds: ${EVENT_KINDS.join(', ')})`,
    );
  }
  return kind;
}

/** The flag a path of the configuration builder's input came from; none for the whole. */
function flagOf(path: readonly (string | number)[]): string | undefined {
  const [key, kind] = path;
  const flags: Readonly<Record<string, string>> = {
    iface: '--iface',
    all: '--all',
    guests: '--guests',
    ip: '--ip',
    uplink: '--uplink',
    macFrame: '--mac-frame',
    rate: '--rate',
    bonds: '--bond',
    links: '--link',
    bridges: '--bridge',
    addresses: '--address',
    coalesce: '--coalesce',
    refresh: '--refresh',
  };
  if (key === 'triggers') return kind === undefined ? undefined : `--schedule ${String(kind)}`;
  return typeof key === 'string' ? flags[key] : undefined;
}

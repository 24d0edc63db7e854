import type { Command } from 'commander';
import {
  type ListenAddress,
  ListenError,
  MetricsServeError,
  parseListen,
  serveMetrics,
} from '../io/metrics-server.js';
import { OutputClosed } from '../io/output.js';
import { Analyzer } from '../monitor/analyzer.js';
import { LiveMonitor, type StopReason } from '../monitor/live.js';
import { MonitorMetrics } from '../monitor/monitor-metrics.js';
import { buildReport, type Report } from '../monitor/report.js';
import type { Subnets } from '../monitor/subnets.js';
import { AsciiWriter } from './ascii-writer.js';
import { addDetectOptions, type DetectFlags, detectHelp, detectSettings } from './detect-args.js';
import { Exit, RuntimeError, UsageError } from './errors.js';
import { FindingOutput } from './finding-output.js';
import type { Io, ListeningLink } from './io.js';
import { openStore } from './store-open.js';
import { collect, parseDuration, parseWhole } from './values.js';

const EXAMPLES = `
Output (one line per finding as it happens; the report when stopped):
  2026-11-22 10:12:31.402117 eth0 ip-conflict 192.0.2.10 claimed by … frames 3,7

Examples:
  arpkit monitor -i eth0
  arpkit monitor -i bond0 -i br0 --json --metrics 127.0.0.1:9469
  arpkit monitor -i eth0 --db /var/lib/arpkit/bindings.db --net 192.0.2.0/24
  arpkit monitor -i eth0 --duration 10m --quiet --fail-on storm

Frame numbers count the frames of each interface from 1. Without --net, the bogon check uses
the IPv4 subnets configured on the interfaces (none: no bogon check). SIGINT or SIGTERM stops
it and prints the report with the kernel's counters (frames received, dropped).

Exit status: 0 when stopped by a signal, --count or --duration and no --fail-on kind was
found; 1 when an interface cannot be opened (no CAP_NET_RAW, no such interface) or a
--fail-on kind was found; 2 for a usage error.`;

/** The options of `arpkit monitor`, as commander hands them over. */
interface MonitorFlags extends DetectFlags {
  readonly iface: string[];
  readonly promiscuous: boolean;
  readonly count?: string;
  readonly duration?: string;
  readonly metrics?: string;
}

/** Adds `arpkit monitor` to the program. */
export function registerMonitor(program: Command, io: Io, run: { status: number }): void {
  const command = program
    .command('monitor')
    .description('watch interfaces live and name ARP trouble as it happens')
    .option('-i, --iface <if>', 'listen on this interface (repeatable)', collect, [])
    .option('-p, --no-promiscuous', 'do not put the interfaces into promiscuous mode')
    .option('-c, --count <n>', 'stop after this many frames')
    .option('--duration <time>', 'stop after this long (e.g. 30s, 10m)')
    .option('--metrics <host:port>', 'serve Prometheus metrics at http://HOST:PORT/metrics');
  addDetectOptions(command)
    .addHelpText('after', `${detectHelp()}\n${EXAMPLES}`)
    .action(async (flags: MonitorFlags) => {
      run.status = await runMonitor(flags, io);
    });
}

/** One run of `arpkit monitor`. */
async function runMonitor(flags: MonitorFlags, io: Io): Promise<number> {
  if (flags.iface.length === 0)
    throw new UsageError('--iface: name at least one interface to listen on');
  const settings = detectSettings(flags);
  const count =
    flags.count === undefined
      ? undefined
      : parseWhole('--count', flags.count, 1, Number.MAX_SAFE_INTEGER);
  const durationMs =
    flags.duration === undefined ? undefined : parseDuration('--duration', flags.duration);
  const listen = listenOf(flags.metrics);
  if (settings.nets.isEmpty) await learnSubnets(settings.nets, flags.iface, io);
  // Each listening link holds a libuv pool thread while it waits for frames.
  process.env['UV_THREADPOOL_SIZE'] ??= String(Math.max(4, flags.iface.length + 2));
  const out = new AsciiWriter(io.stdout);
  const output = new FindingOutput(out, settings, flags.iface.length > 1);
  const store = settings.db === undefined ? undefined : await openStore(settings.db);
  const links: ListeningLink[] = [];
  try {
    for (const iface of flags.iface) {
      links.push(await io.links.listen(iface, { promiscuous: flags.promiscuous }));
    }
    const analyzer = new Analyzer({
      thresholds: settings.thresholds,
      nets: settings.nets,
      verbose: settings.verbose,
      onFinding: (finding, print) => {
        output.finding(finding, print);
        out.flush();
      },
      ...(store === undefined ? {} : { store }),
    });
    const stop = new AbortController();
    const live = new LiveMonitor({
      links,
      analyzer,
      clock: io.clock,
      stop: stop.signal,
      ...(count === undefined ? {} : { count }),
      ...(durationMs === undefined ? {} : { durationMs }),
      everySecond: () => store?.commit(),
    });
    const metrics = new MonitorMetrics({
      interfaces: () => live.interfaces,
      findings: () => analyzer.tally.byKind,
      evicted: () => analyzer.evicted(),
    });
    const server = listen === undefined ? undefined : await serve(listen, metrics);
    const onSignal = () => stop.abort();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const mode = flags.promiscuous ? 'promiscuous' : 'not promiscuous';
    io.stderr.write(
      `arpkit: listening on ${flags.iface.join(', ')} (ARP, RARP, ND; ${mode})${server === undefined ? '' : `, metrics on http://${server.address}/metrics`}\n`,
    );
    let reason: StopReason;
    try {
      reason = await live.run();
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await server?.close();
    }
    analyzer.finish(io.clock.now());
    store?.commit();
    const report = withKernel(buildReport(flags.iface.join(','), analyzer), live);
    output.report(report);
    for (const [iface, figures] of live.interfaces) {
      const { packets, drops } = figures.kernel;
      io.stderr.write(
        `arpkit: ${iface}: ${packets} frames received by filter, ${drops} dropped by kernel (stopped: ${reason})\n`,
      );
    }
    out.flush();
    return output.failed ? Exit.FAILURE : Exit.OK;
  } catch (error) {
    if (error instanceof OutputClosed) return Exit.OK;
    throw error;
  } finally {
    await Promise.all(links.map((link) => link.close()));
    store?.close();
  }
}

/** The report with each interface's frame count and the kernel's counters. */
function withKernel(
  report: Report,
  live: LiveMonitor,
): Report & { interfaces: Record<string, unknown> } {
  const interfaces: Record<string, unknown> = {};
  for (const [iface, figures] of live.interfaces) {
    interfaces[iface] = {
      frames: figures.number,
      kernelPackets: figures.kernel.packets,
      kernelDrops: figures.kernel.drops,
    };
  }
  return { ...report, interfaces };
}

function listenOf(text: string | undefined): ListenAddress | undefined {
  if (text === undefined) return undefined;
  try {
    return parseListen(text);
  } catch (error) {
    if (error instanceof ListenError) throw new UsageError(error.message);
    throw error;
  }
}

async function serve(listen: ListenAddress, metrics: MonitorMetrics) {
  try {
    return await serveMetrics(listen, metrics, { title: 'arpkit monitor' });
  } catch (error) {
    if (error instanceof MetricsServeError) throw new RuntimeError(error.message);
    throw error;
  }
}

/** Adds the IPv4 subnets configured on `ifaces` to `nets` (the segment's, for the bogon check). */
async function learnSubnets(nets: Subnets, ifaces: readonly string[], io: Io): Promise<void> {
  const host = await io.host();
  for (const iface of ifaces) {
    const link = host.linkNamed(iface);
    if (link === undefined) continue;
    for (const address of host.addressesOf(link.index)) {
      if (address.family === 'ipv4') nets.learn(address.ip, address.prefixLength);
    }
  }
}

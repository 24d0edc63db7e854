/**
 * `arpkit watch` as a process: the rtnetlink event socket feeding the watcher, the metrics
 * server, and the signals a service manager sends. SIGHUP reloads the configuration file (a
 * file that does not load leaves the running configuration in place, and says why); SIGTERM and
 * SIGINT stop it cleanly: the schedule running is aborted, sockets and server are closed, and
 * the promise resolves, well within a second.
 */
import { RtnlGroup } from '../host/rtnetlink-abi.js';
import type { HostSnapshot } from '../host/snapshot.js';
import { NetlinkEventSocket } from '../link/sys/netlink-events.js';
import type { OsError } from '../link/sys/os-error.js';
import type { Clock } from '../time/clock.js';
import type { LinkOpen } from './link-pool.js';
import type { WatchLog } from './log.js';
import type { WatchMetrics } from './metrics.js';
import { type ListenAddress, type MetricsServer, serveMetrics } from '../io/metrics-server.js';
import { describeConfig } from './describe-config.js';
import { Watcher } from './watcher.js';
import type { WatchConfig } from './watch-config.js';

/** Where signals come from: `process` in the daemon. */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  off(signal: NodeJS.Signals, listener: () => void): unknown;
}

/** Everything one run of the daemon is made of. */
export interface DaemonOptions {
  readonly config: WatchConfig;
  /** Reloads the configuration on SIGHUP; undefined when it came from flags. */
  readonly reload: (() => Promise<WatchConfig>) | undefined;
  readonly clock: Clock;
  readonly readHost: () => Promise<HostSnapshot>;
  readonly openLink: LinkOpen;
  readonly log: WatchLog;
  readonly metrics: WatchMetrics | undefined;
  /** Where `--metrics` serves, already parsed. */
  readonly listen: ListenAddress | undefined;
  readonly signals: SignalSource;
}

/** The rtnetlink groups `config` needs: links always, addresses and FDBs when watched. */
export function groupsFor(config: WatchConfig): number[] {
  const groups: number[] = [RtnlGroup.LINK];
  if (config.schedules.has('address-added')) {
    groups.push(RtnlGroup.IPV4_IFADDR, RtnlGroup.IPV6_IFADDR);
  }
  if (config.schedules.has('guest-learned')) groups.push(RtnlGroup.NEIGH);
  return groups;
}

/** Runs the daemon until SIGTERM or SIGINT. Start-up failures reject; later ones are logged. */
export async function runDaemon(options: DaemonOptions): Promise<void> {
  const { log, metrics, signals } = options;
  let config = options.config;
  const watcher = new Watcher(config, options);
  let socket = subscribe(config, watcher, options);
  let server: MetricsServer | undefined;

  // Signals are taken from the first moment: a SIGHUP or SIGTERM sent as soon as a line is
  // printed must never meet the default action (which ends the process). A reload waits until
  // the daemon has started; a stop during start-up stops it once started.
  let ready!: () => void;
  const started = new Promise<void>((resolve) => (ready = resolve));
  let reloading = started;
  const reload = () => {
    reloading = reloading.then(async () => {
      if (options.reload === undefined) {
        log.warn('reload', 'SIGHUP: nothing to reload (the configuration came from flags)', {});
        return;
      }
      let next: WatchConfig;
      try {
        next = await options.reload();
      } catch (error) {
        metrics?.reloaded(false);
        const message = error instanceof Error ? error.message : String(error);
        log.error('reload', `reload failed, keeping the running configuration: ${message}`, {});
        return;
      }
      const regroup = groupsFor(next).join() !== groupsFor(config).join();
      config = next;
      watcher.reload(next);
      if (regroup) {
        await socket.close();
        socket = subscribe(next, watcher, options);
      }
      metrics?.reloaded(true);
      log.info('reload', `reloaded: watching ${describeConfig(next)}`, {});
    });
  };
  let stopRequested!: () => void;
  const stopped = new Promise<void>((resolve) => (stopRequested = resolve));
  const release = () => {
    signals.off('SIGTERM', onTerm);
    signals.off('SIGINT', onInt);
    signals.off('SIGHUP', reload);
  };
  const stop = (signal: NodeJS.Signals) => () => {
    release();
    log.info('stop', `${signal}: stopping`, { signal });
    stopRequested();
  };
  const onTerm = stop('SIGTERM');
  const onInt = stop('SIGINT');
  signals.on('SIGTERM', onTerm);
  signals.on('SIGINT', onInt);
  signals.on('SIGHUP', reload);

  try {
    await watcher.start();
    if (options.listen !== undefined && metrics !== undefined) {
      server = await serveMetrics(options.listen, metrics, {
        title: 'arpkit watch',
        onError: (error) => log.error('metrics', `metrics server: ${error.message}`, {}),
      });
      log.info('metrics', `metrics on http://${server.address}/metrics`, {
        address: server.address,
      });
    }
  } catch (error) {
    release();
    await watcher.stop();
    await socket.close();
    throw error;
  }
  log.info('ready', `watching ${describeConfig(config)}`, {});
  ready();
  await stopped;
  await reloading;
  await Promise.all([watcher.stop(), socket.close(), server?.close()]);
}

/** An event socket for `config`'s groups, its batches going to `watcher`. */
function subscribe(
  config: WatchConfig,
  watcher: Watcher,
  options: DaemonOptions,
): NetlinkEventSocket {
  const socket = NetlinkEventSocket.open(groupsFor(config));
  socket.start({
    datagrams: (batch) => watcher.events(batch),
    overrun: () => void watcher.overrun(),
    error: (error: OsError) =>
      options.log.error('netlink', `rtnetlink events: ${error.message}`, {}),
  });
  return socket;
}

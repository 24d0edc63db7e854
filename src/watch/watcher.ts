/**
 * The watch daemon's core, without its sockets: it is handed the datagrams rtnetlink sent (or a
 * test's bytes), turns them into events and triggers, logs and counts each trigger, and starts
 * announcements. A netlink overrun makes it read the host afresh and trigger on what changed in
 * the gap. It also triggers once at start (when `start` is on) and every `refresh` when nothing
 * runs. Nothing it is given can crash it: a message it cannot read is counted and passed over.
 */
import { readEvents } from '../host/events.js';
import type { HostSnapshot } from '../host/snapshot.js';
import type { Clock } from '../time/clock.js';
import { Announcements } from './announcements.js';
import { type LinkOpen, LinkPool } from './link-pool.js';
import type { WatchLog } from './log.js';
import type { WatchMetrics } from './metrics.js';
import { type Trigger, TriggerDetector } from './triggers.js';
import type { WatchConfig } from './watch-config.js';

/** How long after an overrun the host is read again: the queued datagrams are handled by then. */
const OVERRUN_SETTLE_MS = 20;

/** What the watcher needs from the daemon around it. */
export interface WatcherDeps {
  readonly clock: Clock;
  /** Reads the host now (four rtnetlink dumps in the daemon). */
  readonly readHost: () => Promise<HostSnapshot>;
  readonly openLink: LinkOpen;
  readonly log: WatchLog;
  readonly metrics: WatchMetrics | undefined;
}

export class Watcher {
  #config: WatchConfig;
  readonly #deps: WatcherDeps;
  readonly #detector: TriggerDetector;
  readonly #pool: LinkPool;
  readonly #announcements: Announcements;
  #refresh: AbortController | undefined;

  constructor(config: WatchConfig, deps: WatcherDeps) {
    this.#config = config;
    this.#deps = deps;
    this.#detector = new TriggerDetector(config);
    this.#pool = new LinkPool(deps.openLink);
    this.#announcements = new Announcements(config, { ...deps, pool: this.#pool });
  }

  /** Learns the host as it is now, announces when `start` is on, and starts refreshing. */
  async start(): Promise<void> {
    const at = this.#deps.clock.now();
    this.#detector.reset(await this.#deps.readHost());
    if (this.#config.schedules.has('start')) {
      this.#trigger([{ kind: 'start', text: 'arpkit watch started', guest: undefined }], at);
    }
    this.#startRefresh();
  }

  /** Handles one batch of rtnetlink datagrams that came together. */
  events(datagrams: readonly Uint8Array[]): void {
    const at = this.#deps.clock.now();
    const { events, malformed } = readEvents(datagrams);
    if (malformed > 0) {
      this.#deps.metrics?.malformed(malformed);
      this.#deps.log.warn('malformed', `${malformed} rtnetlink messages could not be read`, {
        malformed,
      });
    }
    const triggers: Trigger[] = [];
    for (const event of events) {
      triggers.push(...this.#detector.apply(event));
      if (event.type === 'link' && event.op === 'del') void this.#pool.forget(event.link.index);
    }
    this.#trigger(triggers, at);
  }

  /**
   * The kernel dropped events (ENOBUFS): reads the host again and triggers on what changed. The
   * socket reports the overrun before the datagrams still queued, which are older than what was
   * lost, so the read waits for them to be handled first.
   */
  async overrun(): Promise<void> {
    const at = this.#deps.clock.now();
    this.#deps.metrics?.overrun();
    this.#deps.log.warn(
      'overrun',
      'rtnetlink events were lost (ENOBUFS): reading the host again',
      {},
    );
    await this.#deps.clock.sleep(OVERRUN_SETTLE_MS);
    let snapshot: HostSnapshot;
    try {
      snapshot = await this.#deps.readHost();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#deps.log.error('read', `cannot read the host after an overrun: ${message}`, {});
      return;
    }
    this.#trigger(this.#detector.resync(snapshot), at);
  }

  /** Runs on `config` from now on; a schedule running keeps its own until it ends. */
  reload(config: WatchConfig): void {
    const refreshChanged = config.refreshMs !== this.#config.refreshMs;
    this.#config = config;
    this.#detector.configure(config);
    this.#announcements.configure(config);
    if (refreshChanged) this.#startRefresh();
  }

  /** Resolves once the announcements asked for so far have started (tests use it). */
  settled(): Promise<void> {
    return this.#announcements.settled();
  }

  /** Stops: aborts what runs, closes the links. */
  async stop(): Promise<void> {
    this.#refresh?.abort();
    await this.#announcements.stop();
    await this.#pool.close();
  }

  #trigger(triggers: readonly Trigger[], at: number): void {
    for (const trigger of triggers) {
      this.#deps.metrics?.triggered(trigger.kind);
      this.#deps.log.info('trigger', `trigger ${trigger.kind}: ${trigger.text}`, {
        kind: trigger.kind,
        what: trigger.text,
      });
    }
    this.#announcements.trigger(triggers, at);
  }

  /** (Re)starts the refresh loop: a one-round announcement every `refreshMs` while idle. */
  #startRefresh(): void {
    this.#refresh?.abort();
    const every = this.#config.refreshMs;
    if (every === undefined) return;
    const stop = new AbortController();
    this.#refresh = stop;
    const { clock } = this.#deps;
    const loop = async () => {
      for (;;) {
        await clock.sleep(every, stop.signal);
        if (stop.signal.aborted) return;
        if (this.#announcements.running) continue;
        const text = `every ${every / 1000} s`;
        this.#trigger([{ kind: 'refresh', text, guest: undefined }], clock.now());
      }
    };
    void loop();
  }
}

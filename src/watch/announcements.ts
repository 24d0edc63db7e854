/**
 * When a watch announces, and the announcements it runs. A trigger starts an announcement at
 * once: the host is read afresh, planned by `arpkit announce`'s planner and sent by its runner,
 * with the schedule of the trigger's kind. A burst coalesces: triggers that come within the
 * coalescing window of the last start wait for the window's end and start one announcement
 * together, with every schedule of their kinds merged. A new start aborts the schedule running
 * (restart, never stacked). A read that finds nothing to announce (a bridge between uplinks
 * during a move) starts nothing and opens no window, so the next trigger is not held back.
 *
 * A guest learned on a bridge is announced on its own, once, beside a running schedule rather
 * than restarting it: it is one MAC, and the schedule running already covers the others.
 */
import { type AnnounceOutcome, runAnnouncement } from '../announce/announcer.js';
import {
  type AnnounceOptions,
  type AnnouncePlan,
  PlanError,
  planAnnouncement,
} from '../announce/plan.js';
import type { HostSnapshot } from '../host/snapshot.js';
import type { Clock } from '../time/clock.js';
import type { LinkPool } from './link-pool.js';
import type { WatchLog } from './log.js';
import type { WatchMetrics } from './metrics.js';
import type { Trigger } from './triggers.js';
import { DEFAULT_SCHEDULES, type WatchConfig } from './watch-config.js';

/** What announcements need from the daemon around them. */
export interface AnnouncementDeps {
  readonly clock: Clock;
  /** Reads the host now. */
  readonly readHost: () => Promise<HostSnapshot>;
  readonly pool: LinkPool;
  readonly log: WatchLog;
  readonly metrics: WatchMetrics | undefined;
}

/** One announcement on the wire. */
interface Running {
  readonly abort: AbortController;
  readonly done: Promise<void>;
}

/** The schedules of `triggers`' kinds merged: every round of each, in time order, once. */
export function mergedSchedule(config: WatchConfig, triggers: readonly Trigger[]): number[] {
  const offsets = new Set<number>();
  for (const { kind } of triggers) {
    for (const offset of config.schedules.get(kind) ?? DEFAULT_SCHEDULES[kind]) offsets.add(offset);
  }
  return [...offsets].sort((a, b) => a - b);
}

/**
 * The announce options for the host as it is now. `--uplink` names candidates: of a pair that a
 * failover switches between, only the one in the bridge at the moment is a port, and the other
 * is left out rather than refused as `arpkit announce` refuses a name that is not a port.
 */
function optionsNow(config: WatchConfig, snapshot: HostSnapshot): AnnounceOptions {
  const { options } = config.announce;
  const isPort = (name: string) => {
    const master = snapshot.linkNamed(name)?.master;
    return master !== undefined && snapshot.link(master)?.kind === 'bridge';
  };
  return { ...options, uplinks: options.uplinks.filter(isPort) };
}

/** `carrier-up (upB: carrier up), port-change (upB joined br0)`: what triggers say, once each. */
function describe(triggers: readonly Trigger[]): string {
  return [...new Set(triggers.map((trigger) => `${trigger.kind} (${trigger.text})`))].join(', ');
}

export class Announcements {
  #config: WatchConfig;
  readonly #deps: AnnouncementDeps;
  /** Triggers waiting for the next start, and when the first of their events came. */
  #pending: Trigger[] = [];
  #pendingSince = Number.POSITIVE_INFINITY;
  #lastStart = Number.NEGATIVE_INFINITY;
  /** Serialises starts: one read-plan-start at a time. */
  #chain: Promise<void> = Promise.resolve();
  #queued = false;
  #windowTimer: Promise<void> | undefined;
  #current: Running | undefined;
  readonly #guests = new Set<Running>();
  readonly #stopped = new AbortController();

  constructor(config: WatchConfig, deps: AnnouncementDeps) {
    this.#config = config;
    this.#deps = deps;
  }

  /** Uses `config` for announcements that start from now on. */
  configure(config: WatchConfig): void {
    this.#config = config;
  }

  /** Whether a schedule is running. */
  get running(): boolean {
    return this.#current !== undefined;
  }

  /**
   * Takes the triggers one batch of events caused; `eventAt` is when the batch came (the
   * latency to the first frame counts from it).
   */
  trigger(triggers: readonly Trigger[], eventAt: number): void {
    if (this.#stopped.signal.aborted || triggers.length === 0) return;
    const full = triggers.filter((trigger) => trigger.kind !== 'guest-learned');
    if (full.length === 0) {
      this.#chain = this.#chain.then(() => this.#announceGuests(triggers, eventAt));
      return;
    }
    this.#pending.push(...full);
    this.#pendingSince = Math.min(this.#pendingSince, eventAt);
    this.#kick();
  }

  /** Resolves once every start asked for so far has been made (tests and stop use it). */
  settled(): Promise<void> {
    return this.#chain;
  }

  /** Aborts what runs and waits for it; nothing starts afterwards. */
  async stop(): Promise<void> {
    this.#stopped.abort();
    await this.#chain;
    const running = [...this.#guests, ...(this.#current === undefined ? [] : [this.#current])];
    for (const run of running) run.abort.abort();
    await Promise.all(running.map((run) => run.done));
  }

  #kick(): void {
    if (this.#queued) return;
    this.#queued = true;
    this.#chain = this.#chain.then(() => {
      this.#queued = false;
      return this.#start();
    });
  }

  async #start(): Promise<void> {
    const { clock, log } = this.#deps;
    if (this.#pending.length === 0 || this.#stopped.signal.aborted) return;
    const wait = this.#lastStart + this.#config.coalesceMs - clock.now();
    if (wait > 0) {
      this.#windowTimer ??= clock.sleep(wait, this.#stopped.signal).then(() => {
        this.#windowTimer = undefined;
        this.#kick();
      });
      return;
    }
    const triggers = this.#pending;
    const eventAt = this.#pendingSince;
    this.#pending = [];
    this.#pendingSince = Number.POSITIVE_INFINITY;
    const what = describe(triggers);
    const read = await this.#read(what, (snapshot) => optionsNow(this.#config, snapshot));
    if (read === undefined) return;
    const { snapshot, plan } = read;
    for (const note of plan.skipped) log.info('skipped', `skipped: ${note}`, { trigger: what });
    if (plan.frames.length === 0) {
      log.warn('nothing', `nothing to announce after ${what}`, { trigger: what });
      return;
    }
    if (this.#current !== undefined) {
      this.#current.abort.abort();
      await this.#current.done;
    }
    this.#lastStart = clock.now();
    await this.#launch({ what, plan, snapshot, eventAt, triggers });
  }

  /**
   * The host read now and its plan with the options `optionsFor` gives for it, or undefined
   * (logged) when the read failed or the planner found nothing to announce.
   */
  async #read(
    what: string,
    optionsFor: (snapshot: HostSnapshot) => AnnounceOptions,
  ): Promise<{ snapshot: HostSnapshot; plan: AnnouncePlan } | undefined> {
    const { log } = this.#deps;
    let snapshot: HostSnapshot;
    try {
      snapshot = await this.#deps.readHost();
    } catch (error) {
      log.error('read', `cannot read the host after ${what}: ${messageOf(error)}`, {
        trigger: what,
      });
      return undefined;
    }
    try {
      return { snapshot, plan: planAnnouncement(snapshot, optionsFor(snapshot)) };
    } catch (error) {
      if (!(error instanceof PlanError)) throw error;
      log.warn('nothing', `nothing to announce after ${what}: ${error.message}`, { trigger: what });
      return undefined;
    }
  }

  /** The learned guests' frames, once, beside whatever runs. */
  async #announceGuests(triggers: readonly Trigger[], eventAt: number): Promise<void> {
    if (this.#stopped.signal.aborted) return;
    const what = describe(triggers);
    const guests = triggers.flatMap((trigger) =>
      trigger.guest === undefined ? [] : [trigger.guest],
    );
    const bridges = [...new Set(guests.map((guest) => guest.bridge))];
    const read = await this.#read(what, (snapshot) => ({
      ...optionsNow(this.#config, snapshot),
      ifaces: [],
      all: false,
      ips: [],
      guests: bridges,
    }));
    if (read === undefined) return;
    const macs = new Set(guests.map((guest) => guest.mac));
    const frames = read.plan.frames.filter((frame) => macs.has(frame.spec.mac));
    if (frames.length > 0) {
      const plan = { frames, skipped: [] };
      await this.#launch({ what, plan, snapshot: read.snapshot, eventAt, triggers });
    }
  }

  /**
   * Starts sending `plan` on its schedule, as the current run (or, for guests alone, one of the
   * guest runs) until the schedule ends.
   */
  async #launch(start: {
    what: string;
    plan: AnnouncePlan;
    snapshot: HostSnapshot;
    eventAt: number;
    triggers: readonly Trigger[];
  }): Promise<void> {
    const { clock, log, metrics, pool } = this.#deps;
    const { what, snapshot, eventAt, triggers } = start;
    const egresses = [...new Set(start.plan.frames.map((frame) => frame.egress))];
    const { links, failures } = await pool.get(egresses, snapshot);
    for (const [egress, message] of failures) {
      log.error('open', `${egress}: cannot open: ${message}`, { link: egress, trigger: what });
    }
    const plan = { ...start.plan, frames: start.plan.frames.filter((f) => links.has(f.egress)) };
    const offsetsMs = mergedSchedule(this.#config, triggers);
    const abort = new AbortController();
    let first: number | undefined;
    const isMain = triggers.some((trigger) => trigger.kind !== 'guest-learned');
    if (isMain) metrics?.announcing(true);
    const outcome = runAnnouncement({
      plan,
      offsetsMs,
      rate: this.#config.announce.rate,
      clock,
      links,
      signal: abort.signal,
      onBatch: (batch) => {
        if (first === undefined) {
          first = batch.timeMs;
          metrics?.firstFrame(Math.max(0, first - eventAt) / 1000);
        }
        metrics?.sent(batch);
      },
      onFailure: (failure) => {
        metrics?.failed(failure);
        log.warn(
          'send',
          `${failure.egress}: round ${failure.round + 1}: ${failure.frames.length} frames not sent: ${failure.message}`,
          {
            link: failure.egress,
            round: failure.round + 1,
            frames: failure.frames.length,
          },
        );
      },
    });
    const run: Running = {
      abort,
      done: outcome.then(
        (result) => {
          this.#ended(run);
          metrics?.announced(result.durationMs / 1000);
          this.#report(what, offsetsMs, result, first === undefined ? undefined : first - eventAt);
        },
        (error: unknown) => {
          this.#ended(run);
          log.error('announce', `announcement after ${what} failed: ${messageOf(error)}`, {});
        },
      ),
    };
    if (isMain) this.#current = run;
    else this.#guests.add(run);
  }

  #ended(run: Running): void {
    this.#guests.delete(run);
    if (this.#current !== run) return;
    this.#current = undefined;
    this.#deps.metrics?.announcing(false);
  }

  /** The log line of an announcement that ended (or was cut short by a restart or a stop). */
  #report(
    what: string,
    offsetsMs: readonly number[],
    outcome: AnnounceOutcome,
    firstMs: number | undefined,
  ): void {
    const sent = outcome.links.reduce((sum, link) => sum + link.sent, 0);
    const failed = outcome.links.reduce((sum, link) => sum + link.failed, 0);
    const links = outcome.links.map((link) => link.egress);
    const parts = [
      `announced after ${what}: ${sent} frames on ${links.join(', ') || 'no link'}`,
      `${offsetsMs.length} ${offsetsMs.length === 1 ? 'round' : 'rounds'} in ${(outcome.durationMs / 1000).toFixed(2)} s`,
    ];
    if (firstMs !== undefined) parts.push(`first frame ${firstMs.toFixed(1)} ms after the event`);
    if (failed > 0) parts.push(`${failed} not sent`);
    if (outcome.aborted) parts.push('cut short by a restart or stop');
    const fields = {
      trigger: what,
      frames: sent,
      failed,
      links,
      rounds: offsetsMs.length,
      durationMs: Math.round(outcome.durationMs * 10) / 10,
      firstFrameMs: firstMs === undefined ? undefined : Math.round(firstMs * 100) / 100,
      aborted: outcome.aborted,
    };
    const line = parts.join('; ');
    if (failed > 0) this.#deps.log.warn('announce', line, fields);
    else this.#deps.log.info('announce', line, fields);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The Prometheus metrics of `arpkit watch`, on a registry of their own (never prom-client's
 * global one, so two daemons in one test process, or a library user's own metrics, never mix).
 * Methods are named for what the daemon reports; the names of the series are stable.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BatchEvent, FailureEvent } from '../announce/announcer.js';
import { TRIGGER_KINDS, type TriggerKind } from './watch-config.js';

/** What every series of the daemon starts with. */
export const METRIC_PREFIX = 'arpkit_watch_';

/**
 * Buckets of a whole schedule, in seconds. The default schedules end at 5 s (and 15 s after a
 * carrier comes up) plus the pacing of the last round, so 5.5 and 16 tell a schedule that ended
 * on time from one whose rounds ran late.
 */
export const ANNOUNCE_BUCKETS: readonly number[] = Object.freeze([
  0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 5.5, 7.5, 10, 15, 16, 20, 30, 60,
]);

/**
 * Buckets of the time from a kernel event to the first frame, in seconds: fine below the 20 ms
 * target (p99), so the share under 0.02 reads straight off the `le="0.02"` bucket.
 */
export const FIRST_FRAME_BUCKETS: readonly number[] = Object.freeze([
  0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.0125, 0.015, 0.0175, 0.02, 0.025, 0.05, 0.1,
  0.25, 0.5, 1,
]);

/**
 * prom-client's event-loop-delay statistics come from `monitorEventLoopDelay`, a libuv timer
 * that fires every `eventLoopMonitoringPrecision` ms (10 by default) for as long as the process
 * lives: 100 wake-ups a second, about 0.4 % of a CPU on an idle daemon that must stay under
 * 0.1 %. So the timer is set to the longest period libuv takes (about 24.8 days) and the series
 * it feeds are left out: they would report an empty histogram (a minimum of 9.2e9 s). The
 * `nodejs_eventloop_lag_seconds` gauge stays: it is measured with a `setImmediate` when
 * scraped, without a timer (and, as prom-client does it, shows the previous scrape's lag).
 */
const NO_PERIODIC_MONITOR_MS = 2 ** 31 - 1;

/** The default series fed only by that timer. */
export const LEFT_OUT_DEFAULT_METRICS: readonly string[] = Object.freeze(
  ['min', 'max', 'mean', 'stddev', 'p50', 'p90', 'p99'].map(
    (stat) => `nodejs_eventloop_lag_${stat}_seconds`,
  ),
);

/** The counters, histograms and gauge a running watch reports through. */
export class WatchMetrics {
  readonly #registry = new Registry();
  readonly #triggers: Counter<'kind'>;
  readonly #framesSent: Counter<'link' | 'kind'>;
  readonly #sendErrors: Counter<'link'>;
  readonly #announceDuration: Histogram;
  readonly #firstFrame: Histogram;
  readonly #overruns: Counter;
  readonly #malformed: Counter;
  readonly #reloads: Counter<'result'>;
  readonly #announcing: Gauge;

  constructor() {
    const registers = [this.#registry];
    this.#triggers = new Counter({
      name: `${METRIC_PREFIX}triggers_total`,
      help: 'Triggers detected, by kind (a burst coalesces into one announcement).',
      labelNames: ['kind'],
      registers,
    });
    // Every kind exists from the start, at 0, so rate() and absent() work before the first one.
    for (const kind of TRIGGER_KINDS) this.#triggers.inc({ kind }, 0);
    this.#framesSent = new Counter({
      name: `${METRIC_PREFIX}frames_sent_total`,
      help: 'Frames handed to a link, by egress link and frame kind.',
      labelNames: ['link', 'kind'],
      registers,
    });
    this.#sendErrors = new Counter({
      name: `${METRIC_PREFIX}send_errors_total`,
      help: 'Frames a link did not send, by egress link.',
      labelNames: ['link'],
      registers,
    });
    this.#announceDuration = new Histogram({
      name: `${METRIC_PREFIX}announce_duration_seconds`,
      help: 'How long a whole announcement schedule took, every round on every link.',
      buckets: [...ANNOUNCE_BUCKETS],
      registers,
    });
    this.#firstFrame = new Histogram({
      name: `${METRIC_PREFIX}event_to_first_frame_seconds`,
      help: 'From receiving the kernel event that triggered an announcement to its first frame.',
      buckets: [...FIRST_FRAME_BUCKETS],
      registers,
    });
    this.#overruns = new Counter({
      name: `${METRIC_PREFIX}netlink_overruns_total`,
      help: 'Times the rtnetlink socket overran (ENOBUFS) and events were lost.',
      registers,
    });
    this.#malformed = new Counter({
      name: `${METRIC_PREFIX}malformed_events_total`,
      help: 'rtnetlink messages that could not be read.',
      registers,
    });
    this.#reloads = new Counter({
      name: `${METRIC_PREFIX}config_reloads_total`,
      help: 'Configuration reloads (SIGHUP), by result.',
      labelNames: ['result'],
      registers,
    });
    for (const result of ['ok', 'failed']) this.#reloads.inc({ result }, 0);
    this.#announcing = new Gauge({
      name: `${METRIC_PREFIX}announcing`,
      help: '1 while an announcement schedule runs, else 0.',
      registers,
    });
    this.#announcing.set(0);
    collectDefaultMetrics({
      register: this.#registry,
      eventLoopMonitoringPrecision: NO_PERIODIC_MONITOR_MS,
    });
    for (const name of LEFT_OUT_DEFAULT_METRICS) this.#registry.removeSingleMetric(name);
  }

  /** The Content-Type of `text()`: Prometheus text exposition format 0.0.4. */
  get contentType(): string {
    return this.#registry.contentType;
  }

  /** The exposition text of every series, for a scrape. */
  text(): Promise<string> {
    return this.#registry.metrics();
  }

  /** A trigger of `kind` was detected. */
  triggered(kind: TriggerKind): void {
    this.#triggers.inc({ kind });
  }

  /** A batch went out: its frames count per egress link and frame kind. */
  sent(batch: BatchEvent): void {
    this.#linkSeen(batch.egress);
    const byKind = new Map<string, number>();
    for (const { spec } of batch.frames) byKind.set(spec.kind, (byKind.get(spec.kind) ?? 0) + 1);
    for (const [kind, count] of byKind) this.#framesSent.inc({ link: batch.egress, kind }, count);
  }

  /** Frames of a batch did not go (`failure.frames` are those). */
  failed(failure: FailureEvent): void {
    this.#sendErrors.inc({ link: failure.egress }, failure.frames.length);
  }

  /** A whole schedule ended after `durationSeconds`. */
  announced(durationSeconds: number): void {
    observe(this.#announceDuration, durationSeconds);
  }

  /** The first frame after a kernel event went out `latencySeconds` after it was received. */
  firstFrame(latencySeconds: number): void {
    observe(this.#firstFrame, latencySeconds);
  }

  /** The rtnetlink socket overran: events were lost. */
  overrun(): void {
    this.#overruns.inc();
  }

  /** `count` rtnetlink messages could not be read. */
  malformed(count: number): void {
    if (Number.isFinite(count) && count > 0) this.#malformed.inc(count);
  }

  /** A reload (SIGHUP) took the new configuration (`ok`) or kept the old one. */
  reloaded(ok: boolean): void {
    this.#reloads.inc({ result: ok ? 'ok' : 'failed' });
  }

  /** A schedule started (`true`) or the last one ended (`false`). */
  announcing(on: boolean): void {
    this.#announcing.set(on ? 1 : 0);
  }

  /** A link sent frames: its error series exists from now on, at 0 until one fails. */
  #linkSeen(link: string): void {
    this.#sendErrors.inc({ link }, 0);
  }
}

/**
 * Records `seconds`, at least 0 (clocks that step backwards); a value that is not a number is
 * dropped, since prom-client would throw and a metric must never stop the daemon.
 */
function observe(histogram: Histogram, seconds: number): void {
  if (Number.isFinite(seconds)) histogram.observe(Math.max(0, seconds));
}

/**
 * The Prometheus metrics of `arpkit monitor`, on a registry of their own. The hot path only
 * bumps plain numbers (a storm brings hundreds of thousands of frames a second, and a labelled
 * `inc()` costs a hash per call); the series are brought up to date when scraped.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import { FINDING_KINDS, type FindingKind } from './finding.js';

/** What every series of the monitor starts with. */
export const MONITOR_METRIC_PREFIX = 'arpkit_monitor_';

/** The classes `frames_total` counts by. */
export const FRAME_CLASSES = [
  'arp-request',
  'arp-reply',
  'arp-other',
  'rarp',
  'nd',
  'other',
  'malformed',
] as const;
export type FrameClass = (typeof FRAME_CLASSES)[number];

/** The numbers one interface reports, read when scraped. */
export interface InterfaceFigures {
  /** Frames by class, in `FRAME_CLASSES` order. */
  readonly frames: readonly number[];
  /** ARP and RARP frames per second over the last whole second. */
  readonly arpRate: number;
  /** The kernel's counters for the socket: accepted by the filter, dropped for lack of room. */
  readonly kernel: { readonly packets: number; readonly drops: number };
}

/** Where the metrics read their numbers. */
export interface MonitorFigures {
  interfaces(): ReadonlyMap<string, InterfaceFigures>;
  /** Findings so far by kind (repeats included). */
  findings(): ReadonlyMap<FindingKind, number>;
  /** Entries forgotten for room, by table. */
  evicted(): Readonly<Record<string, number>>;
}

/** Counters and gauges of a running monitor. */
export class MonitorMetrics {
  readonly #registry = new Registry();
  /** What each counter series has been raised to, so a scrape adds only the difference. */
  readonly #reported = new Map<string, number>();

  constructor(source: MonitorFigures) {
    const registers = [this.#registry];
    const reported = this.#reported;
    const raise = (
      counter: Counter<string>,
      series: string,
      labels: Record<string, string>,
      total: number,
    ) => {
      const id = JSON.stringify([series, labels]);
      const delta = total - (reported.get(id) ?? 0);
      if (delta > 0 || !reported.has(id)) counter.inc(labels, Math.max(delta, 0));
      reported.set(id, Math.max(total, reported.get(id) ?? 0));
    };
    new Counter({
      name: `${MONITOR_METRIC_PREFIX}frames_total`,
      help: 'Frames received, by interface and class (ARP request/reply/other op, RARP, ND, other, malformed).',
      labelNames: ['iface', 'class'],
      registers,
      collect() {
        for (const [iface, figures] of source.interfaces()) {
          FRAME_CLASSES.forEach((kind, i) =>
            raise(this, 'frames', { iface, class: kind }, figures.frames[i] ?? 0),
          );
        }
      },
    });
    new Counter({
      name: `${MONITOR_METRIC_PREFIX}findings_total`,
      help: 'Findings, by kind (every occurrence, also those not printed again within report-interval).',
      labelNames: ['kind'],
      registers,
      collect() {
        const counts = source.findings();
        for (const kind of FINDING_KINDS) raise(this, 'findings', { kind }, counts.get(kind) ?? 0);
      },
    });
    new Gauge({
      name: `${MONITOR_METRIC_PREFIX}arp_rate`,
      help: 'ARP and RARP frames per second over the last whole second, by interface.',
      labelNames: ['iface'],
      registers,
      collect() {
        for (const [iface, figures] of source.interfaces()) this.set({ iface }, figures.arpRate);
      },
    });
    new Counter({
      name: `${MONITOR_METRIC_PREFIX}kernel_packets_total`,
      help: "Frames the kernel's filter passed to the socket, by interface (PACKET_STATISTICS).",
      labelNames: ['iface'],
      registers,
      collect() {
        for (const [iface, figures] of source.interfaces()) {
          raise(this, 'packets', { iface }, figures.kernel.packets);
        }
      },
    });
    new Counter({
      name: `${MONITOR_METRIC_PREFIX}kernel_drops_total`,
      help: 'Frames the kernel dropped because the socket buffer was full, by interface.',
      labelNames: ['iface'],
      registers,
      collect() {
        for (const [iface, figures] of source.interfaces())
          raise(this, 'drops', { iface }, figures.kernel.drops);
      },
    });
    new Gauge({
      name: `${MONITOR_METRIC_PREFIX}evicted_entries`,
      help: 'Entries the detectors forgot because a table was full (max-entries), by table.',
      labelNames: ['table'],
      registers,
      collect() {
        for (const [table, count] of Object.entries(source.evicted())) this.set({ table }, count);
      },
    });
  }

  /** The Content-Type of `text()`: Prometheus text exposition format 0.0.4. */
  get contentType(): string {
    return this.#registry.contentType;
  }

  /** The exposition text, every series brought up to date. */
  text(): Promise<string> {
    return this.#registry.metrics();
  }
}

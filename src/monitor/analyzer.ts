import type { DecodedFrame } from '../wire/frame.js';
import { AnomalyDetector } from './anomalies.js';
import { BindingsDetector } from './bindings.js';
import { ConflictDetector } from './conflict.js';
import type { Detector } from './detector.js';
import { type Finding, isInfoKind } from './finding.js';
import { FindingTally } from './finding-tally.js';
import { FrameCounts } from './frame-counts.js';
import { InfoEventDetector } from './info-events.js';
import { type FramePlace, type Observation, ObservationBuilder } from './observation.js';
import { RefreshBurstDetector } from './refresh-burst.js';
import { StormDetector } from './storm.js';
import type { Subnets } from './subnets.js';
import type { Thresholds } from './thresholds.js';
import { UnansweredDetector } from './unanswered.js';

/** Where bindings and findings are kept (the SQLite store), when asked for. */
export interface AnalyzerStore {
  /** A frame that binds its sender IP to its sender MAC (arpwatch's rules). */
  sighting(o: Observation): void;
  /** A trouble finding (information events are not stored). */
  finding(finding: Finding): void;
}

/** How to build an analyzer. */
export interface AnalyzerOptions {
  readonly thresholds: Thresholds;
  /** The segment's subnets for the bogon check; empty turns it off. */
  readonly nets: Subnets;
  /** Run the information events (gratuitous, probe…) too. */
  readonly verbose: boolean;
  /** Told about every finding; `print` is false for a repeat within `report-interval`. */
  readonly onFinding: (finding: Finding, print: boolean) => void;
  readonly store?: AnalyzerStore;
}

/**
 * Every detector over one stream of frames (one capture file, or the live interfaces of one
 * monitor): frames in, findings out, counted by class and by trouble for the report.
 *
 * Time given to the detectors never goes backwards: a frame stamped before the one it follows
 * (pcapng interfaces interleaved, a clock step) is taken as seen at the later time.
 */
export class Analyzer {
  readonly counts: FrameCounts;
  readonly tally: FindingTally;
  // Each detector in a field of its own class, so that each call site in `frame` sees one class
  // (a loop over `Detector[]` is a megamorphic call per detector per frame).
  private readonly bindings: BindingsDetector;
  private readonly conflict: ConflictDetector;
  private readonly unanswered: UnansweredDetector;
  private readonly refreshBurst: RefreshBurstDetector;
  private readonly storm: StormDetector;
  private readonly anomalies: AnomalyDetector;
  private readonly info: InfoEventDetector | undefined;
  /** The same detectors, in the order they see a frame, for the rare calls. */
  private readonly detectors: readonly Detector[];
  private readonly builder: ObservationBuilder;
  private readonly options: AnalyzerOptions;
  private readonly store: AnalyzerStore | undefined;
  private nowMs = -Infinity;
  private readonly sink = (finding: Finding): void => {
    const print = this.tally.add(finding);
    if (this.options.store !== undefined && !isInfoKind(finding.kind)) {
      this.options.store.finding(finding);
    }
    this.options.onFinding(finding, print);
  };

  constructor(options: AnalyzerOptions) {
    const { thresholds } = options;
    this.options = options;
    this.store = options.store;
    this.builder = new ObservationBuilder(thresholds.maxEntries);
    this.counts = new FrameCounts();
    this.tally = new FindingTally(thresholds.reportIntervalMs, thresholds.maxEntries);
    this.bindings = new BindingsDetector();
    this.conflict = new ConflictDetector(thresholds);
    this.unanswered = new UnansweredDetector(thresholds);
    this.refreshBurst = new RefreshBurstDetector(thresholds);
    this.storm = new StormDetector(thresholds);
    this.anomalies = new AnomalyDetector(thresholds, options.nets);
    this.info = options.verbose ? new InfoEventDetector(thresholds) : undefined;
    const detectors: Detector[] = [
      this.bindings,
      this.conflict,
      this.unanswered,
      this.refreshBurst,
      this.storm,
      this.anomalies,
    ];
    if (this.info !== undefined) detectors.push(this.info);
    this.detectors = detectors;
  }

  /** Reads one decoded frame seen at `place`. */
  frame(frame: DecodedFrame, place: FramePlace): void {
    const o = this.builder.observeShared(frame, place);
    if (o.timeMs < this.nowMs) o.timeMs = this.nowMs;
    else this.nowMs = o.timeMs;
    this.counts.frame(o);
    if (this.store !== undefined && o.claim) this.store.sighting(o);
    const sink = this.sink;
    this.bindings.frame(o, sink);
    this.conflict.frame(o, sink);
    this.unanswered.frame(o, sink);
    this.refreshBurst.frame(o, sink);
    this.storm.frame(o, sink);
    this.anomalies.frame(o, sink);
    if (this.info !== undefined) this.info.frame(o, sink);
  }

  /** Time has reached `nowMs` (a live clock): report whatever timed out. */
  advance(nowMs: number): void {
    if (nowMs < this.nowMs) return;
    this.nowMs = nowMs;
    for (const detector of this.detectors) detector.advance(nowMs, this.sink);
  }

  /** The input ended: report everything still open, at the last frame's time or `nowMs`. */
  finish(nowMs = this.nowMs): void {
    const end = Math.max(nowMs, this.nowMs);
    if (!Number.isFinite(end)) return;
    for (const detector of this.detectors) detector.finish(end, this.sink);
  }

  /** Entries forgotten for room, by table: each detector's, the talkers' and the troubles'. */
  evicted(): Record<string, number> {
    const result: Record<string, number> = {};
    for (const detector of this.detectors) result[detectorName(detector)] = detector.evicted;
    result['addresses'] = this.builder.ips.recycled + this.builder.macs.recycled;
    result['talkers'] = this.counts.evicted;
    result['findings'] = this.tally.evicted;
    return result;
  }
}

/** `BindingsDetector` → `bindings`, for the report. */
function detectorName(detector: Detector): string {
  const name = detector.constructor.name.replace(/Detector$/, '');
  return name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
}

import type { ListeningLink } from '../cli/io.js';
import type { ReceivedFrame } from '../link/link.js';
import type { Clock } from '../time/clock.js';
import { ArpOp } from '../wire/arp.js';
import { type DecodedFrame, FrameDecoder } from '../wire/frame.js';
import type { Analyzer } from './analyzer.js';
import { FRAME_CLASSES, type FrameClass, type InterfaceFigures } from './monitor-metrics.js';

/** How often the live monitor moves the detectors' time on without a frame. */
export const TICK_MS = 250;

/** What ended a live run. */
export type StopReason = 'signal' | 'count' | 'duration';

/** How to run the monitor on open links. */
export interface LiveOptions {
  readonly links: readonly ListeningLink[];
  readonly analyzer: Analyzer;
  readonly clock: Clock;
  /** Aborted by SIGINT/SIGTERM. */
  readonly stop: AbortSignal;
  /** Stop after this many frames (all interfaces), like tcpdump's `-c`. */
  readonly count?: number;
  /** Stop after this long. */
  readonly durationMs?: number;
  /** Called every second (the store commits here). */
  readonly everySecond?: () => void;
}

const CLASS_INDEX: Readonly<Record<FrameClass, number>> = Object.fromEntries(
  FRAME_CLASSES.map((kind, i) => [kind, i]),
) as Record<FrameClass, number>;

/** One interface's counts, read by the metrics and the final summary. */
class InterfaceCounts implements InterfaceFigures {
  readonly frames = FRAME_CLASSES.map(() => 0);
  /** Frames numbered from 1 on this interface. */
  number = 0;
  arpRate = 0;
  arpFrames = 0;
  private arpAtLastSecond = 0;

  constructor(private readonly link: ListeningLink) {}

  get kernel(): { packets: number; drops: number } {
    return this.link.stats();
  }

  count(frame: DecodedFrame): void {
    this.frames[CLASS_INDEX[classOf(frame)]]!++;
    if (frame.proto === 'arp' || frame.proto === 'rarp') this.arpFrames++;
  }

  /** Called once a second: the rate over the second that ended. */
  second(): void {
    this.arpRate = this.arpFrames - this.arpAtLastSecond;
    this.arpAtLastSecond = this.arpFrames;
  }
}

function classOf(frame: DecodedFrame): FrameClass {
  switch (frame.proto) {
    case 'arp':
      if (frame.arp.op === ArpOp.REQUEST) return 'arp-request';
      return frame.arp.op === ArpOp.REPLY ? 'arp-reply' : 'arp-other';
    case 'rarp':
      return 'rarp';
    case 'ndp':
      return 'nd';
    case 'other':
      return 'other';
    case 'malformed':
      return 'malformed';
  }
}

/**
 * Feeds every frame the links receive to the analyzer, numbered per interface, until `stop`
 * aborts, `count` frames have been read or `durationMs` has passed; moves the detectors' time on
 * every `TICK_MS` so timeouts fire on a quiet segment; returns why it stopped. The caller closes
 * the links and finishes the analyzer.
 */
export class LiveMonitor {
  readonly interfaces = new Map<string, InterfaceCounts>();
  private readonly decoder = new FrameDecoder();
  private total = 0;

  constructor(private readonly options: LiveOptions) {
    for (const link of options.links) this.interfaces.set(link.name, new InterfaceCounts(link));
  }

  /** Runs until stopped; resolves with the reason. */
  async run(): Promise<StopReason> {
    const { clock, analyzer, links } = this.options;
    const ended = new AbortController();
    let reason: StopReason = 'signal';
    const end = (why: StopReason) => {
      if (ended.signal.aborted) return;
      reason = why;
      ended.abort();
    };
    const onStop = () => end('signal');
    if (this.options.stop.aborted) return 'signal';
    this.options.stop.addEventListener('abort', onStop, { once: true });
    for (const link of links) {
      const counts = this.interfaces.get(link.name)!;
      link.receive((received) => {
        if (ended.signal.aborted) return;
        this.frame(link.name, counts, received);
        if (this.options.count !== undefined && this.total >= this.options.count) end('count');
      });
    }
    const start = clock.now();
    let nextSecond = start + 1000;
    try {
      while (!ended.signal.aborted) {
        const now = clock.now();
        if (this.options.durationMs !== undefined && now - start >= this.options.durationMs) {
          end('duration');
          break;
        }
        analyzer.advance(now);
        if (now >= nextSecond) {
          nextSecond += 1000 * Math.max(1, Math.floor((now - nextSecond) / 1000) + 1);
          for (const counts of this.interfaces.values()) counts.second();
          this.options.everySecond?.();
        }
        const left =
          this.options.durationMs === undefined ? TICK_MS : start + this.options.durationMs - now;
        await clock.sleep(Math.min(TICK_MS, Math.max(0, left)), ended.signal);
      }
    } finally {
      this.options.stop.removeEventListener('abort', onStop);
    }
    return reason;
  }

  private frame(source: string, counts: InterfaceCounts, received: ReceivedFrame): void {
    const { bytes } = received;
    const frame = this.decoder.decodeShared(bytes, 0, bytes.length, 'ethernet');
    counts.count(frame);
    this.total++;
    this.options.analyzer.frame(frame, {
      source,
      number: ++counts.number,
      timeMs: received.sec * 1000 + received.nsec / 1e6,
    });
  }
}

/**
 * Refresh bursts: one sender (segment and sender MAC) asking for many distinct targets in a
 * short time, as a router refreshing its table in one batch or a standby gateway relearning its
 * neighbours after a failover does.
 *
 * Each sender has a window of its recent asks: the distinct targets it asked for within the
 * last `burstWindowMs` (a target asked exactly `burstWindowMs` ago is still in). When the window
 * holds `burstTargets` targets, a burst starts, at the oldest of those asks. The burst then keeps
 * every target the sender asks for while it keeps asking with gaps of at most `burstWindowMs`,
 * and ends when a longer gap passes. It is reported when it ends, or once the answers are in if
 * `unansweredTimeoutMs` is longer, or at the end of the input (`atEnd: true`).
 *
 * A target counts as answered when a reply whose sender IP is the target arrives on the segment
 * between the sender's first ask for it and the report, whoever the reply is addressed to: a
 * capture that sees the target answer someone sees it alive. Every request is an ask except
 * gratuitous ones (sender IP = target IP) and those for 0.0.0.0; RFC 5227 probes count (a probe
 * sweep is still one MAC asking for many targets) and show sender IP 0.0.0.0.
 */
import { ArpFlag } from '../wire/classify.js';
import { formatIpv4, type Ipv4 } from '../wire/ipv4.js';
import { formatMac, type Mac } from '../wire/mac.js';
import { BoundedMap } from './bounded-map.js';
import type { Detector } from './detector.js';
import { type FindingSink, roundSeconds } from './finding.js';
import { IdRecords } from './id-records.js';
import type { Observation } from './observation.js';
import type { Thresholds } from './thresholds.js';
import { type Queued, TimeQueue } from './time-queue.js';

/**
 * Emptied windows and targets kept for reuse. Most windows hold one ask and live a second: made
 * new each time, they would die young while a Map's old table still pointed at them, and the
 * next scavenge would copy them into the old generation.
 */
const SPARES = 1024;

/** A window finds a target by scanning up to this many, and through a Map beyond. */
const SCAN_LIMIT = 4;

/** When an address last replied, in its `IdRecords` record. */
const REPLY_MS = 1;
const REPLY_STRIDE = 2;

/** `peakRate` counts asks within the last second in steps of this many milliseconds. */
const STEP_MS = 100;
const STEPS = 1000 / STEP_MS;

/** The most asks within one second, counted in steps of `STEP_MS`. */
class PeakRate {
  private readonly steps = new Uint32Array(STEPS);
  // Initialised with a number (not left undefined) so that V8 keeps it as an unboxed double.
  private step = NaN;
  private inSecond = 0;
  peak = 0;

  constructor(nowMs: number) {
    this.step = Math.floor(nowMs / STEP_MS);
  }

  /** Counts an ask made at `timeMs`, no later than the newest counted. */
  countPast(timeMs: number): void {
    const step = Math.floor(timeMs / STEP_MS);
    if (this.step - step < STEPS) this.add(Math.min(step, this.step));
  }

  /** Counts an ask made at `timeMs`, moving the second on. */
  count(timeMs: number): void {
    const step = Math.floor(timeMs / STEP_MS);
    for (let s = this.step + 1; s <= step && s <= this.step + STEPS; s++) {
      this.inSecond -= this.steps[s % STEPS] ?? 0;
      this.steps[s % STEPS] = 0;
    }
    if (step > this.step) this.step = step;
    this.add(this.step);
  }

  private add(step: number): void {
    const at = step % STEPS;
    this.steps[at] = (this.steps[at] ?? 0) + 1;
    if (++this.inSecond > this.peak) this.peak = this.inSecond;
  }
}

/** One target of one sender's window. */
class Target implements Queued<Target> {
  older: Target | undefined = undefined;
  newer: Target | undefined = undefined;
  lastAsk = 0;
  frame = 0;
  /** The window's ask count after this target's last ask, and its unicast count before it. */
  seq = 0;
  unicastBefore = 0;

  ip = 0;
  /** The address id of (segment, ip) and its generation (see `AddressIds`). */
  id = 0;
  gen = 0;
  /** The window's first ask for it: a reply from then on answers it. */
  firstAsk = 0;
}

/**
 * One sender's asks while it keeps asking: a candidate, then maybe a burst.
 *
 * Most senders ask for one target and fall silent for longer than the window: while a candidate
 * holds one target and no more, that target is `solo`, outside `targets`, so the common ask
 * queues, looks up and prunes nothing. It joins `targets` when a second target is asked for.
 */
class Window implements Queued<Window> {
  older: Window | undefined = undefined;
  newer: Window | undefined = undefined;
  /** Its targets by last ask, oldest first (none while `solo`). */
  readonly targets = new TimeQueue<Target>();
  /** The window's one target while it has only one, not queued in `targets`. */
  solo: Target | undefined = undefined;
  private byIp: Map<number, Target> | undefined = undefined;
  /** A burst waiting for its report after its sender started a new window. */
  detached = false;
  lastAsk = 0;
  lastFrame = 0;
  asks = 0;
  unicast = 0;
  /** Set while the window is a burst. */
  rate: PeakRate | undefined = undefined;
  senderIp = 0;
  start = 0;
  startSeq = 0;
  startUnicast = 0;
  startFrame = 0;
  thresholdFrame = 0;
  targetCount = 0;

  segment = 0;
  mac = 0;
  /** The address id of (segment, mac) and its generation. */
  macId = 0;
  macGen = 0;
  source = '';
  vlans: readonly number[] = [];

  /** Makes this (new or spare) window the sender's of `o`. */
  open(o: Observation): void {
    this.segment = o.segment;
    this.mac = o.sha;
    this.macId = o.shaId;
    this.macGen = o.shaGen;
    this.source = o.source;
    this.vlans = o.vlans;
    this.detached = false;
  }

  /** Targets held, the solo one included. */
  get size(): number {
    return this.solo !== undefined ? 1 : this.targets.size;
  }

  /** The target asked for in `o`, if the window holds it (not solo). */
  find(o: Observation): Target | undefined {
    if (this.byIp !== undefined) {
      const target = this.byIp.get(o.tpaId);
      return target !== undefined && target.ip === o.tpa ? target : undefined;
    }
    for (let t = this.targets.oldest; t !== undefined; t = t.newer) if (t.ip === o.tpa) return t;
    return undefined;
  }

  add(target: Target): void {
    this.targets.push(target);
    if (this.byIp !== undefined) this.byIp.set(target.id, target);
    else if (this.targets.size > SCAN_LIMIT) {
      this.byIp = new Map();
      for (let t = this.targets.oldest; t !== undefined; t = t.newer) this.byIp.set(t.id, t);
    }
  }

  remove(target: Target): void {
    this.targets.remove(target);
    if (this.byIp?.get(target.id) === target) this.byIp.delete(target.id);
  }

  /** Empties the window, keeping up to `SPARES` of its targets in `spares`. */
  clear(spares: Target[]): void {
    if (this.solo !== undefined && spares.length < SPARES) spares.push(this.solo);
    this.solo = undefined;
    for (let t = this.targets.shift(); t !== undefined; t = this.targets.shift()) {
      if (spares.length < SPARES) spares.push(t);
    }
    this.byIp = undefined;
    this.rate = undefined;
  }
}

/** Notes in `target` the ask `o` of window `w`, whose counts already include it. */
function noteAsk(target: Target, w: Window, o: Observation, unicast: boolean): void {
  target.lastAsk = o.timeMs;
  target.frame = o.number;
  target.seq = w.asks;
  target.unicastBefore = unicast ? w.unicast - 1 : w.unicast;
}

/** A sender's earlier bursts, for `periodSeconds` and `bursts`. */
interface History {
  touched: boolean;
  start: number;
  bursts: number;
}

/** Reports one sender asking for many distinct targets in a short time (`refresh-burst`). */
export class RefreshBurstDetector implements Detector {
  /** Each sender's window, by the address id of (segment, sender MAC). */
  private readonly senders: (Window | undefined)[] = [];
  private sendersEvicted = 0;
  /** Windows by last ask; a detached burst stays here until reported. */
  private readonly windows = new TimeQueue<Window>();
  private readonly spareWindows: Window[] = [];
  private readonly spareTargets: Target[] = [];
  /**
   * When each (segment, IP) last replied, by address id, under that id's generation: a burst's
   * targets look their answers up. Bounded by the address ids, as they are.
   */
  private readonly replies = new IdRecords(REPLY_STRIDE);
  /** The time `frame` or `advance` last brought, read by `expire` (a number passed is boxed). */
  private nowMs = -Infinity;
  private readonly history: BoundedMap<string, History>;
  private readonly burstTargets: number;
  private readonly windowMs: number;
  /** How long after its last ask a burst is reported: its end, or the answers' timeout. */
  private readonly holdMs: number;
  private readonly maxEntries: number;
  private held = 0;
  private evictedTargets = 0;

  constructor(thresholds: Thresholds) {
    this.burstTargets = thresholds.burstTargets;
    this.windowMs = thresholds.burstWindowMs;
    this.holdMs = Math.max(thresholds.burstWindowMs, thresholds.unansweredTimeoutMs);
    this.maxEntries = thresholds.maxEntries;
    this.history = new BoundedMap(thresholds.maxEntries);
  }

  /** Targets (of windows forgotten for room, bursts included), windows and histories forgotten. */
  get evicted(): number {
    return this.evictedTargets + this.sendersEvicted + this.history.evicted;
  }

  /**
   * What each table holds (for tests and metrics), each at most `maxEntries`: targets across all
   * windows, windows open or waiting for their report, senders' histories.
   */
  sizes(): { targets: number; windows: number; history: number } {
    const { held: targets, windows, history } = this;
    return { targets, windows: windows.size, history: history.size };
  }

  frame(o: Observation, sink: FindingSink): void {
    // Checked here so that a frame with nothing to expire makes no call.
    const oldest = this.windows.oldest;
    if (oldest !== undefined && o.timeMs - oldest.lastAsk > this.windowMs) {
      this.nowMs = o.timeMs;
      this.expire(sink);
    }
    if (o.kind !== 'arp' || !o.ethernetIpv4) return;
    if (o.flags & ArpFlag.REQUEST) {
      if ((o.flags & ArpFlag.GRATUITOUS) === 0 && o.tpa !== 0) this.ask(o, sink);
    } else if (o.flags & ArpFlag.REPLY && o.spa !== 0) {
      const replies = this.replies;
      let at = replies.find(o.spaId, o.spaGen);
      if (at < 0) at = replies.claim(o.spaId, o.spaGen);
      replies.data[at + REPLY_MS] = o.timeMs;
    }
  }

  advance(nowMs: number, sink: FindingSink): void {
    this.nowMs = nowMs;
    this.expire(sink);
  }

  finish(nowMs: number, sink: FindingSink): void {
    this.nowMs = nowMs;
    this.expire(sink);
    for (let w = this.windows.shift(); w !== undefined; w = this.windows.shift()) {
      if (w.rate !== undefined) this.report(w, nowMs, true, sink);
      this.retire(w);
    }
  }

  /** The window of the sender with this address id, if it holds that generation. */
  private sender(macId: number, macGen: number): Window | undefined {
    const w = this.senders[macId];
    return w !== undefined && w.macGen === macGen ? w : undefined;
  }

  private ask(o: Observation, sink: FindingSink): void {
    const now = o.timeMs;
    let w = this.sender(o.shaId, o.shaGen);
    if (w === undefined) {
      w = this.open(o);
    } else if (now - w.lastAsk > this.windowMs) {
      // Its sender paused longer than the window, and `expire` has not reached it yet.
      if (w.rate === undefined) {
        this.held -= w.size;
        w.clear(this.spareTargets);
        this.windows.touch(w);
      } else {
        w.detached = true;
        this.senders[o.shaId] = undefined;
        w = this.open(o);
      }
    } else {
      this.windows.touch(w);
    }
    const unicast = (o.flags & ArpFlag.UNICAST) !== 0;
    w.lastAsk = now;
    w.lastFrame = o.number;
    w.asks++;
    if (unicast) w.unicast++;
    if (w.rate !== undefined) {
      // A burst keeps every target and needs no order among them: a repeat ask is one lookup.
      w.rate.count(now);
      if (w.find(o) === undefined) {
        if (this.held >= this.maxEntries) this.makeRoom(w, now, sink);
        w.add(this.target(o));
        this.held++;
        w.targetCount++;
      }
      return;
    }
    if (this.burstTargets > 1 && w.targets.size === 0 && (w.solo?.ip ?? o.tpa) === o.tpa) {
      this.askSolo(w, o, unicast, sink);
      return;
    }
    if (w.solo !== undefined) {
      w.add(w.solo);
      w.solo = undefined;
    }
    this.prune(w, now);
    let target = w.find(o);
    if (target === undefined) {
      if (this.held >= this.maxEntries) this.makeRoom(w, now, sink);
      target = this.target(o);
      w.add(target);
      this.held++;
    } else {
      w.targets.touch(target);
    }
    noteAsk(target, w, o, unicast);
    if (w.targets.size >= this.burstTargets) this.promote(w, o);
  }

  /**
   * The ask `o` of a candidate window `w` that is empty or holds the same target solo (one
   * target short of a burst, as `burstTargets` is above 1). A solo target needs no pruning: it
   * is the window's last ask, and `ask` clears a window whose last ask is older than
   * `burstWindowMs`.
   */
  private askSolo(w: Window, o: Observation, unicast: boolean, sink: FindingSink): void {
    let target = w.solo;
    if (target === undefined) {
      if (this.held >= this.maxEntries) this.makeRoom(w, o.timeMs, sink);
      target = w.solo = this.target(o);
      this.held++;
    }
    noteAsk(target, w, o, unicast);
  }

  /** A window for the sender of `o`, which has none. */
  private open(o: Observation): Window {
    const w = this.spareWindows.pop() ?? new Window();
    w.open(o);
    const old = this.senders[o.shaId];
    if (old !== undefined && old.macGen !== o.shaGen) this.sendersEvicted++;
    // Grow densely (ids are handed out from 0 up), so the array stays packed.
    while (this.senders.length < o.shaId) this.senders.push(undefined);
    this.senders[o.shaId] = w;
    this.windows.push(w);
    return w;
  }

  /** A (new or spare) target for the one asked for in `o`. */
  private target(o: Observation): Target {
    const target = this.spareTargets.pop() ?? new Target();
    target.ip = o.tpa;
    target.id = o.tpaId;
    target.gen = o.tpaGen;
    target.firstAsk = o.timeMs;
    return target;
  }

  /** The window holds `burstTargets` targets: a burst, starting at its oldest ask. */
  private promote(w: Window, o: Observation): void {
    const first = w.targets.oldest;
    if (first === undefined) return;
    w.senderIp = o.spa;
    w.start = first.lastAsk;
    w.startSeq = first.seq;
    w.startUnicast = first.unicastBefore;
    w.startFrame = first.frame;
    w.thresholdFrame = o.number;
    w.targetCount = w.targets.size;
    const rate = new PeakRate(o.timeMs);
    for (let t: Target | undefined = first; t !== undefined; t = t.newer) rate.countPast(t.lastAsk);
    w.rate = rate;
  }

  /** Drops the targets of a candidate window last asked for more than `burstWindowMs` ago. */
  private prune(w: Window, now: number): void {
    for (let t = w.targets.oldest; t !== undefined && now - t.lastAsk > this.windowMs;) {
      w.remove(t);
      this.held--;
      t = w.targets.oldest;
    }
  }

  /** Reports and forgets the windows done by `nowMs`. */
  private expire(sink: FindingSink): void {
    const nowMs = this.nowMs;
    for (let w = this.windows.oldest; w !== undefined; w = this.windows.oldest) {
      const deadline = w.lastAsk + (w.rate !== undefined ? this.holdMs : this.windowMs);
      if (!(nowMs > deadline)) break;
      this.windows.shift();
      if (w.rate !== undefined) this.report(w, deadline, false, sink);
      this.retire(w);
    }
  }

  /** Forgets a window taken out of `windows`, keeping it and its targets as spares. */
  private retire(w: Window): void {
    this.held -= w.size;
    w.clear(this.spareTargets);
    if (!w.detached && this.senders[w.macId] === w) this.senders[w.macId] = undefined;
    if (this.spareWindows.length < SPARES) this.spareWindows.push(w);
  }

  /** Forgets the window asked longest ago, reporting it first if it is a burst. */
  private evictWindow(nowMs: number, sink: FindingSink): void {
    const w = this.windows.shift();
    if (w === undefined) return;
    if (w.rate !== undefined) this.report(w, nowMs, false, sink);
    this.evictedTargets += w.size;
    this.retire(w);
  }

  /** Makes room for one more target of `current`: another window, else its own oldest target. */
  private makeRoom(current: Window, nowMs: number, sink: FindingSink): void {
    while (this.held >= this.maxEntries) {
      if (this.windows.oldest !== current) {
        this.evictWindow(nowMs, sink);
        continue;
      }
      const target = current.targets.oldest;
      if (target === undefined) return;
      current.remove(target);
      this.held--;
      this.evictedTargets++;
    }
  }

  private report(w: Window, timeMs: number, atEnd: boolean, sink: FindingSink): void {
    let known = 0;
    let unanswered = 0;
    for (let t = w.targets.oldest; t !== undefined; t = t.newer) {
      known++;
      const at = this.replies.find(t.id, t.gen);
      const answered = at >= 0 && this.replies.data[at + REPLY_MS]! >= t.firstAsk;
      if (!answered) unanswered++;
    }
    const mac = formatMac(w.mac as Mac);
    const senderIp = formatIpv4(w.senderIp as Ipv4);
    const historyKey = `${w.segment}/${mac}`;
    const history = this.history.get(historyKey);
    const periodMs = history === undefined ? undefined : w.start - history.start;
    const bursts = (history?.bursts ?? 0) + 1;
    if (history === undefined) {
      this.history.set(historyKey, { touched: false, start: w.start, bursts });
    } else {
      history.start = w.start;
      history.bursts = bursts;
    }
    const targets = w.targetCount;
    const durationSeconds = roundSeconds(w.lastAsk - w.start, 6);
    const peakRate = w.rate?.peak ?? 0;
    const unansweredFraction = known === 0 ? 0 : Math.round((unanswered / known) * 1e4) / 1e4;
    const periodSeconds = periodMs === undefined ? undefined : roundSeconds(periodMs, 6);
    const period =
      periodSeconds === undefined
        ? ''
        : `, ${ordinal(bursts)} burst, every ${periodSeconds.toFixed(1)}s`;
    sink({
      kind: 'refresh-burst',
      timeMs,
      source: w.source,
      vlans: w.vlans,
      key: mac,
      ip: senderIp,
      mac,
      frames: [...new Set([w.startFrame, w.thresholdFrame, w.lastFrame])],
      text:
        `${mac} (${senderIp}) asked for ${targets} targets in ${durationSeconds.toFixed(2)}s` +
        ` (peak ${peakRate}/s), ${Math.round(unansweredFraction * 100)}% unanswered${period}` +
        (atEnd ? ', still asking when the input ended' : ''),
      fields: {
        mac,
        senderIp,
        targets,
        asks: w.asks - w.startSeq + 1,
        firstAsk: new Date(w.start).toISOString(),
        durationSeconds,
        peakRate,
        unicast: w.unicast - w.startUnicast,
        unanswered,
        unansweredFraction,
        ...(periodSeconds === undefined ? {} : { periodSeconds }),
        bursts,
        atEnd,
      },
    });
  }
}

/** 1st, 2nd, 3rd, 4th… 11th, 12th, 13th… 21st. */
function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
}

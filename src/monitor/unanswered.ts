/**
 * Unanswered requests and retry gaps, per (segment, asker IP, target IP).
 *
 * An episode is the run of who-has requests one asker sends for one target with no more than
 * `unansweredTimeoutMs` between consecutive asks. A reply whose sender IP is the target, on the
 * same segment, answers every episode waiting for that target, whichever asker the reply is
 * addressed to: replies are usually unicast, so a capture that sees one sees the target alive,
 * and most often it is the reply to the asker whose port was captured. An episode whose last
 * ask is more than `unansweredTimeoutMs` old (a reply exactly at the timeout still counts) is
 * reported `unanswered`, stamped at the moment the timeout ran out, and remembered as failed.
 *
 * When the same asker asks for the same target again after a failed episode, silent for at
 * least `retryGapMs` since its last ask, that ask is a `retry-gap` (Linux asks again ~20 s after
 * a failed resolution, as after a link-up where the peer's port was not forwarding yet). A
 * failed episode is forgotten after `FAILED_MEMORY_MS` (or `retryGapMs` if longer), or as soon
 * as the target replies to that asker (the reply's target IP is the asker).
 *
 * Requests that expect no reply are not asks: RFC 5227 probes (sender IP 0.0.0.0), gratuitous
 * requests and announcements (sender IP = target IP), requests for 0.0.0.0. RARP is not ARP.
 * At the end of the input, episodes still waiting are reported with `atEnd: true`.
 */
import { ArpFlag } from '../wire/classify.js';
import { formatIpv4, type Ipv4 } from '../wire/ipv4.js';
import { formatMac, type Mac } from '../wire/mac.js';
import type { Detector } from './detector.js';
import { type FindingSink, MAX_EVIDENCE, roundSeconds } from './finding.js';
import type { Observation } from './observation.js';
import type { Thresholds } from './thresholds.js';
import { TargetLists, type TargetListed } from './target-lists.js';
import { type Queued, TimeQueue } from './time-queue.js';

/** How long a failed episode is remembered for a later `retry-gap` (unless `retryGapMs` is longer). */
export const FAILED_MEMORY_MS = 10 * 60_000;

/**
 * Forgotten episodes kept for reuse: most live for one ask and its reply, and made new each
 * time they would die young while a Map's old table still pointed at them, so the next
 * scavenge would copy them into the old generation.
 */
const SPARES = 1024;

const NOT_AN_ASK = ArpFlag.PROBE | ArpFlag.GRATUITOUS;

/** Who-has requests of one asker for one target, open or failed. */
class Episode implements Queued<Episode>, TargetListed<Episode> {
  older: Episode | undefined = undefined;
  newer: Episode | undefined = undefined;
  /** Its place among its target's episodes (see `TargetLists`). */
  nextOfTarget: Episode | undefined = undefined;
  prevOfTarget: Episode | undefined = undefined;
  listed = false;
  lastOfTarget: Episode | undefined = undefined;
  others = 0;
  byAsker: Map<number, Episode> | undefined = undefined;
  asker = 0;
  askerId = 0;
  target = 0;
  /** The target's address id and its generation (see `AddressIds`). */
  targetId = 0;
  targetGen = 0;
  source = '';
  vlans: readonly number[] = [];
  failed = false;
  askerMac = 0;
  firstAsk = 0;
  firstFrame = 0;
  lastAsk = 0;
  lastFrame = 0;
  asks = 0;
  unicast = 0;
  /** Frame numbers of the asks from the second on, the last slot holding the latest once full. */
  evidence: number[] | undefined = undefined;

  /** Starts the episode over at the ask `o`. */
  open(o: Observation): void {
    this.asker = o.spa;
    this.askerId = o.spaId;
    this.target = o.tpa;
    this.targetId = o.tpaId;
    this.targetGen = o.tpaGen;
    this.source = o.source;
    this.vlans = o.vlans;
    this.failed = false;
    this.firstAsk = o.timeMs;
    this.firstFrame = o.number;
    this.asks = 0;
    this.unicast = 0;
    this.evidence?.fill(0);
    this.ask(o);
  }

  /** Counts the ask `o`. */
  ask(o: Observation): void {
    this.askerMac = o.sha;
    this.lastAsk = o.timeMs;
    this.lastFrame = o.number;
    if (this.asks > 0) {
      const evidence = (this.evidence ??= new Array<number>(MAX_EVIDENCE - 1).fill(0));
      evidence[Math.min(this.asks, MAX_EVIDENCE - 1) - 1] = o.number;
    }
    this.asks++;
    if (o.flags & ArpFlag.UNICAST) this.unicast++;
  }

  /** Frame numbers of the asks, oldest first, at most `MAX_EVIDENCE`. */
  frames(): number[] {
    const rest = this.evidence?.slice(0, Math.min(this.asks, MAX_EVIDENCE) - 1) ?? [];
    return [this.firstFrame, ...rest];
  }
}

/** Reports who-has requests left without a reply (`unanswered`) and late re-asks (`retry-gap`). */
export class UnansweredDetector implements Detector {
  /** Episodes by target: the first of each by its address id, and its others. */
  private readonly byTarget = new TargetLists<Episode>();
  private readonly open = new TimeQueue<Episode>();
  private readonly failed = new TimeQueue<Episode>();
  private readonly spares: Episode[] = [];
  private readonly timeoutMs: number;
  private readonly retryGapMs: number;
  private readonly memoryMs: number;
  private readonly maxEntries: number;
  private evictedCount = 0;

  constructor(thresholds: Thresholds) {
    this.timeoutMs = thresholds.unansweredTimeoutMs;
    this.retryGapMs = thresholds.retryGapMs;
    this.memoryMs = Math.max(FAILED_MEMORY_MS, thresholds.retryGapMs);
    this.maxEntries = thresholds.maxEntries;
  }

  /** Episodes forgotten because the table was full or their target's address id was recycled. */
  get evicted(): number {
    return this.evictedCount + this.byTarget.evicted;
  }

  /** Episodes waiting for a reply (for tests and metrics). */
  get waiting(): number {
    return this.open.size;
  }

  /** Failed episodes remembered for `retry-gap` (for tests and metrics). */
  get remembered(): number {
    return this.failed.size;
  }

  frame(o: Observation, sink: FindingSink): void {
    // Checked here so that a frame with nothing to expire makes no call (which would box the time).
    const open = this.open.oldest;
    const failed = this.failed.oldest;
    if (
      (open !== undefined && o.timeMs - open.lastAsk > this.timeoutMs) ||
      (failed !== undefined && o.timeMs - failed.lastAsk > this.memoryMs)
    ) {
      this.expire(o.timeMs, sink);
    }
    if (o.kind !== 'arp' || !o.ethernetIpv4) return;
    if (o.flags & ArpFlag.REQUEST) {
      if ((o.flags & NOT_AN_ASK) === 0 && o.tpa !== 0) this.ask(o, sink);
    } else if (o.flags & ArpFlag.REPLY && o.spa !== 0) {
      this.reply(o);
    }
  }

  advance(nowMs: number, sink: FindingSink): void {
    this.expire(nowMs, sink);
  }

  finish(nowMs: number, sink: FindingSink): void {
    this.expire(nowMs, sink);
    for (let episode = this.open.shift(); episode !== undefined; episode = this.open.shift()) {
      this.report(episode, nowMs, true, sink);
      episode.failed = true;
      this.failed.push(episode);
    }
  }

  private ask(o: Observation, sink: FindingSink): void {
    const first = this.byTarget.first(o.tpaId, o.tpaGen);
    let episode =
      first === undefined || first.asker === o.spa ? first : this.byTarget.other(first, o.spaId);
    // An asker id recycled for another address: that episode is not this asker's.
    if (episode !== undefined && episode.asker !== o.spa) episode = undefined;
    if (episode === undefined) {
      if (this.open.size + this.failed.size >= this.maxEntries) this.makeRoom();
      const fresh = this.spares.pop() ?? new Episode();
      fresh.open(o);
      this.byTarget.add(fresh);
      this.open.push(fresh);
    } else if (!episode.failed) {
      episode.ask(o);
      this.open.touch(episode);
    } else {
      const gapMs = o.timeMs - episode.lastAsk;
      if (gapMs >= this.retryGapMs) this.reportRetry(episode, o, gapMs, sink);
      this.failed.remove(episode);
      episode.open(o);
      this.open.push(episode);
    }
  }

  /** The target answered: every open episode for it ends, and so does its addressee's failure. */
  private reply(o: Observation): void {
    const first = this.byTarget.first(o.spaId, o.spaGen);
    if (first === undefined) return;
    for (let episode = first.nextOfTarget; episode !== undefined;) {
      const next = episode.nextOfTarget;
      this.answer(episode, o.tpa);
      episode = next;
    }
    this.answer(first, o.tpa);
  }

  private answer(episode: Episode, addressee: number): void {
    if (!episode.failed) this.open.remove(episode);
    else if (episode.asker === addressee) this.failed.remove(episode);
    else return;
    this.forget(episode);
  }

  private expire(nowMs: number, sink: FindingSink): void {
    const timeoutMs = this.timeoutMs;
    for (let e = this.open.oldest; e !== undefined && nowMs - e.lastAsk > timeoutMs;) {
      this.open.shift();
      this.report(e, e.lastAsk + timeoutMs, false, sink);
      e.failed = true;
      this.failed.push(e);
      e = this.open.oldest;
    }
    const memoryMs = this.memoryMs;
    for (let e = this.failed.oldest; e !== undefined && nowMs - e.lastAsk > memoryMs;) {
      this.failed.shift();
      this.forget(e);
      e = this.failed.oldest;
    }
  }

  /** Forgets the oldest failed episode, or else the oldest open one, to make room. */
  private makeRoom(): void {
    const victim = this.failed.shift() ?? this.open.shift();
    if (victim === undefined) return;
    this.forget(victim);
    this.evictedCount++;
  }

  /** Takes an episode, already out of its queue, out of `byTarget` and keeps it as a spare. */
  private forget(episode: Episode): void {
    this.byTarget.remove(episode);
    if (this.spares.length < SPARES) this.spares.push(episode);
  }

  private report(episode: Episode, timeMs: number, atEnd: boolean, sink: FindingSink): void {
    const asker = formatIpv4(episode.asker as Ipv4);
    const target = formatIpv4(episode.target as Ipv4);
    const askerMac = formatMac(episode.askerMac as Mac);
    const { asks, unicast } = episode;
    const durationSeconds = roundSeconds(episode.lastAsk - episode.firstAsk, 6);
    const counted = `${asks} ask${asks === 1 ? '' : 's'}${unicast > 0 ? ` (${unicast} unicast)` : ''}`;
    const over = asks === 1 ? '' : ` over ${durationSeconds.toFixed(1)}s`;
    const outcome = atEnd ? 'no reply before the input ended' : 'no reply';
    sink({
      kind: 'unanswered',
      timeMs,
      source: episode.source,
      vlans: episode.vlans,
      key: `${asker}>${target}`,
      ip: target,
      mac: askerMac,
      frames: episode.frames(),
      text: `who-has ${target} tell ${asker}: ${counted}${over}, ${outcome}`,
      fields: {
        asker,
        askerMac,
        target,
        asks,
        unicast,
        firstAsk: new Date(episode.firstAsk).toISOString(),
        durationSeconds,
        atEnd,
      },
    });
  }

  private reportRetry(episode: Episode, o: Observation, gapMs: number, sink: FindingSink): void {
    const asker = formatIpv4(episode.asker as Ipv4);
    const target = formatIpv4(episode.target as Ipv4);
    const askerMac = formatMac(o.sha as Mac);
    const gapSeconds = roundSeconds(gapMs, 6);
    const failedAsks = episode.asks;
    sink({
      kind: 'retry-gap',
      timeMs: o.timeMs,
      source: o.source,
      vlans: o.vlans,
      key: `${asker}>${target}`,
      ip: target,
      mac: askerMac,
      frames: [episode.lastFrame, o.number],
      text:
        `who-has ${target} tell ${asker} again after ${gapSeconds.toFixed(1)}s of silence ` +
        `(${failedAsks} earlier ask${failedAsks === 1 ? '' : 's'} got no reply)`,
      fields: { asker, askerMac, target, gapSeconds, failedAsks },
    });
  }
}

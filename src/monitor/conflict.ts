/**
 * Address conflicts: two MACs using one IP at once (`ip-conflict`), and an RFC 5227 probe that
 * meets the address's owner or another prober (`probe-conflict`).
 */
import { ArpOp } from '../wire/arp.js';
import { ArpFlag } from '../wire/classify.js';
import { formatIpv4, type Ipv4 } from '../wire/ipv4.js';
import { formatMac, isUnicastMac, type Mac } from '../wire/mac.js';
import { segmentSubject } from './bindings.js';
import type { Detector } from './detector.js';
import {
  type Finding,
  type FindingSink,
  durationText,
  findingAt,
  roundSeconds,
} from './finding.js';
import { IdRecords } from './id-records.js';
import { ipKey, NO_MAC, type Observation } from './observation.js';
import type { Thresholds } from './thresholds.js';

// The record of one IP on one segment in `IdRecords`: the two latest MACs that claimed it, each
// with its last claim. The latest claimer:
const MAC = 1;
const MS = 2;
const FRAME = 3;
/** The claimer before it, or `NO_MAC`. */
const OTHER_MAC = 4;
const OTHER_MS = 5;
const OTHER_FRAME = 6;
const STRIDE = 8;

/** The claims of one IP, read when a conflict is reported. */
interface Claims {
  readonly mac: number;
  readonly ms: number;
  readonly frame: number;
  readonly otherFrame: number;
}

/** A probe waiting for a defence; a link of the time-ordered list of pending probes. */
class PendingProbe {
  prev: PendingProbe | null = null;
  next: PendingProbe | null = null;

  constructor(
    readonly key: number,
    readonly ip: number,
    public prober: number,
    public ms: number,
    public frame: number,
  ) {}
}

/**
 * `ip-conflict`: two MACs claim one IP on one segment while both are active. A claim is the
 * sender of a frame `isBindingClaim` accepts (SPA not 0.0.0.0, a station SHA equal to the
 * Ethernet source). For each IP the detector keeps its latest claimer L and the one before, P.
 * A claim by a MAC M other than L is a conflict when
 *  - `alternation`: M is P and M's last claim before L took over is at most `conflictWindowMs`
 *    old, so the whole A…B…A sequence lies within the window; or
 *  - `answer`: the frame is a reply that answers someone (op 2 or RARP reply with SPA ≠ TPA,
 *    not a gratuitous reply) and L claimed at most `conflictWindowMs` ago. Two hosts answering
 *    one who-has fall here, as does a poisoner's forged answer.
 * Both bounds are inclusive. A clean takeover is none of these: B announces (a gratuitous
 * request or reply is a claim, not an answer), becomes L, and A falls silent. A host that starts
 * answering for an address another MAC claimed within the window without announcing it first
 * is taken as a conflict; so is a failover and failback (A, B, A) within the window.
 *
 * `probe-conflict`: an RFC 5227 §2.1.1 probe (request, SPA 0.0.0.0, TPA X; THA not looked at, so
 * `arping -D`'s ff:ff:ff:ff:ff:ff counts) from MAC P, followed within `probeWindowMs`
 * (inclusive) by a claim of X from another MAC (the owner defending: RFC 5227 §2.1.1, any
 * request or reply with SPA X) or by a probe of X from another MAC (simultaneous probes). A
 * claim of X by P itself ends the probe (P announced). Pending probes are a FIFO list in time
 * order (a probe again moves to the back), at most `maxEntries`; the oldest is forgotten for
 * room and counted in `evicted`.
 */
export class ConflictDetector implements Detector {
  private readonly claims = new IdRecords(STRIDE);
  private readonly probes = new Map<number, PendingProbe>();
  private head: PendingProbe | null = null;
  private tail: PendingProbe | null = null;
  private probesEvicted = 0;
  private readonly conflictWindowMs: number;
  private readonly probeWindowMs: number;
  private readonly maxEntries: number;

  constructor(thresholds: Thresholds) {
    this.conflictWindowMs = thresholds.conflictWindowMs;
    this.probeWindowMs = thresholds.probeWindowMs;
    this.maxEntries = thresholds.maxEntries;
  }

  get evicted(): number {
    return this.claims.evicted + this.probesEvicted;
  }

  /** Probes waiting for a defence (for tests and the report). */
  get pendingProbes(): number {
    return this.probes.size;
  }

  frame(o: Observation, sink: FindingSink): void {
    const head = this.head;
    if (head !== null && o.timeMs - head.ms > this.probeWindowMs) this.expire(o.timeMs);
    if (o.claim) {
      this.claim(o, sink);
      if (this.head !== null) this.defence(o, sink);
    } else if ((o.flags & ArpFlag.PROBE) !== 0 && isProber(o)) {
      this.probe(o, sink);
    }
  }

  advance(nowMs: number): void {
    this.expire(nowMs);
  }

  /** A probe still pending at the end met no defence: nothing to report. */
  finish(nowMs: number): void {
    this.expire(nowMs);
  }

  private claim(o: Observation, sink: FindingSink): void {
    const claims = this.claims;
    const mac = o.sha;
    const timeMs = o.timeMs;
    let at = claims.find(o.spaId, o.spaGen);
    if (at < 0) {
      at = claims.claim(o.spaId, o.spaGen);
      const d = claims.data;
      d[at + MAC] = mac;
      d[at + MS] = timeMs;
      d[at + FRAME] = o.number;
      d[at + OTHER_MAC] = NO_MAC;
      return;
    }
    const d = claims.data;
    if (d[at + MAC] === mac) {
      d[at + MS] = timeMs;
      d[at + FRAME] = o.number;
      return;
    }
    const window = this.conflictWindowMs;
    const alternation = d[at + OTHER_MAC] === mac && timeMs - d[at + OTHER_MS]! <= window;
    if (alternation || (isAnswer(o) && timeMs - d[at + MS]! <= window)) {
      const entry = {
        mac: d[at + MAC]!,
        ms: d[at + MS]!,
        frame: d[at + FRAME]!,
        otherFrame: d[at + OTHER_FRAME]!,
      };
      sink(this.ipConflict(o, entry, alternation));
    }
    d[at + OTHER_MAC] = d[at + MAC]!;
    d[at + OTHER_MS] = d[at + MS]!;
    d[at + OTHER_FRAME] = d[at + FRAME]!;
    d[at + MAC] = mac;
    d[at + MS] = timeMs;
    d[at + FRAME] = o.number;
  }

  private ipConflict(o: Observation, entry: Claims, alternation: boolean): Finding {
    const ip = formatIpv4(o.spa as Ipv4);
    const mac = formatMac(o.sha as Mac);
    const other = formatMac(entry.mac as Mac);
    const gap = o.timeMs - entry.ms;
    const gapSeconds = roundSeconds(gap, 6);
    const frames = alternation
      ? [entry.otherFrame, entry.frame, o.number]
      : [entry.frame, o.number];
    const text = alternation
      ? `${ip} claimed by ${mac} again, ${durationText(gap)} after ${other}`
      : `${ip} answered by ${mac}, ${durationText(gap)} after ${other} claimed it`;
    return findingAt(o, {
      kind: 'ip-conflict',
      key: segmentSubject(ip, o.vlans),
      ip,
      mac,
      frames,
      text,
      fields: {
        macs: [other, mac],
        ip,
        gapSeconds,
        rule: alternation ? 'alternation' : 'answer',
      },
    });
  }

  private probe(o: Observation, sink: FindingSink): void {
    const key = ipKey(o.segment, o.tpa);
    const pending = this.probes.get(key);
    if (pending === undefined) {
      if (this.probes.size >= this.maxEntries && this.head !== null) {
        this.remove(this.head);
        this.probesEvicted++;
      }
      const fresh = new PendingProbe(key, o.tpa, o.sha, o.timeMs, o.number);
      this.probes.set(key, fresh);
      this.append(fresh);
      return;
    }
    if (pending.prober !== o.sha && o.timeMs - pending.ms <= this.probeWindowMs) {
      sink(this.probeConflict(o, pending, 'simultaneous-probe'));
    }
    pending.prober = o.sha;
    pending.ms = o.timeMs;
    pending.frame = o.number;
    this.unlink(pending);
    this.append(pending);
  }

  /** A claim of SPA while a probe of SPA is pending: the owner defends, or the prober announces. */
  private defence(o: Observation, sink: FindingSink): void {
    const pending = this.probes.get(ipKey(o.segment, o.spa));
    if (pending === undefined) return;
    if (pending.prober !== o.sha && o.timeMs - pending.ms <= this.probeWindowMs) {
      sink(this.probeConflict(o, pending, 'defence'));
    }
    this.remove(pending);
  }

  private probeConflict(o: Observation, pending: PendingProbe, rule: string): Finding {
    const ip = formatIpv4(pending.ip as Ipv4);
    const prober = formatMac(pending.prober as Mac);
    const owner = formatMac(o.sha as Mac);
    const after = o.timeMs - pending.ms;
    const afterSeconds = roundSeconds(after, 6);
    const text =
      rule === 'defence'
        ? `${ip} probed by ${prober}, defended by ${owner} after ${durationText(after)}`
        : `${ip} probed by ${prober} and by ${owner}, ${durationText(after)} apart`;
    return findingAt(o, {
      kind: 'probe-conflict',
      key: segmentSubject(ip, o.vlans),
      ip,
      mac: owner,
      frames: [pending.frame, o.number],
      text,
      fields: { prober, owner, ip, afterSeconds, rule },
    });
  }

  /** Forgets every probe older than the window at `nowMs`. */
  private expire(nowMs: number): void {
    for (let head = this.head; head !== null && nowMs - head.ms > this.probeWindowMs;) {
      const next = head.next;
      this.remove(head);
      head = next;
    }
  }

  private remove(probe: PendingProbe): void {
    this.unlink(probe);
    this.probes.delete(probe.key);
  }

  private append(probe: PendingProbe): void {
    probe.prev = this.tail;
    probe.next = null;
    if (this.tail === null) this.head = probe;
    else this.tail.next = probe;
    this.tail = probe;
  }

  private unlink(probe: PendingProbe): void {
    if (probe.prev === null) this.head = probe.next;
    else probe.prev.next = probe.next;
    if (probe.next === null) this.tail = probe.prev;
    else probe.next.prev = probe.prev;
    probe.prev = probe.next = null;
  }
}

/** A reply that answers someone: not gratuitous (RFC 5944 §4.6), SPA ≠ TPA. */
function isAnswer(o: Observation): boolean {
  return (o.op === ArpOp.REPLY || o.op === ArpOp.RARP_REPLY) && o.spa !== o.tpa;
}

/** An Ethernet/IPv4 probe whose sender MAC names one station and matches the link source. */
function isProber(o: Observation): boolean {
  return (
    o.ethernetIpv4 &&
    isUnicastMac(o.sha as Mac) &&
    (o.ethSource === NO_MAC || o.ethSource === o.sha)
  );
}

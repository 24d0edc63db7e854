import { LOSS_CAUSES, type LossCause } from './loss.js';
import type { Packet } from './packet.js';
import type { Timeline, TimelineMark } from './timeline.js';
import type { Nanos } from './units.js';

/** The fate of a packet: not known yet, delivered, delivered late, or lost with cause `LOST + index`. */
const UNKNOWN = 0;
const DELIVERED = 1;
const LATE = 2;
const LOST = 3;

/**
 * A packet delivered this long after it was sent was held somewhere (a neighbour queue while its
 * next hop resolved): it is not lost, but its flow had not recovered yet.
 */
export const LATE_AFTER: Nanos = 100_000_000;

/** Per-flow facts a summary is built from. */
export interface FlowOutcome {
  readonly sent: number;
  readonly delivered: number;
  /** Of those delivered, how many arrived more than `LATE_AFTER` after they were sent. */
  readonly late: number;
  readonly lost: number;
  /** When it recovered (see `Stats.outcome`); undefined if it lost nothing or never recovered. */
  readonly recoveredAt: Nanos | undefined;
  /**
   * When its last outage began: the send time of the first packet after its last in-time
   * delivery before its last loss (lost, late, or never accounted for); undefined if none.
   */
  readonly outageFrom: Nanos | undefined;
  /** Whether it lost packets and was still losing at the end. */
  readonly unrecovered: boolean;
}

/**
 * What a run measured: each packet's fate (one byte per packet, grown per flow), ARP frames
 * and policer drops per time bin. A packet reported both lost and delivered (a flood that went
 * two ways) counts as delivered; a packet's first loss cause is its cause.
 */
export class Stats {
  readonly #fates: Uint8Array[] = [];
  readonly #arpBins: Float64Array;
  readonly #lostBins: Float64Array;
  readonly #dropBins: Float64Array;
  readonly #marks: TimelineMark[] = [];
  policerDrops = 0;
  trigger: Nanos | undefined;

  constructor(
    readonly bin: Nanos,
    readonly end: Nanos,
  ) {
    const bins = Math.max(1, Math.ceil(end / bin));
    this.#arpBins = new Float64Array(bins);
    this.#lostBins = new Float64Array(bins);
    this.#dropBins = new Float64Array(bins);
  }

  /** Notes a scenario event for the timeline. */
  mark(time: Nanos, label: string): void {
    this.#marks.push({ time, label });
  }

  /** `packet` reached its destination at `now`. */
  delivered(packet: Packet, now: Nanos): void {
    const fates = this.#fatesOf(packet);
    if (fates[packet.seq]! >= LOST) this.#count(this.#lostBins, packet.sentAt, -1);
    fates[packet.seq] = now - packet.sentAt > LATE_AFTER ? LATE : DELIVERED;
  }

  /** `packet` was lost (ignored if its fate is already known). */
  lost(packet: Packet, cause: LossCause): void {
    const fates = this.#fatesOf(packet);
    if (fates[packet.seq] !== UNKNOWN) return;
    fates[packet.seq] = LOST + LOSS_CAUSES.indexOf(cause);
    this.#count(this.#lostBins, packet.sentAt, 1);
  }

  /** An ARP or RARP frame was sent at `time`. */
  arpSent(time: Nanos): void {
    this.#count(this.#arpBins, time, 1);
  }

  /** A policer dropped a frame at `time`. */
  policed(time: Nanos): void {
    this.policerDrops++;
    this.#count(this.#dropBins, time, 1);
  }

  /** Lost packets by cause, every cause listed (0 when none). */
  lostBy(): Record<LossCause, number> {
    const counts = Object.fromEntries(LOSS_CAUSES.map((cause) => [cause, 0])) as Record<
      LossCause,
      number
    >;
    for (const fates of this.#fates) {
      if (fates === undefined) continue;
      for (const fate of fates) if (fate >= LOST) counts[LOSS_CAUSES[fate - LOST]!]++;
    }
    return counts;
  }

  /**
   * What happened to flow `index` with `sent` packets sent at `sentAt(seq)`: recovery is the
   * send time of its first packet delivered in time after its last lost or late one. Packets
   * whose fate is still unknown at the end (in flight, or held in a neighbour queue) count as
   * neither.
   */
  outcome(index: number, sent: number, sentAt: (seq: number) => Nanos): FlowOutcome {
    const fates = this.#fates[index];
    let delivered = 0;
    let late = 0;
    let lost = 0;
    let lastLost = -1;
    if (fates !== undefined) {
      for (let seq = 0; seq < sent; seq++) {
        const fate = fates[seq]!;
        if (fate === DELIVERED) delivered++;
        else if (fate === LATE) {
          delivered++;
          late++;
          lastLost = seq;
        } else if (fate >= LOST) {
          lost++;
          lastLost = seq;
        }
      }
    }
    const none = { sent, delivered, late, lost, recoveredAt: undefined, outageFrom: undefined };
    if (lastLost < 0) return { ...none, unrecovered: false };
    let first = lastLost;
    while (first > 0 && fates![first - 1] !== DELIVERED) first--;
    const outageFrom = sentAt(first);
    for (let seq = lastLost + 1; seq < sent; seq++) {
      if (fates![seq] === DELIVERED) {
        return { ...none, outageFrom, recoveredAt: sentAt(seq), unrecovered: false };
      }
    }
    return { ...none, outageFrom, unrecovered: true };
  }

  /** The timeline of the run, given each flow's outcome. */
  timeline(outcomes: readonly FlowOutcome[]): Timeline {
    const recoveredAt: Nanos[] = [];
    let unrecovered = 0;
    for (const outcome of outcomes) {
      if (outcome.recoveredAt !== undefined) recoveredAt.push(outcome.recoveredAt);
      if (outcome.unrecovered) unrecovered++;
    }
    recoveredAt.sort((a, b) => a - b);
    return {
      bin: this.bin,
      end: this.end,
      arpFrames: this.#arpBins,
      lost: this.#lostBins,
      policerDrops: this.#dropBins,
      trigger: this.trigger,
      flows: outcomes.length,
      recoveredAt,
      unrecovered,
      marks: [...this.#marks].sort((a, b) => a.time - b.time),
    };
  }

  #fatesOf(packet: Packet): Uint8Array {
    let fates = this.#fates[packet.flow];
    if (fates === undefined || packet.seq >= fates.length) {
      const grown = new Uint8Array(Math.max(64, (packet.seq + 1) * 2));
      if (fates !== undefined) grown.set(fates);
      this.#fates[packet.flow] = fates = grown;
    }
    return fates;
  }

  #count(bins: Float64Array, time: Nanos, by: number): void {
    const at = Math.min(bins.length - 1, Math.floor(time / this.bin));
    bins[at]! += by;
  }
}

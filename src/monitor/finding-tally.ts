import { BoundedMap, type Touchable } from './bounded-map.js';
import { addEvidence, type Finding, type FindingKind, MAX_EVIDENCE } from './finding.js';
import { grown } from './grown.js';

/** One trouble: every finding of one kind and key, counted together, as the report shows it. */
export interface Tally {
  readonly kind: FindingKind;
  readonly key: string;
  /** The first finding's addresses and VLANs. */
  readonly ip: string | null;
  readonly mac: string | null;
  readonly vlans: readonly number[];
  /** When the first and the latest finding were made. */
  readonly firstMs: number;
  readonly lastMs: number;
  /** The latest finding's text. */
  readonly text: string;
  readonly count: number;
  /** Evidence frames of the first findings, up to `MAX_EVIDENCE`. */
  readonly frames: readonly number[];
}

/**
 * Kinds whose every finding is printed: each already sums up an episode of its own (a refresh
 * burst every 60 s would otherwise print or not by the jitter of its period).
 */
const EPISODES: ReadonlySet<FindingKind> = new Set(['refresh-burst']);

/** Lines one asker's findings of one kind may print per report interval. */
export const PRINTED_PER_ASKER = 5;

/** How many lines an asker's findings printed since `sinceMs`. */
interface AskerBudget extends Touchable {
  readonly sinceMs: number;
  printed: number;
}

/** A kind seen on one source and VLAN stack: its troubles' slots by key. */
interface Context {
  readonly kind: FindingKind;
  readonly vlans: readonly number[];
  readonly slots: Map<string, number>;
}

/** Slots the columns have at first; they double up to `maxEntries`. */
const INITIAL_SLOTS = 256;

/**
 * Counts findings by kind and key, and says which to print: the first of a trouble, and again
 * once `reportIntervalMs` has passed since it was last printed (0: every one), so a poisoning tool
 * that lies every second gives one line a minute, not sixty, while the report keeps the count.
 *
 * Findings that name an asker (`unanswered`, `retry-gap`) also share a budget per asker: at most
 * `PRINTED_PER_ASKER` lines per `reportIntervalMs`, so a host sweeping a /24 gives five lines
 * (and its `refresh-burst` or `storm`), not 250; the report and `--json` still hold every one.
 *
 * It holds `maxEntries` troubles, one per slot of its columns (numbers in typed arrays, the
 * strings the report shows in arrays), and finds them by key within their context (kind,
 * source and VLANs): a run with 100,000 new stations keeps about 250 bytes for each, not the
 * findings. When full, the trouble the CLOCK hand stops at (one not counted again since the
 * hand last passed) makes room and is counted in `evicted`.
 */
export class FindingTally {
  /** Findings counted by kind, repeats included (kept whole when troubles are evicted). */
  readonly byKind = new Map<FindingKind, number>();
  private readonly contextIds = new Map<string, number>();
  private readonly contexts: Context[] = [];
  private lastContext: {
    readonly kind: string;
    readonly source: string;
    readonly vlans: readonly number[];
    readonly id: number;
  } = { kind: '', source: '', vlans: [], id: -1 };
  private readonly askers: BoundedMap<string, AskerBudget>;
  private readonly capacity: number;
  private used = 0;
  private hand = 0;
  private evictedCount = 0;
  // The columns, by slot.
  private contextOf = new Int32Array(INITIAL_SLOTS);
  private firstMs = new Float64Array(INITIAL_SLOTS);
  private firstFrame = new Float64Array(INITIAL_SLOTS);
  private lastMs = new Float64Array(INITIAL_SLOTS);
  private printedMs = new Float64Array(INITIAL_SLOTS);
  private counts = new Float64Array(INITIAL_SLOTS);
  private touched = new Uint8Array(INITIAL_SLOTS);
  private readonly keys: string[] = [];
  private readonly ips: (string | null)[] = [];
  private readonly macs: (string | null)[] = [];
  private readonly texts: string[] = [];
  /**
   * The evidence frames, or undefined while they are just `firstFrame` (the first finding's
   * first, 0 for none): most troubles have one, and an array for it would cost as much as the
   * rest of the trouble.
   */
  private readonly moreFrames: (number[] | undefined)[] = [];

  constructor(
    private readonly reportIntervalMs: number,
    maxEntries: number,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError(`maxEntries must be a whole number above 0, got ${maxEntries}`);
    }
    this.capacity = maxEntries;
    this.askers = new BoundedMap(maxEntries);
  }

  /** Troubles forgotten for room. */
  get evicted(): number {
    return this.evictedCount;
  }

  /** Troubles held. */
  get size(): number {
    return this.used;
  }

  /** Counts `finding`; true when it should be printed. */
  add(finding: Finding): boolean {
    this.byKind.set(finding.kind, (this.byKind.get(finding.kind) ?? 0) + 1);
    const context = this.context(finding);
    const slots = this.contexts[context]!.slots;
    const slot = slots.get(finding.key);
    if (slot === undefined) {
      this.start(context, finding);
      return this.withinAskerBudget(context, finding);
    }
    this.touched[slot] = 1;
    this.counts[slot]!++;
    this.lastMs[slot] = finding.timeMs;
    this.texts[slot] = flat(finding.text);
    for (const frame of finding.frames) this.addFrame(slot, frame);
    if (
      finding.timeMs - this.printedMs[slot]! < this.reportIntervalMs &&
      !EPISODES.has(finding.kind)
    ) {
      return false;
    }
    this.printedMs[slot] = finding.timeMs;
    return this.withinAskerBudget(context, finding);
  }

  /** Every trouble's slot, in the order first seen. */
  order(): number[] {
    const slots = Array.from({ length: this.used }, (_, slot) => slot);
    const { firstMs, firstFrame } = this;
    return slots.sort((a, b) => firstMs[a]! - firstMs[b]! || firstFrame[a]! - firstFrame[b]!);
  }

  /** The trouble in `slot` (of `order()`). */
  at(slot: number): Tally {
    const context = this.contexts[this.contextOf[slot]!]!;
    return {
      kind: context.kind,
      key: this.keys[slot]!,
      ip: this.ips[slot]!,
      mac: this.macs[slot]!,
      vlans: context.vlans,
      firstMs: this.firstMs[slot]!,
      lastMs: this.lastMs[slot]!,
      text: this.texts[slot]!,
      count: this.counts[slot]!,
      frames: this.framesOf(slot),
    };
  }

  /** The evidence frames of the trouble in `slot`. */
  private framesOf(slot: number): readonly number[] {
    const first = this.firstFrame[slot]!;
    return this.moreFrames[slot] ?? (first === 0 ? [] : [first]);
  }

  /** Adds `frame` to the evidence of the trouble in `slot` unless it is there or full. */
  private addFrame(slot: number, frame: number): void {
    const more = this.moreFrames[slot];
    if (more !== undefined) {
      if (!more.includes(frame)) addEvidence(more, frame);
      return;
    }
    const first = this.firstFrame[slot]!;
    if (first !== frame) this.moreFrames[slot] = first === 0 ? [frame] : [first, frame];
  }

  /** The context of `finding`'s kind, source and VLANs, made on first use. */
  private context(finding: Finding): number {
    const last = this.lastContext;
    // Findings come in runs of one kind on one source, nearly all untagged (one shared array).
    if (
      last.kind === finding.kind &&
      last.source === finding.source &&
      last.vlans === finding.vlans
    ) {
      return last.id;
    }
    const name = `${finding.kind}\u0000${finding.source}\u0000${finding.vlans.join('.')}`;
    let id = this.contextIds.get(name);
    if (id === undefined) {
      id = this.contexts.length;
      this.contexts.push({ kind: finding.kind, vlans: finding.vlans, slots: new Map() });
      this.contextIds.set(name, id);
    }
    this.lastContext = { kind: finding.kind, source: finding.source, vlans: finding.vlans, id };
    return id;
  }

  /** A new trouble for `finding`, in a free slot or the one the hand frees. */
  private start(context: number, finding: Finding): void {
    const slot = this.used < this.capacity ? this.grownTo(this.used++) : this.evictOne();
    const key = flat(finding.key);
    this.contexts[context]!.slots.set(key, slot);
    this.contextOf[slot] = context;
    this.firstMs[slot] = this.lastMs[slot] = this.printedMs[slot] = finding.timeMs;
    this.firstFrame[slot] = finding.frames[0] ?? 0;
    this.counts[slot] = 1;
    this.touched[slot] = 0;
    this.keys[slot] = key;
    // The subject's IP is often the key itself: one string for both.
    this.ips[slot] = finding.ip === undefined ? null : finding.ip === key ? key : flat(finding.ip);
    this.macs[slot] = finding.mac === undefined ? null : flat(finding.mac);
    this.texts[slot] = flat(finding.text);
    this.moreFrames[slot] =
      finding.frames.length > 1 ? finding.frames.slice(0, MAX_EVIDENCE) : undefined;
  }

  /** `slot`, after doubling the typed columns (up to `capacity`) if they end before it. */
  private grownTo(slot: number): number {
    if (slot < this.touched.length) return slot;
    const length = Math.min(this.capacity, this.touched.length * 2);
    this.contextOf = grown(this.contextOf, new Int32Array(length));
    this.firstMs = grown(this.firstMs, new Float64Array(length));
    this.firstFrame = grown(this.firstFrame, new Float64Array(length));
    this.lastMs = grown(this.lastMs, new Float64Array(length));
    this.printedMs = grown(this.printedMs, new Float64Array(length));
    this.counts = grown(this.counts, new Float64Array(length));
    this.touched = grown(this.touched, new Uint8Array(length));
    return slot;
  }

  /** Frees the slot the clock hand stops at: one not counted again since the hand last passed. */
  private evictOne(): number {
    for (;;) {
      const slot = this.hand;
      this.hand = (slot + 1) % this.capacity;
      if (this.touched[slot] === 1) {
        this.touched[slot] = 0;
        continue;
      }
      this.contexts[this.contextOf[slot]!]!.slots.delete(this.keys[slot]!);
      this.evictedCount++;
      return slot;
    }
  }

  /** False once the finding's asker has had its lines this interval (findings without one: true). */
  private withinAskerBudget(context: number, finding: Finding): boolean {
    const asker = finding.fields['asker'];
    if (typeof asker !== 'string') return true;
    const id = `${context} ${asker}`;
    const budget = this.askers.get(id);
    if (budget === undefined || finding.timeMs - budget.sinceMs >= this.reportIntervalMs) {
      this.askers.set(flat(id), { sinceMs: finding.timeMs, printed: 1, touched: false });
      return true;
    }
    budget.printed++;
    return budget.printed <= PRINTED_PER_ASKER;
  }
}

/**
 * `text` as one piece. V8 keeps a string built by concatenation (a template literal) as a tree
 * of its parts: a finding's text costs about 340 bytes that way, 76 flat. Reading a character
 * flattens it in place, and the collector then drops the tree. Troubles keep their strings for
 * the whole run (100,000 new stations: tens of MB).
 */
function flat(text: string): string {
  text.charCodeAt(0);
  return text;
}

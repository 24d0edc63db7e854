import { BoundedMap, type Touchable } from './bounded-map.js';
import { addEvidence, type Finding, type FindingKind } from './finding.js';

/** One trouble: every finding of one kind and key, counted together. */
export interface Tally extends Touchable {
  readonly kind: FindingKind;
  readonly key: string;
  /** The first finding, for its addresses and text. */
  readonly first: Finding;
  /** The latest finding. */
  last: Finding;
  count: number;
  /** Evidence frames of the first findings, up to `MAX_EVIDENCE`. */
  readonly frames: number[];
  /** When a finding of it was last printed. */
  printedMs: number;
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

/**
 * Counts findings by kind and key, and says which to print: the first of a trouble, and again
 * once `reportIntervalMs` has passed since it was last printed (0: every one), so a poisoning tool
 * that lies every second gives one line a minute, not sixty, while the report keeps the count.
 *
 * Findings that name an asker (`unanswered`, `retry-gap`) also share a budget per asker: at most
 * `PRINTED_PER_ASKER` lines per `reportIntervalMs`, so a host sweeping a /24 gives five lines
 * (and its `refresh-burst` or `storm`), not 250; the report and `--json` still hold every one.
 */
export class FindingTally {
  private readonly tallies: BoundedMap<string, Tally>;
  /** Findings counted by kind, repeats included (kept whole when troubles are evicted). */
  readonly byKind = new Map<FindingKind, number>();
  private readonly askers: BoundedMap<string, AskerBudget>;

  constructor(
    private readonly reportIntervalMs: number,
    maxEntries: number,
  ) {
    this.tallies = new BoundedMap(maxEntries);
    this.askers = new BoundedMap(maxEntries);
  }

  /** Troubles forgotten for room. */
  get evicted(): number {
    return this.tallies.evicted;
  }

  /** Counts `finding`; true when it should be printed. */
  add(finding: Finding): boolean {
    this.byKind.set(finding.kind, (this.byKind.get(finding.kind) ?? 0) + 1);
    // The same subject on another interface or VLAN is another trouble.
    const id = `${finding.kind}\u0000${finding.source}\u0000${finding.vlans.join('.')}\u0000${finding.key}`;
    const tally = this.tallies.get(id);
    if (tally === undefined) {
      const frames: number[] = [];
      for (const frame of finding.frames) addEvidence(frames, frame);
      const fresh: Tally = {
        kind: finding.kind,
        key: finding.key,
        first: finding,
        last: finding,
        count: 1,
        frames,
        printedMs: finding.timeMs,
        touched: false,
      };
      this.tallies.set(id, fresh);
      return this.withinAskerBudget(finding);
    }
    tally.count++;
    tally.last = finding;
    for (const frame of finding.frames) {
      if (!tally.frames.includes(frame)) addEvidence(tally.frames, frame);
    }
    if (finding.timeMs - tally.printedMs < this.reportIntervalMs && !EPISODES.has(finding.kind)) {
      return false;
    }
    tally.printedMs = finding.timeMs;
    return this.withinAskerBudget(finding);
  }

  /** False once the finding's asker has had its lines this interval (findings without one: true). */
  private withinAskerBudget(finding: Finding): boolean {
    const asker = finding.fields['asker'];
    if (typeof asker !== 'string') return true;
    const id = `${finding.kind}\u0000${finding.source}\u0000${finding.vlans.join('.')}\u0000${asker}`;
    const budget = this.askers.get(id);
    if (budget === undefined || finding.timeMs - budget.sinceMs >= this.reportIntervalMs) {
      this.askers.set(id, { sinceMs: finding.timeMs, printed: 1, touched: false });
      return true;
    }
    budget.printed++;
    return budget.printed <= PRINTED_PER_ASKER;
  }

  /** Every trouble, in the order first seen. */
  all(): Tally[] {
    return [...this.tallies.values()].sort(
      (a, b) =>
        a.first.timeMs - b.first.timeMs || (a.first.frames[0] ?? 0) - (b.first.frames[0] ?? 0),
    );
  }
}

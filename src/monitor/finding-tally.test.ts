import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { type Finding, type FindingKind, MAX_EVIDENCE } from './finding.js';
import { FindingTally, PRINTED_PER_ASKER, type Tally } from './finding-tally.js';

const INTERVAL_MS = 60_000;

interface Spec {
  kind: FindingKind;
  source: string;
  vlans: readonly number[];
  key: string;
  asker: string | undefined;
  gapMs: number;
  frames: number[];
}

const specs = fc.array(
  fc.record({
    kind: fc.constantFrom<FindingKind>('new-station', 'unanswered', 'refresh-burst'),
    source: fc.constantFrom('eth0', 'eth1'),
    vlans: fc.constantFrom([], [10], [200, 2001]),
    key: fc.constantFrom('192.0.2.1', '192.0.2.2', '192.0.2.3', '10.0.0.1'),
    asker: fc.option(fc.constantFrom('192.0.2.9', '192.0.2.8'), { nil: undefined }),
    gapMs: fc.integer({ min: 0, max: 40_000 }),
    frames: fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 4 }),
  }),
  { maxLength: 120 },
);

/** The findings of `list`, numbered in order, each `gapMs` after the one before. */
function findingsOf(list: readonly Spec[]): Finding[] {
  let timeMs = 1_700_000_000_000;
  return list.map((spec, i) => {
    timeMs += spec.gapMs;
    return {
      kind: spec.kind,
      timeMs,
      source: spec.source,
      vlans: spec.vlans,
      key: spec.key,
      ip: spec.key,
      mac: `02:00:00:00:00:${(i % 100).toString().padStart(2, '0')}`,
      frames: spec.frames,
      text: `${spec.key} finding ${i}`,
      fields: spec.asker === undefined ? {} : { asker: spec.asker },
    };
  });
}

/** What the tally must say, kept the plain way: whole findings in a Map, nothing forgotten. */
class Reference {
  readonly troubles = new Map<string, { first: Finding; last: Finding; count: number }>();
  private readonly frames = new Map<string, number[]>();
  private readonly printed = new Map<string, number>();
  private readonly askers = new Map<string, { sinceMs: number; printed: number }>();

  add(f: Finding): boolean {
    const context = `${f.kind}|${f.source}|${f.vlans.join('.')}`;
    const id = `${context}|${f.key}`;
    const known = this.troubles.get(id);
    if (known === undefined) {
      this.troubles.set(id, { first: f, last: f, count: 1 });
      this.frames.set(id, f.frames.slice(0, MAX_EVIDENCE));
    } else {
      known.count++;
      known.last = f;
      const frames = this.frames.get(id)!;
      for (const n of f.frames)
        if (!frames.includes(n) && frames.length < MAX_EVIDENCE) frames.push(n);
      const since = this.printed.get(id)!;
      if (f.timeMs - since < INTERVAL_MS && f.kind !== 'refresh-burst') return false;
    }
    this.printed.set(id, f.timeMs);
    const asker = f.fields['asker'];
    if (typeof asker !== 'string') return true;
    const budget = this.askers.get(`${context}|${asker}`);
    if (budget === undefined || f.timeMs - budget.sinceMs >= INTERVAL_MS) {
      this.askers.set(`${context}|${asker}`, { sinceMs: f.timeMs, printed: 1 });
      return true;
    }
    return ++budget.printed <= PRINTED_PER_ASKER;
  }

  /** The troubles as the tally reports them, in the order first seen (then by first frame). */
  tallies(): Tally[] {
    const order = [...this.troubles].sort(
      ([, a], [, b]) =>
        a.first.timeMs - b.first.timeMs || (a.first.frames[0] ?? 0) - (b.first.frames[0] ?? 0),
    );
    return order.map(([id, t]) => ({
      kind: t.first.kind,
      key: t.first.key,
      ip: t.first.ip ?? null,
      mac: t.first.mac ?? null,
      vlans: t.first.vlans,
      firstMs: t.first.timeMs,
      lastMs: t.last.timeMs,
      text: t.last.text,
      count: t.count,
      frames: this.frames.get(id)!,
    }));
  }
}

function held(tally: FindingTally): Tally[] {
  return tally.order().map((slot) => tally.at(slot));
}

describe('FindingTally', () => {
  test('with room for every trouble: the same counts, times, texts, evidence and lines to print as whole findings kept in a Map', () => {
    fc.assert(
      fc.property(specs, (list) => {
        const tally = new FindingTally(INTERVAL_MS, 1000);
        const reference = new Reference();
        for (const finding of findingsOf(list)) {
          assert.equal(tally.add(finding), reference.add(finding), finding.text);
        }
        assert.deepEqual(held(tally), reference.tallies());
        assert.equal(tally.evicted, 0);
        const byKind: Record<string, number> = {};
        for (const spec of list) byKind[spec.kind] = (byKind[spec.kind] ?? 0) + 1;
        assert.deepEqual(Object.fromEntries(tally.byKind), byKind);
      }),
    );
  });

  test('full: holds max-entries troubles, counts the rest as evicted, and what it holds is right', () => {
    fc.assert(
      fc.property(specs, fc.integer({ min: 1, max: 6 }), (list, capacity) => {
        const tally = new FindingTally(INTERVAL_MS, capacity);
        const reference = new Reference();
        const findings = findingsOf(list);
        for (const finding of findings) {
          tally.add(finding);
          reference.add(finding);
        }
        const troubles = held(tally);
        assert.ok(troubles.length <= capacity);
        assert.equal(tally.size, troubles.length);
        assert.equal(tally.evicted >= reference.troubles.size - capacity, true);
        // The latest trouble is always held, and one held is never mixed with another.
        const last = findings.at(-1);
        if (last !== undefined) assert.ok(troubles.some((t) => t.text === last.text));
        const reported = new Map(
          reference.tallies().map((t) => [`${t.kind}|${t.key}|${t.vlans.join('.')}|${t.text}`, t]),
        );
        for (const t of troubles) {
          const whole = reported.get(`${t.kind}|${t.key}|${t.vlans.join('.')}|${t.text}`);
          assert.ok(whole !== undefined, t.text);
          assert.equal(t.lastMs, whole.lastMs);
          assert.ok(t.count <= whole.count && t.firstMs >= whole.firstMs);
        }
      }),
    );
  });

  test('a trouble evicted and seen again starts over, counted once', () => {
    const tally = new FindingTally(INTERVAL_MS, 2);
    const [a, b, c, a2] = findingsOf([
      {
        kind: 'new-station',
        source: 'eth0',
        vlans: [],
        key: 'a',
        asker: undefined,
        gapMs: 0,
        frames: [1],
      },
      {
        kind: 'new-station',
        source: 'eth0',
        vlans: [],
        key: 'b',
        asker: undefined,
        gapMs: 1,
        frames: [2],
      },
      {
        kind: 'new-station',
        source: 'eth0',
        vlans: [],
        key: 'c',
        asker: undefined,
        gapMs: 1,
        frames: [3],
      },
      {
        kind: 'new-station',
        source: 'eth0',
        vlans: [],
        key: 'a',
        asker: undefined,
        gapMs: 1,
        frames: [4],
      },
    ]);
    for (const f of [a!, b!, c!]) assert.equal(tally.add(f), true);
    assert.deepEqual(
      held(tally).map((t) => t.key),
      ['b', 'c'],
    );
    assert.equal(tally.add(a2!), true);
    assert.deepEqual(
      held(tally).map((t) => [t.key, t.count, t.frames]),
      [
        ['c', 1, [3]],
        ['a', 1, [4]],
      ],
    );
    assert.equal(tally.evicted, 2);
  });
});

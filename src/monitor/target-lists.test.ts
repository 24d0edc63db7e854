import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { SCAN_LIMIT, TargetLists, type TargetListed } from './target-lists.js';

class Entry implements TargetListed<Entry> {
  nextOfTarget: Entry | undefined = undefined;
  prevOfTarget: Entry | undefined = undefined;
  listed = false;
  lastOfTarget: Entry | undefined = undefined;
  others = 0;
  byAsker: Map<number, Entry> | undefined = undefined;

  constructor(
    readonly targetId: number,
    readonly targetGen: number,
    readonly askerId: number,
  ) {}
}

/** The list of `first`: it, then its others in order. */
function list(first: Entry | undefined): Entry[] {
  const entries: Entry[] = [];
  for (let entry = first; entry !== undefined; entry = entry.nextOfTarget) entries.push(entry);
  return entries;
}

/**
 * The same grouping done plainly, as the unanswered detector did it before the lists: per target
 * id its generation, its first entry and a Map of the others by asker id.
 */
class Model {
  readonly targets = new Map<number, { gen: number; first: Entry; others: Map<number, Entry> }>();
  evicted = 0;

  first(targetId: number, targetGen: number): Entry | undefined {
    const target = this.targets.get(targetId);
    return target?.gen === targetGen ? target.first : undefined;
  }

  add(entry: Entry): void {
    const target = this.targets.get(entry.targetId);
    if (target?.gen === entry.targetGen) {
      target.others.set(entry.askerId, entry);
      return;
    }
    if (target !== undefined) this.evicted++;
    this.targets.set(entry.targetId, { gen: entry.targetGen, first: entry, others: new Map() });
  }

  remove(entry: Entry): void {
    const target = this.targets.get(entry.targetId);
    if (target?.gen !== entry.targetGen) return;
    if (target.first === entry) {
      const next = target.others.values().next().value;
      if (next === undefined) this.targets.delete(entry.targetId);
      else {
        target.others.delete(next.askerId);
        target.first = next;
      }
    } else if (target.others.get(entry.askerId) === entry) {
      target.others.delete(entry.askerId);
    }
  }
}

describe('TargetLists', () => {
  test('others in the order they came; the oldest leads when the first goes', () => {
    const lists = new TargetLists<Entry>();
    const [a, b, c] = [new Entry(0, 1, 10), new Entry(0, 1, 11), new Entry(0, 1, 12)];
    for (const entry of [a, b, c]) lists.add(entry);
    assert.deepEqual(list(lists.first(0, 1)), [a, b, c]);
    assert.equal(lists.other(a, 12), c);
    lists.remove(a);
    assert.deepEqual(list(lists.first(0, 1)), [b, c]);
    assert.equal(b.others, 1);
    lists.remove(c);
    lists.remove(b);
    assert.equal(lists.first(0, 1), undefined);
  });

  test('a new entry for an asker id takes the old one’s place, which leaves the list', () => {
    const lists = new TargetLists<Entry>();
    const [a, b, c, b2] = [
      new Entry(0, 1, 10),
      new Entry(0, 1, 11),
      new Entry(0, 1, 12),
      new Entry(0, 1, 11),
    ];
    for (const entry of [a, b, c, b2]) lists.add(entry);
    assert.deepEqual(list(a), [a, b2, c]);
    assert.equal(b.listed, false);
    lists.remove(b);
    assert.deepEqual(list(a), [a, b2, c]);
  });

  test('a target id given to another address starts a new list, the old one counted', () => {
    const lists = new TargetLists<Entry>();
    const old = new Entry(0, 1, 10);
    lists.add(old);
    lists.add(new Entry(0, 1, 11));
    const fresh = new Entry(0, 2, 10);
    lists.add(fresh);
    assert.equal(lists.evicted, 1);
    assert.equal(lists.first(0, 1), undefined);
    assert.deepEqual(list(lists.first(0, 2)), [fresh]);
    lists.remove(old);
    assert.deepEqual(list(lists.first(0, 2)), [fresh]);
  });

  test(`past ${SCAN_LIMIT} others, found through a Map, kept right as entries come and go`, () => {
    const lists = new TargetLists<Entry>();
    const entries = Array.from({ length: 3 * SCAN_LIMIT }, (_, i) => new Entry(0, 1, i));
    for (const entry of entries) lists.add(entry);
    assert.ok(entries[0]!.byAsker !== undefined);
    lists.remove(entries[0]!);
    const first = lists.first(0, 1)!;
    assert.equal(first, entries[1]);
    for (const entry of entries.slice(2)) assert.equal(lists.other(first, entry.askerId), entry);
    assert.equal(lists.other(first, 1), undefined);
  });

  test('property: agrees with the plain model (a first and a Map of others per target)', () => {
    const op = fc.oneof(
      fc.record({
        add: fc.constant(true),
        target: fc.nat(2),
        gen: fc.integer({ min: 1, max: 2 }),
        asker: fc.nat(SCAN_LIMIT + 3),
      }),
      fc.record({ add: fc.constant(false), pick: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 50, maxLength: 300 }), (ops) => {
        const lists = new TargetLists<Entry>();
        const model = new Model();
        const made: Entry[] = [];
        for (const step of ops) {
          if ('target' in step) {
            const entry = new Entry(step.target, step.gen, step.asker);
            made.push(entry);
            lists.add(entry);
            model.add(entry);
          } else if (made.length > 0) {
            const [entry] = made.splice(step.pick % made.length, 1);
            lists.remove(entry!);
            model.remove(entry!);
          }
          for (let id = 0; id <= 2; id++) {
            for (const gen of [1, 2]) {
              const target = model.targets.get(id);
              const want = target?.gen === gen ? [target.first, ...target.others.values()] : [];
              assert.deepEqual(list(lists.first(id, gen)), want);
              for (const [asker, entry] of target?.gen === gen ? target.others : []) {
                assert.equal(lists.other(target!.first, asker), entry);
              }
            }
          }
          assert.equal(lists.evicted, model.evicted);
        }
      }),
      { numRuns: 300 },
    );
  });
});

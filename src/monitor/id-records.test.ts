import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { IdRecords } from './id-records.js';

describe('IdRecords', () => {
  test('a record is found only under the generation it was started with', () => {
    const records = new IdRecords(4);
    assert.equal(records.find(3, 1), -1);
    const at = records.claim(3, 1);
    assert.equal(at, 12);
    records.data[at + 1] = 42;
    assert.equal(records.find(3, 1), at);
    assert.equal(records.find(3, 2), -1);
    assert.equal(records.find(2, 1), -1);
    assert.equal(records.data[records.find(3, 1) + 1], 42);
  });

  test('starting a record over a stale one zeroes it and counts it; over none, not', () => {
    const records = new IdRecords(3);
    const first = records.claim(0, 1);
    records.data[first + 2] = 7;
    assert.equal(records.evicted, 0);
    const at = records.claim(0, 2);
    assert.deepEqual([...records.data.subarray(at, at + 3)], [2, 0, 0]);
    assert.equal(records.evicted, 1);
    records.delete(0);
    records.claim(0, 3);
    assert.equal(records.evicted, 1);
  });

  test('grows past its first size, keeping the records', () => {
    const records = new IdRecords(2, 4);
    for (let id = 0; id < 100; id++) {
      // `claim` may replace `data`: read it after the call.
      const at = records.claim(id, 1);
      records.data[at + 1] = id * 10;
    }
    for (let id = 0; id < 100; id++) {
      assert.equal(records.data[records.find(id, 1) + 1], id * 10);
    }
    assert.equal(records.find(100_000, 1), -1);
  });

  test('starts: every written record in id order, stale ones included, deleted ones not', () => {
    const records = new IdRecords(2);
    records.claim(5, 1);
    records.claim(1, 3);
    records.claim(9, 1);
    records.delete(9);
    assert.deepEqual([...records.starts()], [2, 10]);
  });

  test('property: agrees with a Map of (id → generation, value)', () => {
    const op = fc.record({ id: fc.nat(40), generation: fc.integer({ min: 1, max: 3 }) });
    fc.assert(
      fc.property(fc.array(op, { minLength: 50, maxLength: 200 }), (ops) => {
        const records = new IdRecords(2, 1);
        const model = new Map<number, number>();
        let evicted = 0;
        for (const [i, { id, generation }] of ops.entries()) {
          const at = records.find(id, generation);
          assert.equal(at >= 0, model.get(id) === generation);
          if (at >= 0) continue;
          if (model.has(id)) evicted++;
          model.set(id, generation);
          const start = records.claim(id, generation);
          records.data[start + 1] = i;
        }
        assert.equal(records.evicted, evicted);
      }),
    );
  });
});

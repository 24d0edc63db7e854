import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { SightingTable } from './sighting-table.js';

interface Aggregate {
  first: number;
  last: number;
  count: number;
}

/** The table's entries as `segment/ip/mac → first..last xcount`, in its order. */
function entries(table: SightingTable): string[] {
  const out: string[] = [];
  for (let i = 0; i < table.size; i++) {
    out.push(
      `${table.segment(i)}/${table.ip(i)}/${table.mac(i)} ${table.first(i)}..${table.last(i)} x${table.count(i)}`,
    );
  }
  return out;
}

describe('SightingTable', () => {
  test('one entry per (segment, IP, MAC), in order of arrival, with first, last and count', () => {
    const table = new SightingTable();
    table.add(0, 0xc0000201, 0x0200_0000_000a, 50);
    table.add(0, 0xc0000201, 0x0200_0000_000b, 60);
    table.add(1, 0xc0000201, 0x0200_0000_000a, 70);
    table.add(0, 0xc0000201, 0x0200_0000_000a, 40);
    table.add(0, 0xc0000201, 0x0200_0000_000a, 90);
    assert.deepEqual(entries(table), [
      `0/${0xc0000201}/${0x0200_0000_000a} 40..90 x3`,
      `0/${0xc0000201}/${0x0200_0000_000b} 60..60 x1`,
      `1/${0xc0000201}/${0x0200_0000_000a} 70..70 x1`,
    ]);
  });

  test('MACs that differ only above bit 32 and IPs above 2^31 stay apart', () => {
    const table = new SightingTable();
    table.add(0, 0xffff_ffff, 0x0000_0000_0001, 1);
    table.add(0, 0xffff_ffff, 0xffff_0000_0001, 2);
    table.add(0, 0x7fff_ffff, 0x0000_0000_0001, 3);
    assert.equal(table.size, 3);
    assert.equal(table.mac(1), 0xffff_0000_0001);
    assert.equal(table.ip(0), 0xffff_ffff);
  });

  test('clear empties it; what is added next is new', () => {
    const table = new SightingTable();
    for (let i = 0; i < 3000; i++) table.add(0, i, 1, i);
    assert.equal(table.size, 3000);
    table.clear();
    assert.equal(table.size, 0);
    table.add(0, 5, 1, 999);
    assert.deepEqual(entries(table), ['0/5/1 999..999 x1']);
    // After a burst the table shrinks back; its content is still right.
    for (let i = 0; i < 100_000; i++) table.add(2, i, 7, i);
    assert.equal(table.capacity, 262_144);
    table.clear();
    assert.equal(table.capacity, 262_144, 'kept for an interval as busy');
    table.add(0, 1, 1, 1);
    table.clear();
    assert.equal(table.capacity, 1024, 'given back after a quiet interval');
    for (let i = 0; i < 10; i++) table.add(0, i, 1, i);
    assert.equal(table.size, 10);
    assert.equal(entries(table)[9], '0/9/1 9..9 x1');
  });

  test('property: the same aggregates as a Map of string keys, whatever the order and growth', () => {
    const sighting = fc.record({
      segment: fc.integer({ min: 0, max: 3 }),
      ip: fc.integer({ min: 0, max: 40 }).map((n) => (n * 0x0101_0101) >>> 0),
      mac: fc.integer({ min: 0, max: 5 }).map((n) => n * 0x1_0000_0001),
      time: fc.integer({ min: 0, max: 1000 }),
    });
    fc.assert(
      fc.property(
        fc.array(sighting, { maxLength: 3000 }),
        fc.boolean(),
        (sightings, clearFirst) => {
          const table = new SightingTable();
          if (clearFirst) {
            for (let i = 0; i < 2000; i++) table.add(9, i, i, i);
            table.clear();
          }
          const expected = new Map<string, Aggregate>();
          for (const s of sightings) {
            table.add(s.segment, s.ip, s.mac, s.time);
            const key = `${s.segment}/${s.ip}/${s.mac}`;
            const known = expected.get(key);
            if (known === undefined) expected.set(key, { first: s.time, last: s.time, count: 1 });
            else {
              known.first = Math.min(known.first, s.time);
              known.last = Math.max(known.last, s.time);
              known.count++;
            }
          }
          const want = [...expected].map(([k, a]) => `${k} ${a.first}..${a.last} x${a.count}`);
          assert.deepEqual(entries(table), want);
        },
      ),
      { numRuns: 200 },
    );
  });
});

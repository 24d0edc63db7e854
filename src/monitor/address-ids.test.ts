import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { AddressIds } from './address-ids.js';

describe('AddressIds', () => {
  test('the same address gets the same id; IPv4 and MAC keys never collide', () => {
    const ids = new AddressIds(8);
    const a = ids.ipv4(0, 0xc000_0201);
    assert.equal(ids.ipv4(0, 0xc000_0201), a);
    assert.notEqual(ids.ipv4(1, 0xc000_0201), a, 'another segment is another address');
    assert.notEqual(ids.mac(0, 0xc000_0201), a, 'a MAC with the same low bits is another key');
    assert.equal(ids.mac(0, 0x0200_0000_0001), ids.mac(0, 0x0200_0000_0001));
    assert.equal(ids.size, 4);
    assert.equal(ids.recycled, 0);
  });

  test('when full, an untouched id is recycled and its generation goes up', () => {
    const ids = new AddressIds(2);
    const a = ids.ipv4(0, 1);
    const b = ids.ipv4(0, 2);
    ids.ipv4(0, 1); // touch a
    const generationB = ids.generation(b);
    const c = ids.ipv4(0, 3);
    assert.equal(c, b, 'b was not used since the hand passed: its id goes to c');
    assert.equal(ids.generation(c), generationB + 1);
    assert.equal(ids.recycled, 1);
    assert.equal(ids.ipv4(0, 1), a, 'a kept its id');
  });

  test('property: live addresses keep their id and generation, ids are never shared', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 16 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 40 })), {
          maxLength: 400,
        }),
        (capacity, keys) => {
          const ids = new AddressIds(capacity);
          // What the table should say: address → [id, generation], dropped when its id moves.
          const live = new Map<string, [number, number]>();
          const owner = new Map<number, string>();
          for (const [segment, ip] of keys) {
            const key = `${segment}/${ip}`;
            const id = ids.ipv4(segment, 0xffff_0000 + ip);
            const known = live.get(key);
            if (known !== undefined) {
              assert.deepEqual([id, ids.generation(id)], known, `${key} moved`);
              continue;
            }
            const previous = owner.get(id);
            if (previous !== undefined) live.delete(previous);
            live.set(key, [id, ids.generation(id)]);
            owner.set(id, key);
            assert.ok(id >= 0 && id < capacity);
            assert.ok(live.size <= capacity);
          }
          assert.equal(ids.size, live.size);
        },
      ),
    );
  });
});

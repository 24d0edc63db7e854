import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { type Queued, TimeQueue } from './time-queue.js';

class Item implements Queued<Item> {
  older: Item | undefined = undefined;
  newer: Item | undefined = undefined;
  constructor(readonly name: string) {}
}

/** The queue's entries oldest first, walked both ways to check the links agree. */
function names(queue: TimeQueue<Item>): string[] {
  const forward: string[] = [];
  for (let item = queue.oldest; item !== undefined; item = item.newer) forward.push(item.name);
  const backward: string[] = [];
  for (let item = queue.newest; item !== undefined; item = item.older) backward.push(item.name);
  assert.deepEqual(backward.reverse(), forward, 'older and newer links disagree');
  assert.equal(queue.size, forward.length);
  return forward;
}

describe('TimeQueue', () => {
  test('keeps entries in the order they were last touched', () => {
    const queue = new TimeQueue<Item>();
    const [a, b, c] = [new Item('a'), new Item('b'), new Item('c')];
    assert.equal(queue.oldest, undefined);
    queue.push(a);
    queue.push(b);
    queue.push(c);
    assert.deepEqual(names(queue), ['a', 'b', 'c']);
    queue.touch(a);
    assert.deepEqual(names(queue), ['b', 'c', 'a']);
    queue.touch(a);
    assert.deepEqual(names(queue), ['b', 'c', 'a']);
    queue.touch(c);
    assert.deepEqual(names(queue), ['b', 'a', 'c']);
  });

  test('removes from the head, the middle and the tail, and clears the links it cut', () => {
    const queue = new TimeQueue<Item>();
    const items = ['a', 'b', 'c', 'd'].map((name) => new Item(name));
    for (const item of items) queue.push(item);
    const [a, b, c, d] = items as [Item, Item, Item, Item];
    queue.remove(b);
    assert.deepEqual(names(queue), ['a', 'c', 'd']);
    assert.equal(b.older, undefined);
    assert.equal(b.newer, undefined);
    assert.equal(queue.has(b), false);
    queue.remove(d);
    assert.deepEqual(names(queue), ['a', 'c']);
    assert.equal(queue.shift(), a);
    assert.deepEqual(names(queue), ['c']);
    assert.equal(queue.has(c), true);
    assert.equal(queue.shift(), c);
    assert.equal(queue.shift(), undefined);
    assert.deepEqual(names(queue), []);
    assert.equal(queue.has(c), false);
  });

  test('matches an array model under random pushes, touches, removes and shifts', () => {
    const op = fc.tuple(fc.constantFrom('push', 'touch', 'remove', 'shift'), fc.nat(7));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const queue = new TimeQueue<Item>();
        const items = Array.from({ length: 8 }, (_, i) => new Item(String(i)));
        let model: Item[] = [];
        for (const [kind, index] of ops) {
          const item = items[index]!;
          const queued = model.includes(item);
          assert.equal(queue.has(item), queued);
          if (kind === 'push' && !queued) {
            queue.push(item);
            model.push(item);
          } else if (kind === 'touch' && queued) {
            queue.touch(item);
            model = [...model.filter((other) => other !== item), item];
          } else if (kind === 'remove' && queued) {
            queue.remove(item);
            model = model.filter((other) => other !== item);
          } else if (kind === 'shift') {
            assert.equal(queue.shift(), model.shift());
          }
          assert.deepEqual(
            names(queue),
            model.map((other) => other.name),
          );
        }
      }),
    );
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { epochParts, systemClock } from './clock.js';
import { VirtualClock } from './virtual-clock.js';

describe('virtual clock', () => {
  test('sleepers wake in time order, at their own times, only when time is advanced', async () => {
    const clock = new VirtualClock(0);
    const woke: [string, number][] = [];
    const nap = (name: string, ms: number) =>
      clock.sleep(ms).then(() => woke.push([name, clock.now()]));
    void nap('late', 300);
    void nap('early', 100);
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.deepEqual(woke, []);
    await clock.advance(250);
    assert.deepEqual(woke, [['early', 100]]);
    assert.equal(clock.now(), 250);
    await clock.advance(100);
    assert.deepEqual(woke, [
      ['early', 100],
      ['late', 300],
    ]);
  });

  test('a loop that sleeps again runs every step within one advance', async () => {
    const clock = new VirtualClock(0);
    const ticks: number[] = [];
    const loop = (async () => {
      for (let i = 0; i < 4; i++) {
        ticks.push(clock.now());
        await clock.sleep(1100);
      }
    })();
    await clock.advance(5000);
    await loop;
    assert.deepEqual(ticks, [0, 1100, 2200, 3300]);
  });

  test('epoch milliseconds split into pcap seconds and nanoseconds', () => {
    assert.deepEqual(epochParts(1_700_000_000_250.5), { sec: 1_700_000_000, nsec: 250_500_000 });
    assert.deepEqual(epochParts(0), { sec: 0, nsec: 0 });
  });

  test('an aborted sleep wakes at once and leaves nothing behind', async () => {
    const clock = new VirtualClock(0);
    const stop = new AbortController();
    const nap = clock.sleep(5000, stop.signal);
    stop.abort();
    await nap;
    assert.equal(clock.now(), 0);
    await clock.sleep(10, AbortSignal.abort());
    // The system clock's timer is cleared too: a minute-long sleep ends with its signal.
    await systemClock.sleep(60_000, AbortSignal.timeout(10));
  });
});

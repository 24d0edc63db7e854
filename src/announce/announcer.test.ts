import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Link, LinkError } from '../link/link.js';
import { memoryLinkPair } from '../link/memory-link.js';
import type { Clock } from '../time/clock.js';
import { VirtualClock } from '../time/virtual-clock.js';
import { manyGuests } from '../testing/snapshots.js';
import type { Mac } from '../wire/mac.js';
import {
  type AnnounceRun,
  type BatchEvent,
  DEFAULT_SCHEDULE_MS,
  type FailureEvent,
  runAnnouncement,
} from './announcer.js';
import { type AnnouncePlan, planAnnouncement, type PlannedFrame } from './plan.js';
import { sendFrame } from './send-frame.js';

/** A link that records when each batch came and how big it was; `answer` may fail a call. */
class RecordingLink implements Link {
  readonly batches: { readonly at: number; readonly size: number }[] = [];
  #calls = 0;

  constructor(
    readonly name: string,
    private readonly clock: Clock,
    private readonly answer: (call: number, size: number) => number = (_, size) => size,
  ) {}

  send(frame: Uint8Array): void {
    this.sendBatch([frame]);
  }

  sendBatch(frames: readonly Uint8Array[]): number {
    const went = this.answer(++this.#calls, frames.length);
    if (went > 0) this.batches.push({ at: this.clock.now(), size: went });
    return went;
  }

  receive(): void {}

  async close(): Promise<void> {}
}

/** A plan of `count` RARP frames (distinct MACs) on each named egress. */
function planOf(counts: Record<string, number>): AnnouncePlan {
  const frames: PlannedFrame[] = [];
  let mac = 0x0254_0000_0000;
  for (const [egress, count] of Object.entries(counts)) {
    for (let i = 0; i < count; i++) {
      const spec = { kind: 'rarp', mac: mac++ as Mac } as const;
      frames.push({ egress, spec, frame: sendFrame(spec), source: 'guest' });
    }
  }
  return { frames, skipped: [] };
}

/** Runs `run` on `clock` for `ms` of virtual time; resolves its outcome and the batch events. */
async function runFor(clock: VirtualClock, ms: number, run: Omit<AnnounceRun, 'onBatch'>) {
  const events: BatchEvent[] = [];
  const outcome = runAnnouncement({ ...run, onBatch: (event) => events.push(event) });
  await clock.advance(ms);
  return { outcome: await outcome, events };
}

/** The first and last batch time of each round on `egress`. */
function roundSpans(events: readonly BatchEvent[], egress: string): [number, number][] {
  const spans: [number, number][] = [];
  for (const event of events.filter((each) => each.egress === egress)) {
    const span = spans[event.round];
    if (span === undefined) spans[event.round] = [event.timeMs, event.timeMs];
    else span[1] = event.timeMs;
  }
  return spans;
}

describe('announcer', () => {
  test('the default schedule: at once, past the 1 s locktime, and at 5 s', () => {
    assert.deepEqual(DEFAULT_SCHEDULE_MS, [0, 1100, 5000]);
    assert.ok(Object.isFrozen(DEFAULT_SCHEDULE_MS));
  });

  test('unpaced: each round on every link at its offset, all at once', async () => {
    const clock = new VirtualClock(0);
    const a = new RecordingLink('a', clock);
    const b = new RecordingLink('b', clock);
    const { outcome, events } = await runFor(clock, 6000, {
      plan: planOf({ a: 3, b: 2 }),
      offsetsMs: DEFAULT_SCHEDULE_MS,
      rate: 0,
      clock,
      links: new Map([
        ['a', a],
        ['b', b],
      ]),
    });
    assert.deepEqual(a.batches, [
      { at: 0, size: 3 },
      { at: 1100, size: 3 },
      { at: 5000, size: 3 },
    ]);
    assert.deepEqual(
      b.batches.map((batch) => batch.at),
      [0, 1100, 5000],
    );
    assert.deepEqual(
      events.map((event) => [event.egress, event.round, event.frames.length]),
      [
        ['a', 0, 3],
        ['b', 0, 2],
        ['a', 1, 3],
        ['b', 1, 2],
        ['a', 2, 3],
        ['b', 2, 2],
      ],
    );
    assert.deepEqual(outcome, {
      links: [
        { egress: 'a', sent: 9, failed: 0, error: undefined },
        { egress: 'b', sent: 6, failed: 0, error: undefined },
      ],
      durationMs: 5000,
      aborted: false,
    });
  });

  test('a round that outlasts its gap pushes the next back; other links keep their schedule', async () => {
    const clock = new VirtualClock(0);
    const slow = new RecordingLink('slow', clock);
    const quick = new RecordingLink('quick', clock);
    // 100 frames/s is one frame a tick: 150 frames take 1.5 s, longer than the 1.1 s gap.
    const { outcome, events } = await runFor(clock, 8000, {
      plan: planOf({ slow: 150, quick: 2 }),
      offsetsMs: DEFAULT_SCHEDULE_MS,
      rate: 100,
      clock,
      links: new Map([
        ['slow', slow],
        ['quick', quick],
      ]),
    });
    assert.deepEqual(roundSpans(events, 'slow'), [
      [0, 1490],
      [1500, 2990],
      [5000, 6490],
    ]);
    assert.deepEqual(roundSpans(events, 'quick'), [
      [0, 10],
      [1100, 1110],
      [5000, 5010],
    ]);
    // Never two batches on one link in one tick, whatever the rounds.
    const times = slow.batches.map((batch) => batch.at);
    assert.ok(times.every((at, i) => i === 0 || at - times[i - 1]! >= 10));
    assert.ok(slow.batches.every((batch) => batch.size === 1));
    assert.equal(outcome.durationMs, 6490);
    assert.deepEqual(
      outcome.links.map((link) => link.sent),
      [450, 6],
    );
  });

  test('a failed batch is recorded and sending goes on with the next batch and round', async () => {
    const clock = new VirtualClock(0);
    // Call 2 throws, call 3 sends one frame of two; every other call sends its batch.
    const flaky = new RecordingLink('flaky', clock, (call, size) => {
      if (call === 2) throw new LinkError('flaky: send failed: interface flaky is down (ENETDOWN)');
      return call === 3 ? 1 : size;
    });
    const good = new RecordingLink('good', clock);
    const failures: FailureEvent[] = [];
    const { outcome, events } = await runFor(clock, 2000, {
      plan: planOf({ flaky: 6, good: 6 }),
      offsetsMs: [0, 1100],
      rate: 200,
      clock,
      links: new Map([
        ['flaky', flaky],
        ['good', good],
      ]),
      onFailure: (failure) => failures.push(failure),
    });
    assert.deepEqual(
      failures.map((failure) => [
        failure.round,
        failure.timeMs,
        failure.frames.length,
        failure.message,
      ]),
      [
        [0, 10, 2, 'flaky: send failed: interface flaky is down (ENETDOWN)'],
        [0, 20, 1, 'flaky: sent 1 of 2 frames'],
      ],
    );
    assert.deepEqual(
      events.filter((event) => event.egress === 'flaky').map((event) => event.frames.length),
      [2, 1, 2, 2, 2],
    );
    assert.deepEqual(outcome.links, [
      {
        egress: 'flaky',
        sent: 9,
        failed: 3,
        error: 'flaky: send failed: interface flaky is down (ENETDOWN)',
      },
      { egress: 'good', sent: 12, failed: 0, error: undefined },
    ]);
  });

  test('abort stops every link at once: no batch after it, the outcome says so', async () => {
    const clock = new VirtualClock(0);
    const link = new RecordingLink('eth0', clock);
    const stop = new AbortController();
    const outcome = runAnnouncement({
      plan: planOf({ eth0: 150 }),
      offsetsMs: DEFAULT_SCHEDULE_MS,
      rate: 100,
      clock,
      links: new Map([['eth0', link]]),
      signal: stop.signal,
    });
    await clock.advance(2000);
    stop.abort();
    const result = await outcome;
    assert.equal(result.aborted, true);
    assert.equal(result.durationMs, 2000);
    // Round 0 (0–1490 ms), then round 1 from 1500 ms up to the tick at 2000 ms; no round 2.
    assert.equal(link.batches.at(-1)!.at, 2000);
    assert.equal(result.links[0]!.sent, 150 + 51);
  });

  test('every egress of the plan needs an open link', async () => {
    const clock = new VirtualClock(0);
    await assert.rejects(
      runAnnouncement({
        plan: planOf({ eth0: 1, eth1: 1 }),
        offsetsMs: [0],
        rate: 0,
        clock,
        links: new Map([['eth0', new RecordingLink('eth0', clock)]]),
      }),
      { name: 'RangeError', message: 'runAnnouncement: no open link for eth1' },
    );
  });

  test('a planned announcement over a memory link: the peer gets every frame, every round', async () => {
    const clock = new VirtualClock(0);
    const [eth0, peer] = memoryLinkPair(clock);
    const received: Uint8Array[] = [];
    peer.receive((frame) => received.push(frame.bytes));
    const plan = planAnnouncement(manyGuests(5), {
      ifaces: [],
      all: false,
      guests: ['br0'],
      ips: [],
      uplinks: [],
      macFrame: 'rarp',
      force: false,
    });
    const { outcome } = await runFor(clock, 6000, {
      plan,
      offsetsMs: DEFAULT_SCHEDULE_MS,
      rate: 1000,
      clock,
      links: new Map([['eth0', eth0]]),
    });
    const frames = plan.frames.map((planned) => planned.frame);
    assert.deepEqual(received, [...frames, ...frames, ...frames]);
    assert.deepEqual(outcome.links, [{ egress: 'eth0', sent: 15, failed: 0, error: undefined }]);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { Pacer, TICK_MS } from '../announce/pacer.js';
import { VirtualClock } from '../time/virtual-clock.js';
import { ArpOp } from '../wire/arp.js';
import { parseIpv4 } from '../wire/ipv4.js';
import { MAC_BROADCAST, MAC_ZERO, parseMac } from '../wire/mac.js';
import {
  arpkitAnnouncement,
  bondingGarps,
  garpReply,
  garpRequest,
  pacedOffsets,
  qemuAnnounce,
  rarpFrame,
  vrrpGarps,
} from './announcers.js';
import { arpSimFrame, FrameKind, type SimFrame } from './frame.js';
import { fromMs, MILLISECOND, type Nanos, SECOND } from './units.js';
import { World } from './world.js';

const MAC = parseMac('02:00:00:00:00:01');
const MAC2 = parseMac('52:54:00:00:00:02');
const IP1 = parseIpv4('192.0.2.1');
const IP2 = parseIpv4('192.0.2.2');
const TICK: Nanos = TICK_MS * MILLISECOND;

/** A world and a Send that records each frame with the time it was sent. */
function capture() {
  const world = new World(1, 60 * SECOND);
  const sent: [Nanos, SimFrame][] = [];
  const send = (frame: SimFrame): void => void sent.push([world.engine.now, frame]);
  const run = (): [Nanos, SimFrame][] => (world.engine.run(60 * SECOND), sent);
  return { engine: world.engine, send, run };
}

/** When a fresh `announce/pacer.ts` bucket releases each of `count` frames, in ns from its start. */
async function realPacer(count: number, rate: number): Promise<Nanos[]> {
  const clock = new VirtualClock(0);
  const pacer = new Pacer(clock, rate);
  const offsets: Nanos[] = [];
  const items = Array.from({ length: count }, (_, i) => i);
  const run = (async () => {
    for await (const batch of pacer.batches(items)) {
      for (let i = 0; i < batch.length; i++) offsets.push(clock.now() * MILLISECOND);
    }
  })();
  await clock.advance((count / Math.max(rate, 1)) * 1000 + 2 * TICK_MS);
  await run;
  return offsets;
}

/** Frames per tick of a schedule of offsets. */
function perTick(offsets: readonly Nanos[]): Map<number, number> {
  const ticks = new Map<number, number>();
  for (const offset of offsets) ticks.set(offset / TICK, (ticks.get(offset / TICK) ?? 0) + 1);
  return ticks;
}

describe('pacedOffsets', () => {
  test('property: count offsets, ascending, on ticks, the first at 0, at most max(1, ⌈rate/100⌉) a tick', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 1, max: 100_000 }),
        (count, rate) => {
          const offsets = pacedOffsets(count, rate);
          assert.equal(offsets.length, count);
          assert.equal(offsets[0], 0, 'the first frame goes at once');
          offsets.forEach((offset, i) => {
            assert.ok(Number.isInteger(offset / TICK), `${offset} is not on a tick`);
            if (i > 0) assert.ok(offset >= offsets[i - 1]!);
          });
          const most = Math.max(1, Math.ceil((rate * TICK_MS) / 1000));
          for (const [tick, frames] of perTick(offsets))
            assert.ok(frames <= most, `${frames} at tick ${tick}`);
          // The last goes (count − 1) / rate after the first, within a tick.
          const last = offsets[count - 1]!;
          assert.ok(Math.abs(last - ((count - 1) / rate) * SECOND) <= TICK, `${last} ns`);
        },
      ),
    );
  });

  test('property: a round is paced as a fresh announce/pacer.ts bucket paces it', async () => {
    const rateAndCount = fc
      .integer({ min: 1, max: 5000 })
      .chain((rate) =>
        fc.tuple(fc.constant(rate), fc.integer({ min: 1, max: Math.min(60, rate * 2) })),
      );
    await fc.assert(
      fc.asyncProperty(rateAndCount, async ([rate, count]) => {
        assert.deepEqual(pacedOffsets(count, rate), await realPacer(count, rate));
      }),
      { numRuns: 40 },
    );
  });

  test('50 frames/s: one frame every other tick, the first at once (as the pacer sends them)', () => {
    assert.deepEqual(pacedOffsets(4, 50), [0, 20, 40, 60].map(fromMs));
  });

  test('150 frames/s: 1.5 a tick, the half frame carried', () => {
    assert.deepEqual(pacedOffsets(6, 150), [0, 10, 10, 20, 30, 30].map(fromMs));
  });

  test('rate 0 is unpaced: everything at 0; count 0 is nothing', () => {
    assert.deepEqual(pacedOffsets(5, 0), [0, 0, 0, 0, 0]);
    assert.deepEqual(pacedOffsets(0, 100), []);
    assert.deepEqual(pacedOffsets(0, 0), []);
  });
});

/** A frame's kind, operation, Ethernet addresses and ARP fields, in wire order. */
function fields(frame: SimFrame): number[] {
  const { kind, op, source, destination, senderMac, senderIp, targetMac, targetIp } = frame;
  return [kind, op, source, destination, senderMac, senderIp, targetMac, targetIp];
}

describe('announcement frames', () => {
  test('garpRequest: a broadcast request with sender IP = target IP and no target MAC', () => {
    const frame = garpRequest(MAC, IP1);
    assert.deepEqual(fields(frame), [
      FrameKind.ARP,
      ArpOp.REQUEST,
      MAC,
      MAC_BROADCAST,
      MAC,
      IP1,
      MAC_ZERO,
      IP1,
    ]);
    assert.equal(frame.gratuitous, true);
    assert.equal(frame.broadcast, true);
    assert.equal(frame.packet, undefined);
  });

  test('garpReply: a broadcast reply whose target MAC is its sender MAC', () => {
    const frame = garpReply(MAC, IP1);
    assert.deepEqual(fields(frame), [
      FrameKind.ARP,
      ArpOp.REPLY,
      MAC,
      MAC_BROADCAST,
      MAC,
      IP1,
      MAC,
      IP1,
    ]);
    assert.equal(frame.gratuitous, true);
  });

  test('gratuitous needs sender IP = target IP, and for a reply target MAC = sender MAC', () => {
    assert.equal(
      arpSimFrame(ArpOp.REQUEST, MAC_BROADCAST, MAC, IP1, MAC_ZERO, IP2).gratuitous,
      false,
    );
    assert.equal(
      arpSimFrame(ArpOp.REPLY, MAC_BROADCAST, MAC, IP1, MAC_ZERO, IP1).gratuitous,
      false,
    );
    assert.equal(arpSimFrame(ArpOp.REQUEST, MAC2, MAC, IP1, MAC2, IP1).gratuitous, true);
  });

  test('rarpFrame: a broadcast RARP request for its own MAC, no IPs, not a GARP', () => {
    const frame = rarpFrame(MAC2);
    assert.deepEqual(fields(frame), [
      FrameKind.RARP,
      ArpOp.RARP_REQUEST,
      MAC2,
      MAC_BROADCAST,
      MAC2,
      0,
      MAC2,
      0,
    ]);
    assert.equal(frame.gratuitous, false);
  });
});

describe('announcers on the engine', () => {
  test('arpkitAnnouncement: each round at its offset, frames paced from the round start', () => {
    const { engine, send, run } = capture();
    const start = 2 * SECOND;
    const subjects = [
      { mac: MAC, ips: [IP1, IP2] },
      { mac: MAC2, ips: [] },
    ];
    arpkitAnnouncement(engine, start, [0, 1000, 3000], 100, subjects, send);
    const sent = run();
    const round = [
      garpRequest(MAC, IP1),
      garpReply(MAC, IP1),
      garpRequest(MAC, IP2),
      garpReply(MAC, IP2),
      rarpFrame(MAC2),
    ];
    const expected = [0, 1000, 3000].flatMap((ms) =>
      round.map((frame, i) => [start + fromMs(ms) + i * TICK, frame] as const),
    );
    assert.deepEqual(sent, expected);
  });

  test('arpkitAnnouncement at rate 0 sends each round at once; rounds follow pacedOffsets', () => {
    const { engine, send, run } = capture();
    arpkitAnnouncement(engine, SECOND, [0, 500], 0, [{ mac: MAC, ips: [IP1] }], send);
    assert.deepEqual(
      run().map(([time]) => time),
      [SECOND, SECOND, SECOND + fromMs(500), SECOND + fromMs(500)],
    );
    const paced = capture();
    const subjects = Array.from({ length: 20 }, (_, i) => ({
      mac: MAC,
      ips: [(IP1 + i) as typeof IP1],
    }));
    arpkitAnnouncement(paced.engine, 0, [0], 700, subjects, paced.send);
    assert.deepEqual(
      paced.run().map(([time]) => time),
      pacedOffsets(40, 700),
    );
  });

  test('bondingGarps: count rounds interval apart from start, one GARP request per address', () => {
    const { engine, send, run } = capture();
    bondingGarps(engine, fromMs(1500), 3, fromMs(100), MAC, [IP1, IP2], send);
    const expected = [0, 100, 200].flatMap((ms) => [
      [fromMs(1500 + ms), garpRequest(MAC, IP1)] as const,
      [fromMs(1500 + ms), garpRequest(MAC, IP2)] as const,
    ]);
    assert.deepEqual(run(), expected);
  });

  test('bondingGarps with count 0 sends nothing', () => {
    const { engine, send, run } = capture();
    bondingGarps(engine, 0, 0, fromMs(100), MAC, [IP1], send);
    assert.deepEqual(run(), []);
  });

  test('vrrpGarps: repeat GARPs per VIP at start, and again after delay', () => {
    const { engine, send, run } = capture();
    vrrpGarps(engine, SECOND, 2, 5 * SECOND, MAC, [IP1, IP2], send);
    const burst = [IP1, IP1, IP2, IP2].map((ip) => garpRequest(MAC, ip));
    const expected = [SECOND, 6 * SECOND].flatMap((time) =>
      burst.map((frame) => [time, frame] as const),
    );
    assert.deepEqual(run(), expected);
  });

  test('vrrpGarps with delay 0 sends one burst', () => {
    const { engine, send, run } = capture();
    vrrpGarps(engine, SECOND, 5, 0, MAC, [IP1], send);
    const sent = run();
    assert.equal(sent.length, 5);
    assert.ok(sent.every(([time]) => time === SECOND));
  });

  test('qemuAnnounce: five RARP frames at 0, 50, 200, 450 and 800 ms', () => {
    const { engine, send, run } = capture();
    qemuAnnounce(engine, 3 * SECOND, MAC2, send);
    assert.deepEqual(
      run(),
      [0, 50, 200, 450, 800].map((ms) => [3 * SECOND + fromMs(ms), rarpFrame(MAC2)] as const),
    );
  });
});

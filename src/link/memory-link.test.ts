import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { bytesSource } from '../pcap/byte-source.js';
import { openCapture } from '../pcap/capture.js';
import { VirtualClock } from '../time/virtual-clock.js';
import type { ReceivedFrame } from './link.js';
import { memoryLinkPair } from './memory-link.js';
import { PcapLink } from './pcap-link.js';

const frame = (n: number) => new Uint8Array(60).fill(n);

describe('memory link pair', () => {
  test('what one end sends the other receives, in order, after the current turn', async () => {
    const clock = new VirtualClock(1_700_000_000_250);
    const [a, b] = memoryLinkPair(clock);
    const got: ReceivedFrame[] = [];
    b.receive((f) => got.push(f));
    a.send(frame(1));
    assert.equal(a.sendBatch([frame(2), frame(3)]), 2);
    assert.equal(got.length, 0);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(
      got.map((f) => f.bytes[0]),
      [1, 2, 3],
    );
    assert.deepEqual([got[0]!.sec, got[0]!.nsec], [1_700_000_000, 250_000_000]);
    assert.equal(a.sent.length, 3);
  });

  test('a sent frame is copied: reusing the buffer does not change what arrives', async () => {
    const [a, b] = memoryLinkPair();
    const got: number[] = [];
    b.receive((f) => got.push(f.bytes[0]!));
    const buffer = frame(7);
    a.send(buffer);
    buffer.fill(9);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(got, [7]);
  });

  test('a closed end sends nothing and receives nothing', async () => {
    const [a, b] = memoryLinkPair();
    let received = 0;
    b.receive(() => received++);
    await b.close();
    a.send(frame(1));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(received, 0);
    await a.close();
    assert.throws(() => a.send(frame(1)), /closed/);
  });
});

describe('pcap link', () => {
  test('frames land in a pcap file with the clock’s nanosecond stamps', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arpkit-pcaplink-'));
    try {
      const path = join(dir, 'out.pcap');
      const clock = new VirtualClock(1_700_000_000_123.25);
      const link = PcapLink.create(path, clock);
      link.send(frame(1));
      await clock.advance(1100);
      link.sendBatch([frame(2), frame(3)]);
      await link.close();
      const reader = openCapture(bytesSource(readFileSync(path)));
      const seen: [number, number, number, number][] = [];
      for (let r = reader.nextShared(); r !== null; r = reader.nextShared()) {
        seen.push([r.data[0]!, r.tsSec, r.tsNsec, r.tsDigits]);
      }
      assert.deepEqual(seen, [
        [1, 1_700_000_000, 123_250_000, 9],
        [2, 1_700_000_001, 223_250_000, 9],
        [3, 1_700_000_001, 223_250_000, 9],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { ArpOp, ArpPacket, arpBufferLen, emitArp } from '../wire/arp.js';
import { emitLink, linkBufferLen } from '../wire/compose.js';
import { EtherType } from '../wire/ethertype.js';
import { FrameDecoder } from '../wire/frame.js';
import type { Ipv4 } from '../wire/ipv4.js';
import { MAC_BROADCAST, MAC_ZERO, type Mac } from '../wire/mac.js';
import { Analyzer } from './analyzer.js';
import type { Finding } from './finding.js';
import { Subnets } from './subnets.js';
import { DEFAULT_THRESHOLDS } from './thresholds.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const START_MS = 1_700_000_000_000;

function analyzer(maxEntries: number, findings: Finding[] = []): Analyzer {
  return new Analyzer({
    thresholds: { ...DEFAULT_THRESHOLDS, maxEntries },
    nets: new Subnets(),
    verbose: true,
    onFinding: (finding) => {
      if (findings.length < 1000) findings.push(finding);
    },
  });
}

/** Feeds `count` requests and replies from random spoofed senders for random targets. */
function spoof(target: Analyzer, from: number, count: number, seed: { value: number }): void {
  const bytes = new Uint8Array(
    linkBufferLen({ destination: MAC_BROADCAST, source: MAC_BROADCAST, vlans: [] }, arpBufferLen()),
  );
  const packet = ArpPacket.unchecked(bytes, 14, arpBufferLen());
  const decoder = new FrameDecoder();
  const place = { source: 'spoofed', number: 0, timeMs: 0 };
  const next = () => {
    seed.value = (Math.imul(seed.value, 1103515245) + 12345) >>> 0;
    return seed.value;
  };
  for (let i = 0; i < count; i++) {
    const sender = (0x0200_0000_0000 + next()) as Mac;
    const reply = (next() & 1) === 1;
    const repr = {
      op: reply ? ArpOp.REPLY : ArpOp.REQUEST,
      senderMac: sender,
      senderIp: next() as Ipv4,
      targetMac: reply ? sender : MAC_ZERO,
      targetIp: next() as Ipv4,
    };
    emitLink(
      { destination: MAC_BROADCAST, source: sender, vlans: [] },
      EtherType.ARP,
      arpBufferLen(),
      bytes,
    );
    emitArp(repr, packet);
    place.number = from + i + 1;
    place.timeMs = START_MS + (from + i) * 0.01;
    target.frame(decoder.decodeShared(bytes, 0, bytes.length, 'ethernet'), place);
  }
}

describe('hostile input', () => {
  test('millions of spoofed addresses: memory stays flat once the tables are full, evictions counted', () => {
    const run = analyzer(1000);
    const seed = { value: 7 };
    spoof(run, 0, 200_000, seed);
    gc();
    const full = process.memoryUsage().heapUsed;
    spoof(run, 200_000, 1_000_000, seed);
    gc();
    const grown = process.memoryUsage().heapUsed - full;
    assert.ok(
      grown < 8 * 2 ** 20,
      `heap grew ${(grown / 2 ** 20).toFixed(1)} MiB past full tables`,
    );
    const evicted = run.evicted();
    assert.ok(evicted['addresses']! > 1_000_000, JSON.stringify(evicted));
    assert.equal(run.counts.counts.frames, 1_200_000);
    // The troubles table is bounded too: a finding per spoofed station, at most max-entries kept.
    assert.ok(run.tally.size <= 1000);
    assert.ok(evicted['findings']! > 0);
  });

  test('random bytes after an ARP, RARP or IPv6 ethertype: counted, never thrown', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            ethertype: fc.constantFrom(
              EtherType.ARP,
              EtherType.RARP,
              EtherType.IPV6,
              EtherType.VLAN,
            ),
            payload: fc.uint8Array({ maxLength: 120 }),
          }),
          { maxLength: 50 },
        ),
        (frames) => {
          const run = analyzer(64);
          const decoder = new FrameDecoder();
          frames.forEach(({ ethertype, payload }, i) => {
            const bytes = new Uint8Array(14 + payload.length);
            bytes.fill(0xff, 0, 6);
            bytes.set([0x02, 0, 0, 0, 0, 1], 6);
            bytes[12] = ethertype >> 8;
            bytes[13] = ethertype & 0xff;
            bytes.set(payload, 14);
            const place = { source: 'fuzz', number: i + 1, timeMs: START_MS + i };
            run.frame(decoder.decodeShared(bytes, 0, bytes.length, 'ethernet'), place);
          });
          run.finish();
          const counts = run.counts.counts;
          assert.equal(counts.frames, frames.length);
          assert.equal(
            counts.arp + counts.rarp + counts.nd + counts.other + counts.malformed,
            frames.length,
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  test('absurd ARP lengths (hlen 255, plen 255, cut short) are malformed findings', () => {
    const findings: Finding[] = [];
    const run = analyzer(64, findings);
    const decoder = new FrameDecoder();
    const bytes = new Uint8Array(60);
    bytes.fill(0xff, 0, 6);
    bytes.set([0x02, 0, 0, 0, 0, 1, 0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0xff, 0xff, 0x00, 0x01], 6);
    run.frame(decoder.decodeShared(bytes, 0, bytes.length, 'ethernet'), {
      source: 'absurd',
      number: 1,
      timeMs: START_MS,
    });
    assert.equal(run.counts.counts.malformed, 1);
    assert.deepEqual(
      findings.map((finding) => finding.kind),
      ['malformed'],
    );
  });
});

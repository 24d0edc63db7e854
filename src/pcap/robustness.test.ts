import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { hex } from '../testing/bytes.js';
import { block, chunkedSource, concat, type Drained, drain, viewOf } from '../testing/pcap-kit.js';
import { MemorySink } from './byte-source.js';
import { BlockType } from './constants.js';
import { PcapWriter } from './pcap-writer.js';
import { PcapngWriter } from './pcapng-writer.js';

const SIZES = [60, 0, 1, 64, 3, 1514];

function pcapFile(byteOrder: 'little' | 'big'): Uint8Array {
  const sink = new MemorySink();
  const writer = new PcapWriter(sink, { byteOrder, resolution: 'ns' });
  for (const [i, size] of SIZES.entries())
    writer.writeRecord(new Uint8Array(size).fill(i), 1000 + i, i);
  writer.flush();
  return sink.bytes();
}

function pcapngSection(byteOrder: 'little' | 'big'): Uint8Array {
  const sink = new MemorySink();
  const writer = new PcapngWriter(sink, { byteOrder });
  const a = writer.addInterface({ linkType: 1, tsresol: 9, name: 'eth0' });
  for (const [i, size] of SIZES.entries()) {
    if (i === 3) writer.addInterface({ linkType: 113, tsresol: 0x80 | 20 });
    writer.writePacket(i >= 3 ? 1 : a, new Uint8Array(size).fill(i), 1_700_000_000 + i, i);
  }
  writer.flush();
  return sink.bytes();
}

/** Two sections (little-, then big-endian) with an unknown block and a simple packet between. */
const PCAPNG = concat(
  pcapngSection('little'),
  block(0x0000_0bad, hex('0102030405'), true),
  block(BlockType.SIMPLE_PACKET, hex('05000000 0102030405'), true),
  pcapngSection('big'),
);
const PCAP_LE = pcapFile('little');
const PCAP_BE = pcapFile('big');

interface Unit {
  start: number;
  end: number;
  isRecord: boolean;
}

/** Record and block boundaries, walked here from the length fields without the readers. */
function pcapUnits(bytes: Uint8Array, le: boolean): Unit[] {
  const view = viewOf(bytes);
  const units: Unit[] = [{ start: 0, end: 24, isRecord: false }];
  for (let at = 24; at < bytes.length;) {
    const end = at + 16 + view.getUint32(at + 8, le);
    units.push({ start: at, end, isRecord: true });
    at = end;
  }
  return units;
}

function pcapngUnits(bytes: Uint8Array): Unit[] {
  const view = viewOf(bytes);
  const units: Unit[] = [];
  let le = true;
  for (let at = 0; at < bytes.length;) {
    const type = view.getUint32(at, le);
    if (type === BlockType.SECTION_HEADER) le = view.getUint32(at + 8, true) === 0x1a2b3c4d;
    const end = at + view.getUint32(at + 4, le);
    const isRecord = type === BlockType.ENHANCED_PACKET || type === BlockType.SIMPLE_PACKET;
    units.push({ start: at, end, isRecord });
    at = end;
  }
  return units;
}

/** Every prefix yields the whole records before the cut, then null or `truncated` at the cut unit. */
function checkPrefixes(bytes: Uint8Array, units: readonly Unit[]): void {
  const whole = drain(bytes);
  assert.equal(whole.error, undefined);
  assert.equal(whole.records.length, units.filter((u) => u.isRecord).length);
  for (let cut = 0; cut <= bytes.length; cut++) {
    const prefix = bytes.subarray(0, cut);
    const result = cut % 2 === 0 ? drain(prefix) : drain(prefix, chunkedSource(prefix, [5, 11]));
    const before = units.filter((u) => u.isRecord && u.end <= cut).length;
    assert.deepEqual(result.records, whole.records.slice(0, before), `records before cut ${cut}`);
    const cutUnit = units.find((u) => u.start < cut && cut < u.end);
    if (cut === 0 || cutUnit !== undefined) {
      assert.equal(result.error?.kind, 'truncated', `cut ${cut}: ${result.error?.message}`);
      assert.equal(result.error?.offset, cutUnit?.start ?? 0, `cut ${cut}`);
    } else {
      assert.equal(result.error, undefined, `cut ${cut} is on a boundary`);
    }
  }
}

describe('truncation', () => {
  test('every prefix of a little-endian pcap', () =>
    checkPrefixes(PCAP_LE, pcapUnits(PCAP_LE, true)));
  test('every prefix of a big-endian pcap', () =>
    checkPrefixes(PCAP_BE, pcapUnits(PCAP_BE, false)));
  test('every prefix of a two-section pcapng', () => checkPrefixes(PCAPNG, pcapngUnits(PCAPNG)));
});

/** The reader stops within a bounded number of calls and fails only with a WireError. */
function checkBounded(bytes: Uint8Array, chunks: readonly number[]): Drained {
  // Every returned record consumes at least 12 bytes, so this many calls must reach the end.
  const result = drain(bytes, chunkedSource(bytes, chunks), Math.floor(bytes.length / 12) + 1);
  if (result.error !== undefined) {
    assert.ok(['pcap', 'pcapng'].includes(result.error.layer));
    assert.ok(Number.isInteger(result.error.offset) && result.error.offset >= 0);
    assert.ok(result.error.offset <= bytes.length, result.error.message);
  }
  return result;
}

const VALID = [PCAP_LE, PCAP_BE, PCAPNG] as const;
const MAGICS = [
  hex('d4c3b2a1'),
  hex('a1b23c4d'),
  hex('0a0d0d0a'),
  hex('0a0d0d0a 1c000000 4d3c2b1a'),
];

const arbMutation = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: fc.nat(0xff) }),
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({
    op: fc.constant('delete' as const),
    at: fc.nat(),
    count: fc.integer({ min: 1, max: 8 }),
  }),
);

type Mutation = typeof arbMutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(bytes: Uint8Array, mutation: Mutation): Uint8Array {
  const at = mutation.at % (bytes.length + 1);
  switch (mutation.op) {
    case 'flip': {
      const copy = bytes.slice();
      if (at < copy.length) copy[at] = (copy[at] ?? 0) ^ (1 << mutation.bit);
      return copy;
    }
    case 'set': {
      const copy = bytes.slice();
      if (at < copy.length) copy[at] = mutation.value;
      return copy;
    }
    case 'insert':
      return concat(bytes.subarray(0, at), mutation.bytes, bytes.subarray(at));
    case 'delete':
      return concat(bytes.subarray(0, at), bytes.subarray(at + mutation.count));
  }
}

describe('fuzz', () => {
  test('random bytes, bare or behind a magic', () => {
    fc.assert(
      fc.property(
        fc.option(fc.constantFrom(...MAGICS), { nil: undefined }),
        fc.uint8Array({ maxLength: 400 }),
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 3 }),
        (magic, tail, chunks) => {
          checkBounded(magic === undefined ? tail : concat(magic, tail), chunks);
        },
      ),
      { numRuns: 1000 },
    );
  });

  test('valid files with bytes flipped, set, inserted and deleted', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...VALID),
        fc.array(arbMutation, { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 4096 }), { minLength: 1, maxLength: 3 }),
        (file, mutations, chunks) => {
          checkBounded(mutations.reduce(mutate, file), chunks);
        },
      ),
      { numRuns: 1500 },
    );
  });
});

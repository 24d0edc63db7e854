import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hex } from '../testing/bytes.js';
import { chunkedSource, drain } from '../testing/pcap-kit.js';
import { type ByteSource, bytesSource, MemorySink } from './byte-source.js';
import { openCapture, recordsShared } from './capture.js';
import { MAX_RECORD_LEN } from './constants.js';
import { InputBuffer } from './input-buffer.js';
import { PcapReader } from './pcap-reader.js';
import { PcapWriter } from './pcap-writer.js';
import { PcapngWriter } from './pcapng-writer.js';

const MiB = 1024 * 1024;

/** A pcap of `count` 60-byte records made on the fly, so a large file needs no large array. */
function syntheticPcap(count: number): ByteSource {
  const sink = new MemorySink();
  const writer = new PcapWriter(sink);
  writer.writeRecord(new Uint8Array(60).fill(0xaa), 1, 2);
  writer.flush();
  const bytes = sink.bytes();
  const header = bytes.subarray(0, 24);
  const record = bytes.subarray(24);
  const total = header.length + count * record.length;
  let position = 0;
  return {
    read(into: Uint8Array, offset: number, length: number): number {
      const count = Math.min(length, total - position);
      for (let i = 0; i < count; i++) {
        const at = position + i;
        into[offset + i] = at < 24 ? (header[at] ?? 0) : (record[(at - 24) % record.length] ?? 0);
      }
      position += count;
      return count;
    },
  };
}

describe('input buffer', () => {
  test('fill gathers short reads and reports what the end left', () => {
    const input = new InputBuffer(chunkedSource(hex('0102030405060708'), [1, 2]));
    assert.ok(input.fill(5) >= 5);
    assert.equal(input.pos, 0);
    input.pos = 3;
    assert.equal(input.fileOffset(input.pos), 3);
    assert.equal(input.fill(10), 5);
    assert.deepEqual(input.bytes.subarray(input.pos, input.end), hex('0405060708'));
    assert.equal(input.fill(10), 5);
  });

  test('compacting keeps file offsets', () => {
    const bytes = new Uint8Array(3 * MiB).map((_, i) => i % 251);
    const input = new InputBuffer(bytesSource(bytes));
    let at = 0;
    while (at < bytes.length) {
      const have = input.fill(1000);
      const step = Math.min(have, 999);
      assert.equal(input.fileOffset(input.pos), at);
      assert.equal(input.bytes[input.pos], at % 251);
      input.pos += step;
      at += step;
    }
    assert.equal(input.bytes.length, MiB);
  });

  test('grows only for a need larger than the window, keeping unread bytes', () => {
    const bytes = new Uint8Array(5 * MiB).map((_, i) => i % 253);
    const input = new InputBuffer(bytesSource(bytes));
    input.fill(10);
    input.pos = 7;
    assert.equal(input.fill(3 * MiB), 3 * MiB);
    assert.ok(input.bytes.length >= 3 * MiB && input.bytes.length <= MAX_RECORD_LEN + 64);
    assert.equal(input.bytes[input.pos], 7);
    assert.equal(input.fileOffset(input.pos), 7);
  });

  test('memory stays one window over a 64 MiB capture', () => {
    const count = Math.ceil((64 * MiB) / 76);
    const input = new InputBuffer(syntheticPcap(count));
    const reader = new PcapReader(input);
    let records = 0;
    for (let r = reader.nextShared(); r !== null; r = reader.nextShared()) records++;
    assert.equal(records, count);
    assert.equal(input.bytes.length, MiB);
  });

  test('a 16 MiB record, the largest accepted, reads between small ones', () => {
    const sink = new MemorySink();
    const writer = new PcapWriter(sink, { snaplen: MAX_RECORD_LEN });
    writer.writeRecord(hex('01'), 1, 0);
    writer.writeRecord(new Uint8Array(MAX_RECORD_LEN).fill(7), 2, 0);
    writer.writeRecord(hex('03'), 3, 0);
    writer.flush();
    const lengths = drain(sink.bytes()).records.map((r) => r.data.length);
    assert.deepEqual(lengths, [1, MAX_RECORD_LEN, 1]);
  });

  test('a pcapng block of the largest accepted length reads', () => {
    const sink = new MemorySink();
    const writer = new PcapngWriter(sink);
    const id = writer.addInterface({ linkType: 1 });
    writer.writePacket(id, new Uint8Array(MAX_RECORD_LEN - 32), 0, 0);
    writer.flush();
    assert.equal(drain(sink.bytes()).records[0]?.data.length, MAX_RECORD_LEN - 32);
  });
});

describe('open capture', () => {
  test('inputs shorter than a magic or a file header are truncated at 0', () => {
    for (const bytes of [
      hex('d4'),
      hex('d4c3b2'),
      hex('d4c3b2a1 02000400'),
      hex('0a0d0d0a 1c00'),
    ]) {
      const { error } = drain(bytes);
      assert.equal(error?.kind, 'truncated', `${bytes.length} bytes`);
      assert.equal(error?.offset, 0);
    }
  });

  test('recordsShared yields every record, then stops', () => {
    const sink = new MemorySink();
    const writer = new PcapWriter(sink);
    for (let i = 0; i < 5; i++) writer.writeRecord(Uint8Array.of(i), i, 0);
    writer.flush();
    const seen = [...recordsShared(openCapture(bytesSource(sink.bytes())))].map((r) => r.tsSec);
    assert.deepEqual(seen, [4, 4, 4, 4, 4], 'the same shared object, last written');
    const secs: number[] = [];
    for (const record of recordsShared(openCapture(bytesSource(sink.bytes()))))
      secs.push(record.tsSec);
    assert.deepEqual(secs, [0, 1, 2, 3, 4]);
  });
});

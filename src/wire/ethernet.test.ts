import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { arbMac } from '../testing/arbitraries.js';
import { atOffset, hex, prefilled } from '../testing/bytes.js';
import { WireError } from './error.js';
import {
  ETHERNET_HEADER_LEN,
  EthernetFrame,
  type EthernetRepr,
  emitEthernet,
  ethernetBufferLen,
  parseEthernet,
} from './ethernet.js';
import { EtherType } from './ethertype.js';
import { type Mac, parseMac } from './mac.js';

const FRAME_BYTES = hex(`
  ffffffffffff  # destination: broadcast
  020000000001  # source
  0806          # ethertype: ARP
  0001          # first payload bytes
`);

const FRAME_REPR: EthernetRepr = {
  destination: parseMac('ff:ff:ff:ff:ff:ff'),
  source: parseMac('02:00:00:00:00:01'),
  ethertype: EtherType.ARP,
};

describe('ethernet', () => {
  test('deconstruct', () => {
    const frame = EthernetFrame.checked(FRAME_BYTES);
    assert.equal(frame.destination, FRAME_REPR.destination);
    assert.equal(frame.source, FRAME_REPR.source);
    assert.equal(frame.ethertype, 0x0806);
    assert.deepEqual(frame.payload, hex('0001'));
  });

  test('construct', () => {
    const bytes = prefilled(ETHERNET_HEADER_LEN);
    const frame = EthernetFrame.unchecked(bytes);
    frame.destination = FRAME_REPR.destination;
    frame.source = FRAME_REPR.source;
    frame.ethertype = EtherType.ARP;
    assert.deepEqual(bytes, FRAME_BYTES.subarray(0, ETHERNET_HEADER_LEN));
  });

  test('parse', () => {
    assert.deepEqual(parseEthernet(EthernetFrame.checked(FRAME_BYTES)), FRAME_REPR);
  });

  test('emit pads to 60 bytes with zeros', () => {
    const bytes = prefilled(ethernetBufferLen(2));
    assert.equal(bytes.length, 60);
    const frame = EthernetFrame.unchecked(bytes);
    emitEthernet(FRAME_REPR, frame, 2);
    frame.payload.set([0x00, 0x01]);
    assert.deepEqual(bytes.subarray(0, 16), FRAME_BYTES);
    assert.ok(bytes.subarray(16).every((b) => b === 0));
  });

  test('a long payload is not padded', () => {
    assert.equal(ethernetBufferLen(100), 114);
  });

  test('round trip at any offset', () => {
    fc.assert(
      fc.property(
        arbMac(),
        arbMac(),
        fc.integer({ min: 0, max: 0xffff }),
        fc.nat(7),
        (d, s, t, at) => {
          const repr: EthernetRepr = { destination: d as Mac, source: s as Mac, ethertype: t };
          const bytes = atOffset(prefilled(ethernetBufferLen(0)), at);
          emitEthernet(repr, EthernetFrame.unchecked(bytes), 0);
          assert.deepEqual(parseEthernet(EthernetFrame.checked(bytes)), repr);
        },
      ),
    );
  });

  test('every short buffer is truncated, never another error', () => {
    for (let len = 0; len < ETHERNET_HEADER_LEN; len++) {
      assert.throws(
        () => EthernetFrame.checked(FRAME_BYTES.subarray(0, len)),
        (e: unknown) => e instanceof WireError && e.kind === 'truncated' && e.layer === 'ethernet',
      );
    }
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { arbNdp } from '../testing/arbitraries.js';
import { atOffset, hex, prefilled } from '../testing/bytes.js';
import { WireError, type WireErrorKind } from './error.js';
import { parseIpv6 } from './ipv6.js';
import { parseMac } from './mac.js';
import {
  emitNdp,
  NDP_HEADER_LEN,
  NdpOptionType,
  NdpPacket,
  type NdpRepr,
  ndpBufferLen,
  parseNdp,
} from './ndp.js';

const NA_BYTES = hex(`
  88                                       # type: Neighbor Advertisement (136)
  00                                       # code
  1234                                     # checksum (not this layer's business)
  a0 000000                                # flags R=1 S=0 O=1, reserved
  fe80 0000 0000 0000 0000 0000 0000 0001  # target: fe80::1
  02                                       # option: target link-layer address
  01                                       #   length: 1 (8 bytes)
  0200 0000 0001                           #   MAC 02:00:00:00:00:01
`);

const NA_REPR: NdpRepr = {
  type: 'na',
  target: parseIpv6('fe80::1'),
  router: true,
  solicited: false,
  override: true,
  targetLla: parseMac('02:00:00:00:00:01'),
};

const NS_BYTES = hex(`
  87 00 abcd                               # type: Neighbor Solicitation (135), code, checksum
  0000 0000                                # reserved
  2001 0db8 0000 0000 0000 0000 0000 0002  # target: 2001:db8::2
  0e 01 0102 0304 0506                     # option 14 (RFC 7527 nonce): skipped
  01 01 0200 0000 0009                     # option: source link-layer address 02:00:00:00:00:09
  01 01 0200 0000 0007                     # a duplicate: ignored, as Linux does
`);

const NS_REPR: NdpRepr = {
  type: 'ns',
  target: parseIpv6('2001:db8::2'),
  sourceLla: parseMac('02:00:00:00:00:09'),
};

/** `bytes` with `edits` (offset → byte) applied to a copy. */
function patched(bytes: Uint8Array, edits: Record<number, number>): Uint8Array {
  const copy = Uint8Array.from(bytes);
  for (const [at, value] of Object.entries(edits)) copy[Number(at)] = value;
  return copy;
}

/** Asserts that checking and parsing `bytes` throws a WireError of `kind` from `ndp`. */
function throwsWire(bytes: Uint8Array, kind: WireErrorKind, offset?: number): void {
  assert.throws(
    () => parseNdp(NdpPacket.checked(bytes)),
    (e: unknown) =>
      e instanceof WireError &&
      e.kind === kind &&
      e.layer === 'ndp' &&
      (offset === undefined || e.offset === offset),
  );
}

describe('ndp', () => {
  test('deconstruct', () => {
    const packet = NdpPacket.checked(NA_BYTES);
    assert.equal(packet.type, 136);
    assert.equal(packet.code, 0);
    assert.equal(packet.checksum, 0x1234);
    assert.equal(packet.router, true);
    assert.equal(packet.solicited, false);
    assert.equal(packet.override, true);
    assert.equal(packet.target, parseIpv6('fe80::1'));
    const at = packet.findOption(NdpOptionType.TARGET_LLA);
    assert.equal(at, NDP_HEADER_LEN);
    assert.equal(packet.optionLength(at), 8);
    assert.equal(packet.optionMac(at), parseMac('02:00:00:00:00:01'));
    assert.equal(packet.findOption(NdpOptionType.SOURCE_LLA), -1);
  });

  test('construct', () => {
    const bytes = prefilled(NA_BYTES.length);
    const packet = NdpPacket.unchecked(bytes);
    packet.type = 136;
    packet.code = 0;
    packet.checksum = 0x1234;
    packet.setFlags(true, false, true);
    packet.target = parseIpv6('fe80::1');
    packet.setLlaOption(NDP_HEADER_LEN, NdpOptionType.TARGET_LLA, parseMac('02:00:00:00:00:01'));
    assert.deepEqual(bytes, NA_BYTES);
  });

  test('parse', () => {
    assert.deepEqual(parseNdp(NdpPacket.checked(NA_BYTES)), NA_REPR);
    assert.deepEqual(parseNdp(NdpPacket.checked(NS_BYTES)), NS_REPR);
  });

  test('emit writes every byte, the checksum as zero', () => {
    const bytes = prefilled(ndpBufferLen(NA_REPR));
    assert.equal(bytes.length, 32);
    emitNdp(NA_REPR, NdpPacket.unchecked(bytes));
    assert.deepEqual(bytes, patched(NA_BYTES, { 2: 0, 3: 0 }));
  });

  test('emit of an NS without option zeroes the reserved field', () => {
    const repr: NdpRepr = { type: 'ns', target: parseIpv6('2001:db8::2') };
    const bytes = prefilled(ndpBufferLen(repr));
    assert.equal(bytes.length, NDP_HEADER_LEN);
    emitNdp(repr, NdpPacket.unchecked(bytes));
    assert.deepEqual(bytes, patched(NS_BYTES.subarray(0, NDP_HEADER_LEN), { 2: 0, 3: 0 }));
  });

  test('absent options are absent keys', () => {
    const na = parseNdp(NdpPacket.checked(NA_BYTES.subarray(0, NDP_HEADER_LEN)));
    assert.equal('targetLla' in na, false);
    const ns = parseNdp(NdpPacket.checked(NS_BYTES.subarray(0, NDP_HEADER_LEN)));
    assert.deepEqual(ns, { type: 'ns', target: parseIpv6('2001:db8::2') });
  });

  test('reserved bits are ignored, and so is the other kind of address option', () => {
    // An NS with reserved bits set; an NA carrying a source (not target) link-layer address.
    const ns = patched(NS_BYTES, { 4: 0xff, 7: 0x01 });
    assert.deepEqual(parseNdp(NdpPacket.checked(ns)), NS_REPR);
    const na = parseNdp(NdpPacket.checked(patched(NA_BYTES, { 5: 0xff, 24: 1 })));
    const { targetLla: _, ...withoutLla } = NA_REPR as Extract<NdpRepr, { type: 'na' }>;
    assert.deepEqual(na, withoutLla);
  });

  test('round trip at any offset', () => {
    fc.assert(
      // A subarray at `at` of a larger buffer, and the message at `skip` inside it.
      fc.property(arbNdp(), fc.nat(7), fc.nat(20), (repr, at, skip) => {
        const len = ndpBufferLen(repr);
        const bytes = atOffset(prefilled(skip + len), at);
        emitNdp(repr, NdpPacket.unchecked(bytes, skip, len));
        assert.ok(
          bytes.subarray(0, skip).every((b) => b === 0xa5),
          'nothing written before',
        );
        assert.deepEqual(parseNdp(NdpPacket.checked(bytes, skip, len)), repr);
      }),
    );
  });

  test('a shared view re-points at the next message', () => {
    const packet = NdpPacket.checked(NA_BYTES);
    const next = new Uint8Array(8 + NS_BYTES.length);
    next.set(NS_BYTES, 8);
    assert.deepEqual(parseNdp(packet.rebindShared(next, 8, NS_BYTES.length)), NS_REPR);
    assert.equal(packet.findOption(NdpOptionType.SOURCE_LLA), 32);
  });

  test('every prefix is truncated unless it ends between options', () => {
    for (let len = 0; len < NA_BYTES.length; len++) {
      const prefix = NA_BYTES.subarray(0, len);
      if (len === NDP_HEADER_LEN) assert.equal(parseNdp(NdpPacket.checked(prefix)).type, 'na');
      else throwsWire(prefix, 'truncated');
    }
  });

  test('an option of length 0 is malformed (RFC 4861 §4.6)', () => {
    throwsWire(patched(NA_BYTES, { 25: 0 }), 'malformed', 25);
    throwsWire(patched(NS_BYTES, { 41: 0 }), 'malformed', 41);
  });

  test('an option longer than the message is truncated', () => {
    throwsWire(patched(NA_BYTES, { 25: 2 }), 'truncated', 24);
    const stray = new Uint8Array(NA_BYTES.length + 1);
    stray.set(NA_BYTES);
    throwsWire(stray, 'truncated', NA_BYTES.length);
  });

  test('an ICMPv6 code other than 0 is malformed', () => {
    for (const code of [1, 0x80, 0xff]) {
      throwsWire(patched(NA_BYTES, { 1: code }), 'malformed', 1);
      throwsWire(patched(NS_BYTES, { 1: code }), 'malformed', 1);
    }
  });

  test('another ICMPv6 type is unsupported', () => {
    for (const type of [0, 128, 133, 134, 137, 255]) {
      throwsWire(patched(NA_BYTES, { 0: type }), 'unsupported', 0);
    }
  });

  test('a link-layer address option that is not 8 bytes is unsupported', () => {
    const long = new Uint8Array(NA_BYTES.length + 8);
    long.set(NA_BYTES);
    long[25] = 2;
    throwsWire(long, 'unsupported', 25);
  });
});

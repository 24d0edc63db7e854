import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { hex, prefilled } from '../testing/bytes.js';
import { WireError, type WireErrorKind } from '../wire/error.js';
import {
  type AttributeRepr,
  AttributeTable,
  attributesLength,
  emitAttributes,
  parseAttributes,
} from './netlink-attributes.js';

// A list as a link message carries it: a string, a u32, and IFLA_LINKINFO nested *without*
// NLA_F_NESTED (as the kernel sends it) holding a kind and data nested *with* the flag.
const LIST_BYTES = hex(`
  0900 0300  62723000 00 000000   # IFLA_IFNAME (3), nla_len 9: "br0\\0" + 1 byte, 3 bytes padding
  0800 0400  dc050000             # IFLA_MTU (4): u32 1500
  2400 1200                       # IFLA_LINKINFO (18), nla_len 36, no NLA_F_NESTED
    0b00 0100  627269646765 00 00 #   IFLA_INFO_KIND (1), nla_len 11: "bridge\\0", 1 byte padding
    1400 0280                     #   IFLA_INFO_DATA (2 | NLA_F_NESTED 0x8000), nla_len 20
      0500 0700  01 000000        #     IFLA_BR_VLAN_FILTERING (7): u8 1, 3 bytes padding
      0500 0900  00 000000        #     type 9: u8 0 (the padding counts in the nest's length)
`);

const text = (s: string) => new TextEncoder().encode(s);

const LIST_REPR: AttributeRepr[] = [
  { type: 3, value: hex('62723000 00') },
  { type: 4, value: hex('dc050000') },
  // Parsed without the flag, IFLA_LINKINFO stays a payload: nesting is known from the type.
  { type: 18, value: LIST_BYTES.slice(24, 56) },
];

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function throwsWire(kind: WireErrorKind, fn: () => unknown, message?: string): void {
  assert.throws(fn, (e: unknown) => e instanceof WireError && e.kind === kind, message);
}

describe('netlink attributes', () => {
  test('deconstruct: a table indexes one level; nested lists are read from their payload', () => {
    const top = new AttributeTable('test', 18).read(LIST_BYTES, view(LIST_BYTES), 0, 56);
    assert.equal(top.string(3), 'br0');
    assert.equal(top.size(3), 5);
    assert.equal(top.u32(4), 1500);
    assert.equal(top.has(1), false);
    assert.equal(top.u32(1), undefined);
    assert.equal(top.offset(18), 24);
    const info = new AttributeTable('info', 5).read(LIST_BYTES, view(LIST_BYTES), 24, 56);
    assert.equal(info.string(1), 'bridge');
    const data = new AttributeTable('data', 7).read(
      LIST_BYTES,
      view(LIST_BYTES),
      info.offset(2),
      info.offset(2) + info.size(2),
    );
    assert.equal(data.u8(7), 1);
    assert.equal(data.has(9), false, 'types above the table are skipped');
  });

  test('a table is reused: a second read forgets the first', () => {
    const table = new AttributeTable('test', 18);
    table.read(LIST_BYTES, view(LIST_BYTES), 0, 56);
    const other = hex('0800 0a00 07000000');
    table.read(other, view(other), 0, other.length);
    assert.equal(table.u32(10), 7);
    assert.equal(table.has(3), false);
  });

  test('parse', () => {
    assert.deepEqual(parseAttributes(LIST_BYTES, 0, 20, 'test'), LIST_REPR.slice(0, 2));
    const nested = parseAttributes(LIST_BYTES, 24, 56, 'test');
    assert.deepEqual(nested, [
      { type: 1, value: text('bridge\0') },
      {
        type: 2,
        nested: [
          { type: 7, value: hex('01') },
          { type: 9, value: hex('00') },
        ],
      },
    ]);
  });

  test('construct and emit: the same bytes, padding written as zeros', () => {
    const linkinfo: AttributeRepr = {
      type: 18,
      nested: parseAttributes(LIST_BYTES, 24, 56, 'test'),
    };
    const list = [...LIST_REPR.slice(0, 2), linkinfo];
    const bytes = prefilled(attributesLength(list));
    assert.equal(emitAttributes(list, bytes, 0), LIST_BYTES.length);
    // The emitter sets NLA_F_NESTED on every nested list; the kernel left it off LINKINFO.
    const expected = LIST_BYTES.slice();
    expected[23] = 0x80;
    assert.deepEqual(bytes, expected);
  });

  test('round trip of any attribute list, at any offset', () => {
    const leaf = fc.record(
      { type: fc.integer({ min: 0, max: 0x3fff }), value: fc.uint8Array({ maxLength: 40 }) },
      { noNullPrototype: true },
    );
    const { list } = fc.letrec<{ list: AttributeRepr[]; attribute: AttributeRepr }>((tie) => ({
      attribute: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc.record(
          { type: fc.integer({ min: 0, max: 0x3fff }), nested: tie('list') },
          { noNullPrototype: true },
        ),
      ) as fc.Arbitrary<AttributeRepr>,
      list: fc.array(tie('attribute'), { maxLength: 5 }) as fc.Arbitrary<AttributeRepr[]>,
    }));
    fc.assert(
      fc.property(list, fc.nat(7), (attributes, at) => {
        const length = attributesLength(attributes);
        const bytes = prefilled(at + length + 5);
        assert.equal(emitAttributes(attributes, bytes, at), at + length);
        assert.equal(length % 4, 0);
        assert.deepEqual(parseAttributes(bytes, at, at + length, 'test'), attributes);
      }),
    );
  });

  test('alignment: an attribute of 5 bytes is followed 8 bytes on', () => {
    const bytes = hex('0500 0100 aa 000000  0600 0200 bbcc 0000');
    const table = new AttributeTable('test', 2).read(bytes, view(bytes), 0, bytes.length);
    assert.equal(table.u8(1), 0xaa);
    assert.equal(table.u16(2), 0xccbb);
    // The last attribute's padding may be missing (the message ends at nla_len).
    const table2 = new AttributeTable('test', 2).read(bytes, view(bytes), 0, 14);
    assert.equal(table2.u16(2), 0xccbb);
  });

  test('NLA_F_NESTED and NLA_F_NET_BYTEORDER are masked off the type', () => {
    const bytes = hex('0800 03c0 01020304');
    const table = new AttributeTable('test', 3).read(bytes, view(bytes), 0, bytes.length);
    assert.equal(table.u32(3), 0x04030201);
  });

  test('every malformed or short list is a WireError of the right kind, never a RangeError', () => {
    const cases: [string, WireErrorKind, string][] = [
      ['nla_len below the header', 'malformed', '0300 0100 00000000'],
      ['nla_len of zero (would loop forever)', 'malformed', '0000 0100 00000000'],
      ['nla_len past the end', 'malformed', '0900 0100 01020304'],
      ['two stray bytes after an attribute', 'truncated', '0400 0100 0000'],
      ['a header cut short', 'truncated', '08'],
    ];
    for (const [what, kind, bytesHex] of cases) {
      const bytes = hex(bytesHex);
      throwsWire(
        kind,
        () => new AttributeTable('test', 4).read(bytes, view(bytes), 0, bytes.length),
        what,
      );
      throwsWire(kind, () => parseAttributes(bytes, 0, bytes.length, 'test'), what);
    }
  });

  test('a payload too short for its type is malformed, and names the attribute', () => {
    const bytes = hex('0600 0100 0102 0000  0500 0200 01 000000  0400 0300');
    const table = new AttributeTable('IFLA', 3).read(bytes, view(bytes), 0, bytes.length);
    throwsWire('malformed', () => table.u32(1));
    throwsWire('malformed', () => table.s32(1));
    assert.equal(table.u16(1), 0x0201);
    throwsWire('malformed', () => table.u16(2));
    assert.equal(table.u8(2), 1);
    throwsWire('malformed', () => table.u8(3));
    assert.equal(table.string(3), '', 'an empty string needs no byte');
    assert.throws(() => table.u32(1), /IFLA: malformed attribute 1 at offset 0, got 2 bytes/);
  });

  test('a string without its NUL is read to the end of the payload', () => {
    const bytes = hex('0700 0300 657468');
    const table = new AttributeTable('test', 3).read(bytes, view(bytes), 0, bytes.length);
    assert.equal(table.string(3), 'eth');
  });

  test('emit refuses a type or length the header cannot hold', () => {
    throwsWire('malformed', () =>
      emitAttributes([{ type: 0x4000, value: hex('') }], prefilled(4), 0),
    );
    const big = { type: 1, value: new Uint8Array(0xfffc) };
    throwsWire('malformed', () => emitAttributes([big], prefilled(0x10000), 0));
  });

  test('random bytes never throw anything but a WireError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          parseAttributes(bytes, 0, bytes.length, 'fuzz');
          new AttributeTable('fuzz', 8).read(bytes, view(bytes), 0, bytes.length);
        } catch (error) {
          assert.ok(error instanceof WireError, String(error));
        }
      }),
    );
  });
});

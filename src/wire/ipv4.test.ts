import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { arbIpv4 } from '../testing/arbitraries.js';
import { hex, prefilled } from '../testing/bytes.js';
import { AddressParseError } from './address-error.js';
import {
  compareIpv4,
  formatIpv4,
  IPV4_ANY,
  IPV4_LEN,
  type Ipv4,
  parseIpv4,
  readIpv4,
  writeIpv4,
} from './ipv4.js';

/** Text and the address it names. */
const ACCEPTED: readonly (readonly [string, number])[] = [
  ['192.0.2.1', 0xc000_0201],
  ['0.0.0.0', 0],
  ['255.255.255.255', 0xffff_ffff],
  ['10.0.0.255', 0x0a00_00ff],
  ['1.2.3.4', 0x0102_0304],
  [' 198.51.100.7\n', 0xc633_6407],
  ['\t203.0.113.254 ', 0xcb00_71fe],
];

/** Inputs that must not parse, each with the reason. */
const REJECTED: readonly (readonly [string, string])[] = [
  ['empty', ''],
  ['only whitespace', ' \t'],
  ['part over 255', '256.0.0.1'],
  ['last part over 255', '1.2.3.256'],
  ['four-digit part', '1000.0.0.1'],
  ['three parts (inet_aton shorthand)', '10.0.1'],
  ['one part (a bare number)', '3232235777'],
  ['five parts', '1.2.3.4.5'],
  ['empty part', '1..2.3'],
  ['trailing dot', '1.2.3.4.'],
  ['leading dot', '.1.2.3.4'],
  ['hex part', '0x7f.0.0.1'],
  ['leading zero (octal to inet_aton)', '010.0.0.1'],
  ['leading zeros', '192.0.2.001'],
  ['negative part', '1.2.3.-4'],
  ['prefix length', '192.0.2.1/24'],
  ['port', '192.0.2.1:80'],
  ['inner whitespace', '192.0.2. 1'],
  ['letters', 'a.b.c.d'],
  ['IPv6', '::1'],
  ['full-width digits', '１.２.３.４'],
  ['Arabic-Indic digits', '١.٢.٣.٤'],
];

/** The four bytes of `ip`, as a Buffer for comparing. */
function bytesOf(ip: Ipv4): Buffer {
  const out = Buffer.alloc(IPV4_LEN);
  writeIpv4(ip, out, 0);
  return out;
}

describe('ipv4', () => {
  describe('parseIpv4 accepts', () => {
    for (const [text, value] of ACCEPTED) {
      test(JSON.stringify(text), () => assert.equal(parseIpv4(text), value));
    }
  });

  describe('parseIpv4 rejects with the input in the message', () => {
    for (const [name, text] of REJECTED) {
      test(name, () =>
        assert.throws(
          () => parseIpv4(text),
          (e: unknown) =>
            e instanceof AddressParseError &&
            e.family === 'IPv4' &&
            e.input === text &&
            e.message.includes(`"${text}"`),
        ),
      );
    }
  });

  test('formatIpv4 vectors', () => {
    assert.equal(formatIpv4(IPV4_ANY), '0.0.0.0');
    assert.equal(formatIpv4(0xffff_ffff as Ipv4), '255.255.255.255');
    assert.equal(formatIpv4(0xc000_0201 as Ipv4), '192.0.2.1');
    assert.equal(formatIpv4(0x0a00_0100 as Ipv4), '10.0.1.0');
  });

  test('readIpv4 and writeIpv4: network byte order', () => {
    assert.equal(readIpv4(hex('a5 c0000201'), 1), 0xc000_0201);
    const out = prefilled(IPV4_LEN + 2);
    writeIpv4(0xc000_0201 as Ipv4, out, 1);
    assert.deepEqual(out, hex('a5 c0000201 a5'));
  });

  test('format → parse round trip', () => {
    fc.assert(
      fc.property(arbIpv4(), (ip) => {
        const text = formatIpv4(ip);
        assert.match(text, /^(0|[1-9]\d{0,2})(\.(0|[1-9]\d{0,2})){3}$/);
        assert.equal(parseIpv4(text), ip);
        assert.equal(parseIpv4(` ${text}\n`), ip);
      }),
    );
  });

  test('write → read at any offset touches exactly four bytes', () => {
    fc.assert(
      fc.property(arbIpv4(), fc.nat(9), (ip, at) => {
        const backing = prefilled(at + IPV4_LEN + 3);
        writeIpv4(ip, backing, at);
        assert.equal(readIpv4(backing, at), ip);
        const view = new DataView(backing.buffer, backing.byteOffset + at, IPV4_LEN);
        assert.equal(view.getUint32(0), ip);
        assert.ok(backing.subarray(0, at).every((b) => b === 0xa5));
        assert.ok(backing.subarray(at + IPV4_LEN).every((b) => b === 0xa5));
      }),
    );
  });

  test('compareIpv4 agrees with numeric order and with the order of the bytes', () => {
    fc.assert(
      fc.property(arbIpv4(), arbIpv4(), (a, b) => {
        const order = Math.sign(compareIpv4(a, b));
        assert.equal(order, Math.sign(a - b));
        assert.equal(order, Buffer.compare(bytesOf(a), bytesOf(b)));
        assert.equal(order + Math.sign(compareIpv4(b, a)), 0);
      }),
    );
    assert.ok(compareIpv4(parseIpv4('9.255.255.255'), parseIpv4('10.0.0.0')) < 0);
  });

  test('any text either parses or throws AddressParseError', () => {
    const dotted = fc.string({ unit: fc.constantFrom(...'0123456789. x-'), maxLength: 18 });
    fc.assert(
      fc.property(fc.oneof(fc.string(), dotted), (text) => {
        try {
          const ip = parseIpv4(text);
          assert.ok(Number.isInteger(ip) && ip >= 0 && ip <= 0xffff_ffff);
          assert.equal(parseIpv4(formatIpv4(ip)), ip);
        } catch (e) {
          assert.ok(e instanceof AddressParseError, String(e));
          assert.equal(e.input, text);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { arbMac } from '../testing/arbitraries.js';
import { hex, prefilled } from '../testing/bytes.js';
import { AddressParseError } from './address-error.js';
import {
  compareMac,
  formatMac,
  isMulticastMac,
  isUnicastMac,
  MAC_BROADCAST,
  MAC_LEN,
  MAC_ZERO,
  type Mac,
  parseMac,
  parseMacOrAuto,
  readMac,
  writeMac,
} from './mac.js';

/** Asserts that `parse(text)` throws an AddressParseError for `family` that echoes `text`. */
function assertRejects(parse: (text: string) => unknown, text: string): void {
  assert.throws(
    () => parse(text),
    (e: unknown) =>
      e instanceof AddressParseError &&
      e.family === 'MAC' &&
      e.input === text &&
      e.message.includes(`"${text}"`),
    `expected ${JSON.stringify(text)} to be rejected`,
  );
}

/** Every text form parseMac documents, each naming 02:1b:0c:dd:e0:ff (the MAC 0x021b0cdde0ff). */
const ACCEPTED: readonly (readonly [string, string])[] = [
  ['colon', '02:1b:0c:dd:e0:ff'],
  ['dash', '02-1b-0c-dd-e0-ff'],
  ['one-digit groups', '2:1b:c:dd:e0:ff'],
  ['one-digit groups, dash', '2-1b-c-dd-e0-ff'],
  ['Cisco dotted', '021b.0cdd.e0ff'],
  ['bare', '021b0cdde0ff'],
  ['upper case', '02:1B:0C:DD:E0:FF'],
  ['mixed case', '02-1b-0C-Dd-e0-fF'],
  ['upper case Cisco', '021B.0CDD.E0FF'],
  ['upper case bare', '021B0CDDE0FF'],
  ['surrounding whitespace', ' \t02:1b:0c:dd:e0:ff\n'],
  ['whitespace around Cisco', '  021b.0cdd.e0ff  '],
];

/** Inputs that must not parse, each with the reason. */
const REJECTED: readonly (readonly [string, string])[] = [
  ['empty', ''],
  ['only whitespace', '   '],
  ['mixed separators', '02:1b-0c:dd:e0:ff'],
  ['mixed separators, last', '02:1b:0c:dd:e0-ff'],
  ['five groups', '02:1b:0c:dd:e0'],
  ['seven groups', '02:1b:0c:dd:e0:ff:00'],
  ['three-digit group', '02:1b:0c:dd:e0:fff'],
  ['three-digit first group', '002:1b:0c:dd:e0:ff'],
  ['empty group', '02::0c:dd:e0:ff'],
  ['trailing separator', '02:1b:0c:dd:e0:ff:'],
  ['leading separator', ':02:1b:0c:dd:e0:ff'],
  ['non-hex digit', '02:1g:0c:dd:e0:ff'],
  ['non-hex bare', '021b0cdde0fz'],
  ['space separated', '02 1b 0c dd e0 ff'],
  ['dot separated bytes', '02.1b.0c.dd.e0.ff'],
  ['colon separated Cisco', '021b:0cdd:e0ff'],
  ['short Cisco group', '021b.0cdd.e0f'],
  ['four Cisco groups', '021b.0cdd.e0ff.0000'],
  ['11 bare digits', '021b0cdde0f'],
  ['13 bare digits', '021b0cdde0ff0'],
  ['0x prefix', '0x021b0cdde0ff'],
  ['sign', '+21b0cdde0ff'],
  ['inner whitespace', '02:1b: 0c:dd:e0:ff'],
  ['full-width digits', '０２:1b:0c:dd:e0:ff'],
  ['the word auto', 'auto'],
];

describe('mac', () => {
  describe('parseMac accepts', () => {
    for (const [name, text] of ACCEPTED) {
      test(name, () => assert.equal(parseMac(text), 0x021b_0cdd_e0ff));
    }
  });

  describe('parseMac rejects with the input in the message', () => {
    for (const [name, text] of REJECTED) test(name, () => assertRejects(parseMac, text));
  });

  test('the extremes parse', () => {
    assert.equal(parseMac('ff:ff:ff:ff:ff:ff'), MAC_BROADCAST);
    assert.equal(parseMac('0:0:0:0:0:0'), MAC_ZERO);
    assert.equal(parseMac('FFFF.FFFF.FFFF'), 0xffff_ffff_ffff);
  });

  test('parseMacOrAuto: auto in any case, else a MAC', () => {
    assert.equal(parseMacOrAuto('auto'), 'auto');
    assert.equal(parseMacOrAuto('AUTO'), 'auto');
    assert.equal(parseMacOrAuto(' Auto\n'), 'auto');
    assert.equal(parseMacOrAuto('02:1b:0c:dd:e0:ff'), 0x021b_0cdd_e0ff);
    for (const text of ['automatic', 'aut', 'auto auto', '']) assertRejects(parseMacOrAuto, text);
  });

  test('formatMac: lower case, two digits a byte', () => {
    assert.equal(formatMac(MAC_BROADCAST), 'ff:ff:ff:ff:ff:ff');
    assert.equal(formatMac(MAC_ZERO), '00:00:00:00:00:00');
    assert.equal(formatMac(0x0001_020a_0bfe as Mac), '00:01:02:0a:0b:fe');
    assert.equal(formatMac(0x8000_0000_0001 as Mac), '80:00:00:00:00:01');
  });

  test('readMac and writeMac: network byte order', () => {
    const bytes = hex('021b0cdde0ff');
    assert.equal(readMac(bytes, 0), 0x021b_0cdd_e0ff);
    const out = prefilled(MAC_LEN + 2);
    writeMac(0x021b_0cdd_e0ff as Mac, out, 1);
    assert.deepEqual(out, hex('a5 021b0cdde0ff a5'));
  });

  test('format → parse round trip, in every accepted form', () => {
    fc.assert(
      fc.property(arbMac(), (mac) => {
        const text = formatMac(mac);
        assert.match(text, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
        const bare = text.replaceAll(':', '');
        const forms = [
          text,
          text.toUpperCase().replaceAll(':', '-'),
          text.replace(/\b0([0-9a-f])/g, '$1'),
          bare,
          `${bare.slice(0, 4)}.${bare.slice(4, 8)}.${bare.slice(8)}`,
          ` ${text}\t`,
        ];
        for (const form of forms) assert.equal(parseMac(form), mac, form);
      }),
    );
  });

  test('write → read at any offset touches exactly six bytes', () => {
    fc.assert(
      fc.property(arbMac(), fc.nat(9), (mac, at) => {
        const backing = prefilled(at + MAC_LEN + 3);
        writeMac(mac, backing, at);
        assert.equal(readMac(backing, at), mac);
        assert.equal(
          Buffer.from(backing.subarray(at, at + MAC_LEN)).toString('hex'),
          formatMac(mac).replaceAll(':', ''),
        );
        assert.ok(backing.subarray(0, at).every((b) => b === 0xa5));
        assert.ok(backing.subarray(at + MAC_LEN).every((b) => b === 0xa5));
      }),
    );
  });

  test('compareMac agrees with the order of the bytes', () => {
    const bytesOf = (mac: Mac) => {
      const out = new Uint8Array(MAC_LEN);
      writeMac(mac, out, 0);
      return out;
    };
    fc.assert(
      fc.property(arbMac(), arbMac(), (a, b) => {
        const order = Math.sign(compareMac(a, b));
        assert.equal(order, Math.sign(Buffer.compare(bytesOf(a), bytesOf(b))));
        assert.equal(order + Math.sign(compareMac(b, a)), 0);
        assert.equal(order === 0, a === b);
      }),
    );
    assert.ok(compareMac(MAC_ZERO, MAC_BROADCAST) < 0);
  });

  test('isMulticastMac is the I/G bit (bit 0 of the first byte)', () => {
    fc.assert(
      fc.property(arbMac(), (mac) => {
        const first = Number.parseInt(formatMac(mac).slice(0, 2), 16);
        const group = (first & 1) === 1;
        assert.equal(isMulticastMac(mac), group);
        assert.equal(isUnicastMac(mac), !group && mac !== MAC_ZERO);
      }),
    );
  });

  test('known group and station addresses', () => {
    for (const text of [
      'ff:ff:ff:ff:ff:ff',
      '01:00:5e:00:00:01',
      '33:33:00:00:00:01',
      '01:80:c2:00:00:00',
    ]) {
      assert.ok(isMulticastMac(parseMac(text)), text);
      assert.ok(!isUnicastMac(parseMac(text)), text);
    }
    for (const text of ['02:00:00:00:00:01', '00:1b:21:0a:0b:0c', 'fe:ff:ff:ff:ff:ff']) {
      assert.ok(isUnicastMac(parseMac(text)), text);
      assert.ok(!isMulticastMac(parseMac(text)), text);
    }
    assert.ok(!isUnicastMac(MAC_ZERO) && !isMulticastMac(MAC_ZERO));
  });

  test('any text either parses or throws AddressParseError', () => {
    const macish = fc.string({
      unit: fc.constantFrom(...'0123456789abcdefABCDEFg:-. \t'),
      maxLength: 20,
    });
    fc.assert(
      fc.property(fc.oneof(fc.string(), macish), (text) => {
        try {
          const mac = parseMac(text);
          assert.ok(Number.isSafeInteger(mac) && mac >= 0 && mac <= MAC_BROADCAST);
          assert.equal(parseMac(formatMac(mac)), mac);
        } catch (e) {
          assert.ok(e instanceof AddressParseError, String(e));
          assert.equal(e.input, text);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

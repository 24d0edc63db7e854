import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { arbIpv6 } from '../testing/arbitraries.js';
import { hex, prefilled } from '../testing/bytes.js';
import { AddressParseError } from './address-error.js';
import {
  compareIpv6,
  formatIpv6,
  IPV6_ALL_NODES,
  IPV6_ANY,
  IPV6_LEN,
  type Ipv6,
  parseIpv6,
  readIpv6,
  solicitedNodeIpv6,
  writeIpv6,
} from './ipv6.js';

/** Text and the address it names (RFC 4291 §2.2 forms). */
const ACCEPTED: readonly (readonly [string, bigint])[] = [
  ['::', 0n],
  ['::1', 1n],
  ['1::', 1n << 112n],
  ['2001:db8::1', 0x2001_0db8_0000_0000_0000_0000_0000_0001n],
  ['2001:0db8:0000:0000:0000:0000:0000:0001', 0x2001_0db8_0000_0000_0000_0000_0000_0001n],
  ['2001:DB8::1', 0x2001_0db8_0000_0000_0000_0000_0000_0001n],
  ['FE80::A:bC:dEf', 0xfe80_0000_0000_0000_0000_000a_00bc_0defn],
  ['ff02::1', 0xff02_0000_0000_0000_0000_0000_0000_0001n],
  ['1:2:3:4:5:6:7:8', 0x0001_0002_0003_0004_0005_0006_0007_0008n],
  ['1:2:3:4:5:6:7::', 0x0001_0002_0003_0004_0005_0006_0007_0000n],
  ['::2:3:4:5:6:7:8', 0x0000_0002_0003_0004_0005_0006_0007_0008n],
  ['::ffff:192.0.2.1', 0xffff_c000_0201n],
  ['::192.0.2.1', 0xc000_0201n],
  ['64:ff9b::198.51.100.7', 0x0064_ff9b_0000_0000_0000_0000_c633_6407n],
  ['1:2:3:4:5:6:255.255.255.255', 0x0001_0002_0003_0004_0005_0006_ffff_ffffn],
  [' \t2001:db8::1\n', 0x2001_0db8_0000_0000_0000_0000_0000_0001n],
];

/** Inputs that must not parse, each with the reason. */
const REJECTED: readonly (readonly [string, string])[] = [
  ['empty', ''],
  ['only whitespace', '  '],
  ['single colon', ':'],
  ['three colons', ':::'],
  ['colon run inside', '1:::2'],
  ['two ::', '1::2::3'],
  ['seven groups', '1:2:3:4:5:6:7'],
  ['nine groups', '1:2:3:4:5:6:7:8:9'],
  [':: standing for no group', '1:2:3:4::5:6:7:8'],
  ['eight groups and ::', '1:2:3:4:5:6:7:8::'],
  ['five-digit group', '12345::'],
  ['non-hex digit', '2001:db8::g'],
  ['leading single colon', ':1::2'],
  ['trailing single colon', '1::2:'],
  ['dotted quad alone', '192.0.2.1'],
  ['dotted part over 255', '::1.2.3.256'],
  ['short dotted quad', '::1.2.3'],
  ['dotted quad not last', '::1.2.3.4:5'],
  ['dotted quad before ::', '1.2.3.4::'],
  ['too many groups with dotted quad', '1:2:3:4:5:6:7:1.2.3.4'],
  ['zone index', 'fe80::1%eth0'],
  ['leading zero in the dotted tail', '::ffff:192.0.2.01'],
  ['prefix length', '2001:db8::/32'],
  ['brackets', '[::1]'],
  ['inner whitespace', '2001:db8:: 1'],
  ['full-width digit', '２001:db8::1'],
];

/** The sixteen bytes of `ip`, as a Buffer for comparing. */
function bytesOf(ip: Ipv6): Buffer {
  const out = Buffer.alloc(IPV6_LEN);
  writeIpv6(ip, out, 0);
  return out;
}

/** All eight groups, four digits each, colon-separated: the least canonical text of `ip`. */
function fullForm(ip: Ipv6): string {
  return ip.toString(16).padStart(32, '0').match(/.{4}/g)!.join(':');
}

/** An independent RFC 5952 oracle: the WHATWG URL host serializer compresses the same way. */
function whatwgForm(ip: Ipv6): string {
  return new URL(`http://[${fullForm(ip)}]/`).hostname.slice(1, -1);
}

describe('ipv6', () => {
  describe('parseIpv6 accepts', () => {
    for (const [text, value] of ACCEPTED) {
      test(JSON.stringify(text), () => assert.equal(parseIpv6(text), value));
    }
  });

  describe('parseIpv6 rejects with the input in the message', () => {
    for (const [name, text] of REJECTED) {
      test(name, () =>
        assert.throws(
          () => parseIpv6(text),
          (e: unknown) =>
            e instanceof AddressParseError &&
            e.family === 'IPv6' &&
            e.input === text &&
            e.message.includes(`"${text}"`),
        ),
      );
    }
  });

  describe('formatIpv6 is RFC 5952 canonical', () => {
    const vectors: readonly (readonly [string, string, string])[] = [
      ['§4.2.1 the longest zero run is ::', '2001:db8:0:0:0:0:0:1', '2001:db8::1'],
      ['§4.2.2 a single zero group is not ::', '2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
      ['§4.2.3 the longest run wins', '2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
      ['§4.2.3 the first run wins a tie', '2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['§4.1 leading zeros go', '2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
      ['§4.3 lower case', '2001:DB8:ABCD::EF', '2001:db8:abcd::ef'],
      ['the unspecified address', '0:0:0:0:0:0:0:0', '::'],
      ['loopback', '0:0:0:0:0:0:0:1', '::1'],
      ['a trailing run', '1:0:0:0:0:0:0:0', '1::'],
      ['a run of two at the end', '1:2:3:4:5:6:0:0', '1:2:3:4:5:6::'],
      ['alternating zeros stay', '0:1:0:1:0:1:0:1', '0:1:0:1:0:1:0:1'],
      [
        'no zero group',
        'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
        'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
      ],
      ['all nodes', 'ff02:0:0:0:0:0:0:1', 'ff02::1'],
      ['link-local', 'fe80:0:0:0:21b:cff:fedd:e0ff', 'fe80::21b:cff:fedd:e0ff'],
    ];
    for (const [name, text, canonical] of vectors) {
      test(name, () => assert.equal(formatIpv6(parseIpv6(text)), canonical));
    }

    test('an IPv4-mapped address prints as hex groups (the §5 dotted form is not implemented)', () => {
      const mapped = parseIpv6('::ffff:192.0.2.1');
      assert.equal(formatIpv6(mapped), '::ffff:c000:201');
      assert.equal(parseIpv6(formatIpv6(mapped)), mapped);
    });
  });

  test('the constants', () => {
    assert.equal(formatIpv6(IPV6_ANY), '::');
    assert.equal(formatIpv6(IPV6_ALL_NODES), 'ff02::1');
  });

  test('readIpv6 and writeIpv6: network byte order', () => {
    const bytes = hex('a5 20010db8000000000000000000000001');
    assert.equal(readIpv6(bytes, 1), parseIpv6('2001:db8::1'));
    const out = prefilled(IPV6_LEN + 2);
    writeIpv6(parseIpv6('2001:db8::1'), out, 1);
    assert.deepEqual(out, hex('a5 20010db8000000000000000000000001 a5'));
  });

  test('solicitedNodeIpv6: RFC 4291 §2.7.1 example', () => {
    const node = parseIpv6('4037::01:800:200E:8C6C');
    assert.equal(formatIpv6(solicitedNodeIpv6(node)), 'ff02::1:ff0e:8c6c');
  });

  test('solicitedNodeIpv6 keeps the low 24 bits under ff02::1:ff00:0/104', () => {
    fc.assert(
      fc.property(arbIpv6(), (ip) => {
        const group = solicitedNodeIpv6(ip);
        assert.equal(group >> 24n, 0xff02_0000_0000_0000_0000_0001_ffn);
        assert.equal(group & 0xff_ffffn, ip & 0xff_ffffn);
      }),
    );
  });

  test('format matches an independent RFC 5952 formatter and parses back', () => {
    const sparse = fc
      .array(fc.constantFrom(0, 0, 0, 1, 0xabcd), { minLength: 8, maxLength: 8 })
      .map((gs) => gs.reduce((v, g) => (v << 16n) | BigInt(g), 0n) as Ipv6);
    fc.assert(
      fc.property(fc.oneof(arbIpv6(), sparse), (ip) => {
        const text = formatIpv6(ip);
        assert.equal(text, whatwgForm(ip));
        assert.equal(parseIpv6(text), ip);
        assert.equal(parseIpv6(fullForm(ip).toUpperCase()), ip);
      }),
      { numRuns: 2000 },
    );
  });

  test('write → read at any offset touches exactly sixteen bytes', () => {
    fc.assert(
      fc.property(arbIpv6(), fc.nat(9), (ip, at) => {
        const backing = prefilled(at + IPV6_LEN + 3);
        writeIpv6(ip, backing, at);
        assert.equal(readIpv6(backing, at), ip);
        const written = Buffer.from(backing.subarray(at, at + IPV6_LEN)).toString('hex');
        assert.equal(written, fullForm(ip).replaceAll(':', ''));
        assert.ok(backing.subarray(0, at).every((b) => b === 0xa5));
        assert.ok(backing.subarray(at + IPV6_LEN).every((b) => b === 0xa5));
      }),
    );
  });

  test('compareIpv6 agrees with numeric order and with the order of the bytes', () => {
    fc.assert(
      fc.property(arbIpv6(), arbIpv6(), (a, b) => {
        const order = compareIpv6(a, b);
        assert.equal(order, a < b ? -1 : a > b ? 1 : 0);
        assert.equal(order, Buffer.compare(bytesOf(a), bytesOf(b)));
        assert.equal(order + compareIpv6(b, a), 0);
      }),
    );
  });

  test('any text either parses or throws AddressParseError', () => {
    const ipv6ish = fc.string({
      unit: fc.constantFrom(...'0123456789abcdefABCDEF:.: %'),
      maxLength: 45,
    });
    fc.assert(
      fc.property(fc.oneof(fc.string(), ipv6ish), (text) => {
        try {
          const ip = parseIpv6(text);
          assert.ok(ip >= 0n && ip < 1n << 128n);
          assert.equal(parseIpv6(formatIpv6(ip)), ip);
        } catch (e) {
          assert.ok(e instanceof AddressParseError, String(e));
          assert.equal(e.input, text);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { arbMac } from '../testing/arbitraries.js';
import { atOffset, hex, prefilled } from '../testing/bytes.js';
import { WireError } from './error.js';
import { EtherType } from './ethertype.js';
import { parseMac } from './mac.js';
import {
  emitSll,
  LinuxSllFrame,
  parseSll,
  SLL_HEADER_LEN,
  SLL2_HEADER_LEN,
  SllPacketType,
  type SllRepr,
  sllBufferLen,
} from './sll.js';

// zeek's linuxsll-arp.pcap frame 1 (link type 113). tcpdump -XX:
//   0x0000:  0001 0001 0006 cc2d e026 1999 0000 0806  .......-.&......
const SLL_BYTES = hex(`
  0001              # packet type: broadcast
  0001              # ARPHRD_ETHER
  0006              # address length
  cc2de0261999 0000 # address, padded to 8
  0806              # protocol: ARP
`);

// The same header in cooked v2 form (link type 276), ifindex 3.
const SLL2_BYTES = hex(`
  0806              # protocol: ARP
  0000              # reserved
  00000003          # ifindex
  0001              # ARPHRD_ETHER
  01                # packet type: broadcast
  06                # address length
  cc2de0261999 0000 # address, padded to 8
`);

const REPR: SllRepr = {
  packetType: SllPacketType.BROADCAST,
  hatype: 1,
  source: parseMac('cc:2d:e0:26:19:99'),
  protocol: EtherType.ARP,
  ifindex: 0,
};

describe('linux cooked capture', () => {
  test('deconstruct v1 and v2', () => {
    const v1 = LinuxSllFrame.checked(SLL_BYTES, 1);
    assert.equal(v1.packetType, 1);
    assert.equal(v1.hatype, 1);
    assert.equal(v1.halen, 6);
    assert.equal(v1.source, REPR.source);
    assert.equal(v1.protocol, 0x0806);
    assert.equal(v1.payload.length, 0);
    const v2 = LinuxSllFrame.checked(SLL2_BYTES, 2);
    assert.equal(v2.packetType, 1);
    assert.equal(v2.ifindex, 3);
    assert.equal(v2.source, REPR.source);
    assert.equal(v2.protocol, 0x0806);
  });

  test('parse', () => {
    assert.deepEqual(parseSll(LinuxSllFrame.checked(SLL_BYTES, 1)), REPR);
    assert.deepEqual(parseSll(LinuxSllFrame.checked(SLL2_BYTES, 2)), { ...REPR, ifindex: 3 });
  });

  test('construct and emit', () => {
    const v1 = prefilled(sllBufferLen(1));
    emitSll(REPR, LinuxSllFrame.unchecked(v1, 1));
    assert.deepEqual(v1, SLL_BYTES);
    const v2 = prefilled(sllBufferLen(2));
    emitSll({ ...REPR, ifindex: 3 }, LinuxSllFrame.unchecked(v2, 2));
    assert.deepEqual(v2, SLL2_BYTES);
  });

  test('an address that is not a MAC gives no source', () => {
    const bytes = SLL_BYTES.slice();
    bytes[3] = 0x20; // ARPHRD_INFINIBAND
    assert.equal(LinuxSllFrame.checked(bytes, 1).source, undefined);
  });

  test('round trip, both versions, at any offset', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<1 | 2>(1, 2),
        fc.integer({ min: 0, max: 4 }),
        fc.option(arbMac(), { nil: undefined }),
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: 0, max: 0xffff_ffff }),
        fc.nat(7),
        (version, packetType, source, protocol, ifindex, at) => {
          const repr: SllRepr = {
            packetType,
            hatype: 1,
            source,
            protocol,
            ifindex: version === 1 ? 0 : ifindex,
          };
          const bytes = atOffset(prefilled(sllBufferLen(version)), at);
          emitSll(repr, LinuxSllFrame.unchecked(bytes, version));
          assert.deepEqual(parseSll(LinuxSllFrame.checked(bytes, version)), repr);
        },
      ),
    );
  });

  test('every short buffer is truncated', () => {
    for (const [version, bytes, len] of [
      [1, SLL_BYTES, SLL_HEADER_LEN],
      [2, SLL2_BYTES, SLL2_HEADER_LEN],
    ] as const) {
      for (let n = 0; n < len; n++) {
        assert.throws(
          () => LinuxSllFrame.checked(bytes.subarray(0, n), version),
          (e: unknown) => e instanceof WireError && e.kind === 'truncated',
        );
      }
    }
  });
});

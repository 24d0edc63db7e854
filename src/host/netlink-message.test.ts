import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hex } from '../testing/bytes.js';
import { WireError, type WireErrorKind } from '../wire/error.js';
import {
  addressDumpRequest,
  bridgeVlanDumpRequest,
  emitDumpRequest,
  fdbDumpRequest,
  linkDumpRequest,
  MessageCursorShared,
} from './netlink-message.js';

// Two messages in one datagram, the second padded, then NLMSG_DONE alone in a second datagram.
const DATAGRAM_1 = hex(`
  14000000 1000 0200 07000000 39300000  # nlmsg_len 20, RTM_NEWLINK, NLM_F_MULTI, seq 7, pid 12345
  aabbccdd                              # 4 payload bytes
  15000000 1400 0200 07000000 39300000  # nlmsg_len 21, RTM_NEWADDR
  0102030405 000000                     # 5 payload bytes, 3 bytes padding
`);
const DATAGRAM_2 = hex(`
  14000000 0300 0200 07000000 39300000  # NLMSG_DONE
  00000000                              # error 0
`);

function throwsWire(kind: WireErrorKind, fn: () => unknown, message: string): void {
  assert.throws(
    fn,
    (e: unknown) => e instanceof WireError && e.kind === kind && e.layer === 'netlink',
    message,
  );
}

function walk(datagrams: Uint8Array[]): [number, number, number, number][] {
  const seen: [number, number, number, number][] = [];
  const message = new MessageCursorShared(datagrams);
  while (message.next()) seen.push([message.type, message.start, message.payload, message.end]);
  return seen;
}

describe('netlink messages', () => {
  test('deconstruct: the cursor walks messages across datagrams', () => {
    const message = new MessageCursorShared([DATAGRAM_1, DATAGRAM_2]);
    assert.ok(message.next());
    assert.deepEqual(
      [message.type, message.flags, message.seq, message.payload, message.end],
      [16, 2, 7, 16, 20],
    );
    assert.ok(message.next());
    assert.equal(message.bytes, DATAGRAM_1);
    assert.deepEqual([message.type, message.start, message.end], [20, 20, 41]);
    assert.ok(message.next());
    assert.equal(message.bytes, DATAGRAM_2);
    assert.deepEqual([message.type, message.start], [3, 0]);
    assert.equal(message.next(), false);
    assert.equal(message.next(), false, 'stays at the end');
  });

  test('empty datagrams and a reset', () => {
    const message = new MessageCursorShared([new Uint8Array(0), DATAGRAM_2, new Uint8Array(0)]);
    assert.ok(message.next());
    assert.equal(message.next(), false);
    message.reset([DATAGRAM_1]);
    assert.ok(message.next());
    assert.equal(message.type, 16);
  });

  test('a datagram that is a subarray is read at its own offsets', () => {
    const backing = new Uint8Array(DATAGRAM_2.length + 8).fill(0xa5);
    backing.set(DATAGRAM_2, 8);
    assert.deepEqual(walk([backing.subarray(8)]), [[3, 0, 16, 20]]);
  });

  test('every broken header is a WireError: truncated or malformed', () => {
    const cases: [string, WireErrorKind, Uint8Array][] = [
      ['10 bytes', 'truncated', DATAGRAM_2.subarray(0, 10)],
      [
        'a second header cut short',
        'truncated',
        hex(`${'14000000 0300 0000 00000000 00000000 00000000'} 1400`),
      ],
      [
        'nlmsg_len below 16 (would loop forever)',
        'malformed',
        hex('08000000 0300 0000 00000000 00000000'),
      ],
      ['nlmsg_len of zero', 'malformed', hex('00000000 0300 0000 00000000 00000000')],
      [
        'nlmsg_len past the datagram',
        'malformed',
        hex('18000000 0300 0000 00000000 00000000 0000'),
      ],
    ];
    for (const [what, kind, datagram] of cases) throwsWire(kind, () => walk([datagram]), what);
  });

  test('needHeader: a payload shorter than the family header is truncated', () => {
    const message = new MessageCursorShared([DATAGRAM_1]);
    message.next();
    assert.doesNotThrow(() => message.needHeader('test', 4));
    assert.throws(
      () => message.needHeader('RTM_NEWLINK', 16),
      (e: unknown) =>
        e instanceof WireError &&
        e.kind === 'truncated' &&
        e.layer === 'RTM_NEWLINK' &&
        e.offset === 16,
    );
  });

  test('the link dump request (ip link show)', () => {
    assert.deepEqual(
      linkDumpRequest(),
      hex(`
        20000000 1200 0103 00000000 00000000  # nlmsg_len 32, RTM_GETLINK, REQUEST|DUMP, seq 0, pid 0
        00 00 0000 00000000 00000000 00000000 # ifinfomsg: AF_UNSPEC, everything else 0
      `),
    );
  });

  test('the bridge VLAN dump request (bridge vlan show, uncompressed)', () => {
    assert.deepEqual(
      bridgeVlanDumpRequest(),
      hex(`
        28000000 1200 0103 00000000 00000000  # nlmsg_len 40, RTM_GETLINK, REQUEST|DUMP
        07 00 0000 00000000 00000000 00000000 # ifinfomsg: AF_BRIDGE
        0800 1d00 02000000                    # IFLA_EXT_MASK (29): RTEXT_FILTER_BRVLAN
      `),
    );
  });

  test('the address dump request (ip addr show)', () => {
    assert.deepEqual(
      addressDumpRequest(),
      hex(`
        18000000 1600 0103 00000000 00000000  # nlmsg_len 24, RTM_GETADDR, REQUEST|DUMP
        00 00 00 00 00000000                  # ifaddrmsg: AF_UNSPEC, prefix 0, flags 0, scope 0, index 0
      `),
    );
  });

  test('the FDB dump request (bridge fdb show)', () => {
    assert.deepEqual(
      fdbDumpRequest(),
      hex(`
        1c000000 1e00 0103 00000000 00000000  # nlmsg_len 28, RTM_GETNEIGH, REQUEST|DUMP
        07 00 0000 00000000 0000 00 00        # ndmsg: AF_BRIDGE, index 0, state 0, flags 0, type 0
      `),
    );
  });

  test('a family header of odd length is padded before the attributes', () => {
    const request = emitDumpRequest(18, hex('07'), [{ type: 29, value: hex('02000000') }]);
    assert.deepEqual(
      request,
      hex('1c000000 1200 0103 00000000 00000000  07 000000  0800 1d00 02000000'),
    );
  });
});

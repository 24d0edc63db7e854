import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WireError } from '../../wire/error.js';
import { OsError } from './os-error.js';
import { NlmFlag, NlmsgHeader, NlmsgType, netlinkAlign } from './netlink-abi.js';
import { NetlinkSocket, scanReply } from './netlink-socket.js';
import { hex } from '../../testing/bytes.js';

/** A bare request of `type` with a 16-byte zero family header (an `ifinfomsg`). */
function request(type: number): Uint8Array {
  const bytes = new Uint8Array(32);
  const view = new DataView(bytes.buffer);
  view.setUint32(NlmsgHeader.LEN, bytes.length, true);
  view.setUint16(NlmsgHeader.TYPE, type, true);
  return bytes;
}

/** Every message header of `datagrams` as [type, flags, seq]. */
function headers(datagrams: readonly Uint8Array[]): [number, number, number][] {
  const seen: [number, number, number][] = [];
  for (const datagram of datagrams) {
    const view = new DataView(datagram.buffer, datagram.byteOffset, datagram.byteLength);
    for (let at = 0; at < datagram.length;) {
      const length = view.getUint32(at + NlmsgHeader.LEN, true);
      seen.push([
        view.getUint16(at + NlmsgHeader.TYPE, true),
        view.getUint16(at + NlmsgHeader.FLAGS, true),
        view.getUint32(at + NlmsgHeader.SEQ, true),
      ]);
      at += netlinkAlign(length);
    }
  }
  return seen;
}

const RTM_GETLINK = 18;
const RTM_NEWLINK = 16;
/** `EOPNOTSUPP` (= ENOTSUP on Linux, which is what Node calls it). */
const EOPNOTSUPP = 95;

describe('NetlinkSocket (this process’s namespace, read only)', () => {
  test('a link dump: every reply until NLMSG_DONE, one sequence number, the request untouched', () => {
    const socket = NetlinkSocket.open();
    try {
      const ask = request(RTM_GETLINK);
      const first = socket.dump(ask, 'links (RTM_GETLINK)');
      assert.deepEqual(ask, request(RTM_GETLINK), 'the caller’s request is not written to');
      const seen = headers(first);
      assert.ok(seen.length >= 2, 'at least lo and NLMSG_DONE');
      assert.deepEqual(seen.at(-1)?.[0], NlmsgType.DONE);
      assert.ok(seen.slice(0, -1).every(([type]) => type === RTM_NEWLINK));
      assert.ok(seen.every(([, flags]) => (flags & NlmFlag.MULTI) !== 0));
      assert.equal(new Set(seen.map(([, , seq]) => seq)).size, 1);
      const second = headers(socket.dump(ask, 'links (RTM_GETLINK)'));
      assert.notEqual(second[0]?.[2], seen[0]?.[2], 'each dump has its own sequence number');
    } finally {
      socket.close();
    }
  });

  test('an error from the kernel is an OsError naming the dump; the socket stays usable', () => {
    const socket = NetlinkSocket.open();
    try {
      assert.throws(
        () => socket.dump(request(0x7fff), 'nothing (type 0x7fff)'),
        (e: unknown) =>
          e instanceof OsError &&
          e.errno === EOPNOTSUPP &&
          e.syscall === 'dump of nothing (type 0x7fff)' &&
          /^rtnetlink: dump of nothing \(type 0x7fff\) failed: operation not supported/.test(
            e.message,
          ),
      );
      assert.ok(socket.dump(request(RTM_GETLINK), 'links').length > 0);
    } finally {
      socket.close();
    }
  });

  test('a request that is not one whole message is refused before it is sent', () => {
    const socket = NetlinkSocket.open();
    try {
      const short = request(RTM_GETLINK).subarray(0, 12);
      const lying = request(RTM_GETLINK);
      new DataView(lying.buffer).setUint32(0, 40, true);
      for (const bytes of [short, lying]) {
        assert.throws(
          () => socket.dump(bytes, 'links'),
          (e: unknown) => e instanceof WireError && e.kind === 'malformed',
        );
      }
    } finally {
      socket.close();
    }
  });

  test('close twice: the second is an OsError (EBADF)', () => {
    const socket = NetlinkSocket.open();
    socket.close();
    assert.throws(
      () => socket.close(),
      (e: unknown) => e instanceof OsError && e.code === 'EBADF',
    );
  });
});

describe('scanReply: the socket’s view of a reply datagram', () => {
  const SEQ = 0x2a;
  const link = (seq: number, flags: number = NlmFlag.MULTI) =>
    hex(`14000000 1000 ${hex16(flags)} ${hex32(seq)} 00000000  00000000`);
  const done = (error: number) => hex(`14000000 0300 0200 ${hex32(SEQ)} 00000000  ${hex32(error)}`);
  const error = (code: number) =>
    hex(`24000000 0200 0000 ${hex32(SEQ)} 00000000  ${hex32(code)}  ${'00'.repeat(16)}`);
  const both = (...parts: Uint8Array[]) => Uint8Array.from(Buffer.concat(parts));

  test('objects, then NLMSG_DONE', () => {
    assert.deepEqual(scanReply(link(SEQ), SEQ), {
      stale: false,
      done: false,
      interrupted: false,
      errno: 0,
    });
    assert.deepEqual(scanReply(both(link(SEQ), done(0)), SEQ), {
      stale: false,
      done: true,
      interrupted: false,
      errno: 0,
    });
  });

  test('NLM_F_DUMP_INTR on any message marks the dump interrupted', () => {
    const scan = scanReply(both(link(SEQ), link(SEQ, NlmFlag.MULTI | NlmFlag.DUMP_INTR)), SEQ);
    assert.equal(scan.interrupted, true);
  });

  test('another sequence number: stale, whatever follows', () => {
    assert.equal(scanReply(both(link(SEQ - 1), done(-1)), SEQ).stale, true);
  });

  test('NLMSG_ERROR and a failed NLMSG_DONE carry the errno; an acknowledgement does not', () => {
    assert.deepEqual(scanReply(error(-1), SEQ), {
      stale: false,
      done: true,
      interrupted: false,
      errno: 1,
    });
    assert.equal(scanReply(error(0), SEQ).errno, 0);
    assert.equal(scanReply(done(-16), SEQ).errno, 16);
    const short = hex(`14000000 0200 0000 ${hex32(SEQ)} 00000000  ffffffff`);
    assert.equal(scanReply(short, SEQ).errno, 71, 'an error without room for its header: EPROTO');
  });

  test('a header that breaks framing is a WireError', () => {
    for (const bytes of [
      link(SEQ).subarray(0, 12),
      hex(`08000000 0300 0000 ${hex32(SEQ)} 00000000`),
    ]) {
      assert.throws(() => scanReply(bytes, SEQ), WireError);
    }
  });
});

function hex16(value: number): string {
  return Buffer.from(Uint16Array.of(value).buffer).toString('hex');
}

function hex32(value: number): string {
  return Buffer.from(Int32Array.of(value).buffer).toString('hex');
}

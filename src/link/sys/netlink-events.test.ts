import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { layout, NetlinkProtocol, Socket } from './abi.js';
import { libc } from './libc.js';
import {
  EVENT_BUFFER_BYTES,
  NetlinkEventSocket,
  type NetlinkEventHandlers,
} from './netlink-events.js';
import { OsError } from './os-error.js';

// These tests stay in this process's own namespace and change nothing in it: the groups they
// join are rtnetlink's link group (1) or none, and the one datagram they send goes from one of
// their own sockets to another. What the kernel multicasts is tested in a namespace of its own
// (host/events-netns.test.ts).
const RTNLGRP_LINK = 1;
const ROOT = process.getuid?.() === 0;

/** Handlers that record what they are called with. */
function recorder(): NetlinkEventHandlers & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    datagrams: (batch) => calls.push(`datagrams ${batch.length}`),
    overrun: () => calls.push('overrun'),
    error: (error) => calls.push(`error ${error.code}`),
  };
}

describe('NetlinkEventSocket (this process’s namespace, listening only)', () => {
  test('opens with a large buffer (SO_RCVBUFFORCE as root) and a port id of its own', async () => {
    const socket = NetlinkEventSocket.open([RTNLGRP_LINK]);
    try {
      const granted = socket.receiveBufferBytes;
      if (ROOT) assert.equal(granted, 2 * EVENT_BUFFER_BYTES, 'the kernel doubles what is asked');
      else assert.ok(granted > 0);
      assert.ok(socket.portId > 0, 'bound: port 0 would be the kernel’s and hear nothing');
      assert.deepEqual(socket.stats(), { datagrams: 0, overruns: 0, truncated: 0, foreign: 0 });
    } finally {
      await socket.close();
    }
  });

  test('a tiny buffer is granted as the kernel’s minimum', async () => {
    const socket = NetlinkEventSocket.open([], { receiveBufferBytes: 1024 });
    try {
      assert.ok(socket.receiveBufferBytes <= 4096, `${socket.receiveBufferBytes} bytes`);
    } finally {
      await socket.close();
    }
  });

  test('a group rtnetlink does not have is an OsError naming it', () => {
    for (const group of [0, 5000]) {
      assert.throws(
        () => NetlinkEventSocket.open([RTNLGRP_LINK, group], { subject: 'watch' }),
        (e: unknown) =>
          e instanceof OsError &&
          e.code === 'EINVAL' &&
          e.message === `watch: joining rtnetlink group ${group} failed: invalid argument (EINVAL)`,
      );
    }
  });

  test('close() while a wait is in flight resolves at once; it is idempotent', async () => {
    const socket = NetlinkEventSocket.open([]);
    const handlers = recorder();
    socket.start(handlers);
    assert.throws(() => socket.start(handlers), /already started/);
    await sleep(10);
    const begun = performance.now();
    const closing = socket.close();
    assert.equal(socket.close(), closing, 'the same promise');
    await closing;
    const took = performance.now() - begun;
    assert.ok(took < 150, `close took ${took.toFixed(0)} ms: the eventfd ends the wait at once`);
    assert.throws(() => socket.start(handlers), /closed/);
    assert.throws(() => socket.receiveBufferBytes, /closed/);
    assert.deepEqual(handlers.calls, []);
  });

  test('an idle socket costs next to nothing: no wake-up, no handler called', async () => {
    const socket = NetlinkEventSocket.open([]);
    const handlers = recorder();
    socket.start(handlers);
    const before = process.cpuUsage();
    await sleep(1_000);
    const used = process.cpuUsage(before);
    await socket.close();
    const ms = (used.user + used.system) / 1000;
    assert.ok(ms < 100, `${ms.toFixed(1)} ms of CPU in 1 s idle`);
    assert.deepEqual(handlers.calls, []);
  });

  test(
    'a datagram from another port than the kernel’s is dropped and counted',
    { skip: ROOT ? false : 'sending to a netlink port needs CAP_NET_ADMIN' },
    async () => {
      const socket = NetlinkEventSocket.open([]);
      const sender = libc.socket(
        Socket.AF_NETLINK,
        Socket.SOCK_RAW | Socket.SOCK_CLOEXEC,
        NetlinkProtocol.ROUTE,
      );
      assert.ok(sender >= 0);
      const handlers = recorder();
      try {
        socket.start(handlers);
        const address = new Uint8Array(layout.sockaddrNl.size);
        const view = new DataView(address.buffer);
        view.setUint16(0, Socket.AF_NETLINK, true);
        view.setUint32(layout.sockaddrNl.pid, socket.portId, true);
        const message = Uint8Array.from([
          20,
          0,
          0,
          0,
          3,
          0,
          0,
          0,
          ...new Array<number>(12).fill(0),
        ]);
        assert.equal(libc.sendto(sender, message, message.length, 0, address, address.length), 20);
        for (let waited = 0; socket.stats().foreign === 0 && waited < 2_000; waited += 20) {
          await sleep(20);
        }
        assert.equal(socket.stats().foreign, 1);
        assert.deepEqual(handlers.calls, []);
      } finally {
        libc.close(sender);
        await socket.close();
      }
    },
  );
});

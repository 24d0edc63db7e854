/**
 * AfPacketLink on real veth pairs in network namespaces the tests create (ARCHITECTURE.md, tier
 * 2). The link runs in the fixture process started inside a namespace (`link-fixture.ts`), so
 * its raw socket, and every frame it sends, stays there.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { openFileSource } from '../io/fd-source.js';
import { openCapture, recordsShared } from '../pcap/capture.js';
import {
  arpRequests,
  FRAME_KINDS,
  filterAccepts,
  fixtureArgv,
  fromHex,
  frameOf,
  parseLines,
  runFixture,
  startReceiver,
  toHex,
  vethLab,
} from '../testing/link-lab.js';
import { labTest } from '../testing/lab-test.js';
import type { Lab, Netns } from '../testing/netns.js';
import { peerToolGate } from '../testing/peer-tools.js';
import { parseArp } from '../wire/arp.js';
import { EtherType } from '../wire/ethertype.js';
import { decodeFrame } from '../wire/frame.js';
import { formatIpv4 } from '../wire/ipv4.js';
import { parseMac } from '../wire/mac.js';
import { AfPacketLink, RECEIVE_WAIT_MS } from './af-packet-link.js';
import { layout } from './sys/abi.js';
import { OsError } from './sys/os-error.js';

const LAB_MS = 40_000;
const tools = peerToolGate(['tcpdump', 'arping', 'setpriv'], LAB_MS + 15_000);
const SENDER_MAC = '02:00:00:78:00:01';
const RECEIVER_MAC = '02:00:00:78:00:02';
const OTHER_MAC = '02:00:00:78:00:99';
const SENDER = parseMac(SENDER_MAC);
const QINQ = [
  { tpid: EtherType.QINQ, pcp: 3, dei: false, vid: 200 },
  { tpid: EtherType.VLAN, pcp: 0, dei: true, vid: 2001 },
];
/** Every kind untagged and in QinQ: the receiver takes the outer tag off, the inner one stays. */
const MIXED = FRAME_KINDS.flatMap((kind) => [
  { kind, bytes: frameOf(kind, SENDER) },
  { kind, bytes: frameOf(kind, SENDER, QINQ) },
]);
/** close() must resolve within this (Link contract). */
const CLOSE_MS = 200;

/** The lab every test here uses: sender veth0 — veth1 receiver, with known MACs. */
function pair(lab: Lab): Promise<{ sender: Netns; receiver: Netns }> {
  return vethLab(lab, SENDER_MAC, RECEIVER_MAC);
}

/** The frames a receiver printed, and a check that it closed in time. */
function receivedFrames(lines: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  const closeMs = lines.find((line) => 'closeMs' in line)?.closeMs as number;
  assert.ok(closeMs < CLOSE_MS, `close() took ${closeMs} ms`);
  return lines.filter((line) => 'hex' in line);
}

/** Runs tcpdump -w on `ns`'s veth1 for frames from the sender until it has `count`, and reads them back. */
async function capture(ns: Netns, count: number, act: () => Promise<void>): Promise<Uint8Array[]> {
  const dir = mkdtempSync(join(tmpdir(), 'arpkit-afpacket-'));
  try {
    const file = join(dir, 'capture.pcap');
    // A short snap length and a 16 MiB buffer: 2,500 frames in one burst fit in the ring.
    const ring = ['-s', '256', '-B', '16384'];
    const args = [
      ...ring,
      '-n',
      '-U',
      '--immediate-mode',
      '-c',
      `${count}`,
      '-i',
      'veth1',
      '-w',
      file,
    ];
    const tcpdump = ns.spawn('tcpdump', [...args, 'ether', 'src', SENDER_MAC]);
    await tcpdump.waitFor(/listening on veth1/, 10_000);
    await act();
    await tcpdump.waitFor(new RegExp(`${count} packets? captured`), 10_000);
    const source = openFileSource(file);
    try {
      const frames: Uint8Array[] = [];
      for (const record of recordsShared(openCapture(source))) frames.push(record.data.slice());
      return frames;
    } finally {
      source.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('AfPacketLink without a namespace', () => {
  test('the structures koffi lays out have glibc’s x86_64 sizes and offsets', () => {
    // From a C program printing sizeof / offsetof / CMSG_SPACE with glibc's headers.
    assert.equal(layout.sockaddrLl.size, 20);
    assert.equal(layout.sockaddrLl.pkttype, 10);
    assert.equal(layout.iovec.size, 16);
    assert.deepEqual(
      [layout.mmsghdr.size, layout.mmsghdr.iov, layout.mmsghdr.controllen, layout.mmsghdr.len],
      [64, 16, 40, 56],
    );
    // CMSG_SPACE(sizeof(struct tpacket_auxdata)) 40 + CMSG_SPACE(sizeof(struct timespec)) 32.
    assert.equal(layout.controlSpace, 72);
    assert.deepEqual([layout.timespec.sec, layout.timespec.nsec], [0, 8]);
    assert.deepEqual([layout.auxdata.vlanTci, layout.auxdata.vlanTpid], [16, 18]);
    assert.deepEqual(
      [layout.ifreq.size, layout.ifreq.union, layout.ifreq.hwaddrData],
      [40, 16, 18],
    );
  });

  test('an OsError names the call, the subject, the errno word and its code', () => {
    const error = new OsError({ errno: 100, syscall: 'sendto', subject: 'eth9' });
    assert.equal(error.message, 'eth9: sendto failed: network is down (ENETDOWN)');
    assert.equal(error.code, 'ENETDOWN');
    assert.equal(new OsError({ errno: 4242, syscall: 'x', subject: 'y' }).code, 'errno 4242');
  });

  test('an unknown interface is named, with the ones there are, before any socket is made', () => {
    assert.throws(
      () => AfPacketLink.open('arpkit-none0'),
      (error: unknown) =>
        error instanceof OsError &&
        error.code === 'ENODEV' &&
        /^no interface "arpkit-none0"; interfaces here: .*\blo\b/.test(error.message),
    );
  });
});

describe('AfPacketLink on a veth pair (network namespaces)', () => {
  labTest(
    'send and sendBatch put every frame on the wire byte for byte',
    tools,
    LAB_MS,
    async (lab) => {
      const { sender, receiver } = await pair(lab);
      const single = MIXED.map((frame) => frame.bytes);
      const onWire = await capture(receiver, single.length, async () => {
        const [line] = await runFixture(sender, {
          op: 'send',
          iface: 'veth0',
          frames: single.map(toHex),
        });
        assert.deepEqual(line, { sent: single.length });
      });
      assert.deepEqual(onWire.map(toHex), single.map(toHex));

      const batch = arpRequests(SENDER, 2500);
      const batched = await capture(receiver, batch.length, async () => {
        const request = {
          op: 'send',
          iface: 'veth0',
          arpRequests: batch.length,
          source: SENDER_MAC,
          batch: true,
        };
        assert.deepEqual(await runFixture(sender, request), [{ sent: batch.length }]);
      });
      assert.equal(batched.length, batch.length);
      assert.deepEqual(batched.map(toHex), batch.map(toHex));
    },
  );

  for (const filter of ['arp-nd', 'all'] as const) {
    labTest(
      `filter ${filter}: what it lets in arrives whole, tags restored`,
      tools,
      LAB_MS,
      async (lab) => {
        const { sender, receiver } = await pair(lab);
        const expected = MIXED.filter(({ kind }) => filter === 'all' || filterAccepts(kind));
        const rx = await startReceiver(receiver, {
          iface: 'veth1',
          filter,
          count: expected.length,
          timeoutMs: 5_000,
        });
        await runFixture(sender, {
          op: 'send',
          iface: 'veth0',
          frames: MIXED.map((f) => toHex(f.bytes)),
        });
        const lines = await rx.done();
        const frames = receivedFrames(lines);
        assert.deepEqual(
          frames.map((frame) => frame.hex),
          expected.map((frame) => toHex(frame.bytes)),
        );
        // Broadcast ARP/RARP/IPv4 is packet type 1, NS/NA/IPv6 to 33:33:… multicast is 2.
        const broadcast = (hex: string) => hex.startsWith('ffffffffffff');
        assert.deepEqual(
          frames.map((frame) => frame.packetType),
          frames.map((frame) => (broadcast(frame.hex as string) ? 1 : 2)),
        );
        const stats = lines.find((line) => 'stats' in line)?.stats;
        assert.deepEqual(stats, { packets: expected.length, drops: 0 });
      },
    );
  }

  labTest(
    'frames queued in the socket keep the kernel’s receive time, not the time they are read',
    tools,
    LAB_MS,
    async (lab) => {
      const { sender, receiver } = await pair(lab);
      // Three frames sent some 100 ms apart (a process each) while the receiver is not reading
      // yet: they come out of one recvmmsg, and only the kernel's stamps keep them apart.
      const rx = await startReceiver(receiver, {
        iface: 'veth1',
        count: 3,
        timeoutMs: 8_000,
        delayMs: 3_000,
      });
      for (const frame of arpRequests(SENDER, 3)) {
        await runFixture(sender, { op: 'send', iface: 'veth0', frames: [toHex(frame)] });
      }
      const frames = receivedFrames(await rx.done());
      assert.equal(frames.length, 3);
      const ms = frames.map((frame) => Number(frame.sec) * 1000 + Number(frame.nsec) / 1e6);
      assert.ok(ms[1]! - ms[0]! >= 50 && ms[2]! - ms[1]! >= 50, `stamps ${ms.join(', ')}`);
    },
  );

  labTest('ping: the ARP exchange comes in, its IPv4 does not', tools, LAB_MS, async (lab) => {
    const { sender, receiver } = await pair(lab);
    await sender.addr('veth0', '10.78.0.1/24');
    await receiver.addr('veth1', '10.78.0.2/24');
    const rx = await startReceiver(receiver, { iface: 'veth1', count: 100, timeoutMs: 1_500 });
    await sender.run('ping', ['-c', '2', '-i', '0.2', '-W', '1', '10.78.0.2']);
    const frames = receivedFrames(await rx.done()).map((line) => ({
      decoded: decodeFrame(fromHex(line.hex as string), 'ethernet'),
      packetType: line.packetType,
    }));
    assert.ok(frames.length >= 2, `only ${frames.length} frames`);
    assert.ok(frames.every(({ decoded }) => decoded.proto === 'arp'));
    const request = frames.find(({ packetType }) => packetType === 1);
    const reply = frames.find(({ packetType }) => packetType === 4);
    assert.ok(request !== undefined && reply !== undefined, 'the request in, our own reply out');
  });

  labTest(
    'arping -V 100: the tag the kernel took off is back in the frame',
    tools,
    LAB_MS,
    async (lab) => {
      const { sender, receiver } = await pair(lab);
      const rx = await startReceiver(receiver, { iface: 'veth1', count: 1, timeoutMs: 5_000 });
      await sender.exec('arping', [
        '-c',
        '1',
        '-V',
        '100',
        '-Q',
        '5',
        '-i',
        'veth0',
        '-S',
        '10.78.0.1',
        '10.78.0.2',
      ]);
      const [frame] = receivedFrames(await rx.done());
      const decoded = decodeFrame(fromHex(frame!.hex as string), 'ethernet');
      assert.deepEqual(decoded.vlans, [{ tpid: EtherType.VLAN, pcp: 5, dei: false, vid: 100 }]);
      assert.equal(decoded.proto, 'arp');
      if (decoded.proto === 'arp')
        assert.equal(formatIpv4(parseArp(decoded.arp).targetIp), '10.78.0.2');
    },
  );

  labTest(
    'promiscuous: a bridge hands up frames for another MAC only while it is on',
    tools,
    LAB_MS,
    async (lab) => {
      const { sender, receiver } = await pair(lab);
      await lab.bridge(receiver, 'br0', ['veth1']);
      const unicast = frameOf('arp', SENDER, [], parseMac(OTHER_MAC));
      const marker = frameOf('rarp', SENDER);
      const frames = [unicast, marker].map(toHex);
      for (const promiscuous of [false, true]) {
        const rx = await startReceiver(receiver, {
          iface: 'br0',
          promiscuous,
          count: 1,
          timeoutMs: 5_000,
        });
        // SIOCGIFFLAGS shows only an administrator's `promisc on`; the count shows ours.
        const details = await receiver.run('ip', ['-d', 'link', 'show', 'br0']);
        assert.match(details, promiscuous ? /promiscuity 1 / : /promiscuity 0 /);
        await runFixture(sender, { op: 'send', iface: 'veth0', frames });
        const [first] = receivedFrames(await rx.done());
        assert.equal(first!.hex, promiscuous ? toHex(unicast) : toHex(marker));
        assert.equal(first!.packetType, promiscuous ? 3 : 1);
      }
      assert.match(await receiver.run('ip', ['-d', 'link', 'show', 'br0']), /promiscuity 0 /);
    },
  );

  labTest('errors say what is wrong and what to do', tools, LAB_MS, async (lab) => {
    const { sender } = await pair(lab);
    assert.deepEqual(await runFixture(sender, { op: 'info', iface: 'eth9' }), [
      { error: 'no interface "eth9"; interfaces here: lo, veth0', code: 'ENODEV' },
    ]);
    assert.deepEqual(await runFixture(sender, { op: 'info', iface: 999 }), [
      { error: 'no interface with index 999; interfaces here: 1 lo, 2 veth0', code: 'ENXIO' },
    ]);
    // Root without CAP_NET_RAW in its bounding set: the privilege an ordinary user lacks,
    // without needing the checkout to be readable by another user.
    const unprivileged = ['setpriv', '--bounding-set=-net_raw'];
    const [cmd, ...args] = fixtureArgv({ op: 'info', iface: 'veth0' }, unprivileged);
    const [denied] = parseLines(await sender.run(cmd!, args));
    assert.equal(denied!.code, 'EPERM');
    assert.match(
      denied!.error as string,
      /^veth0: raw sockets need CAP_NET_RAW: run as root, .*setcap cap_net_raw.*AmbientCapabilities=CAP_NET_RAW/,
    );

    const [info] = await runFixture(sender, { op: 'info', iface: 'veth0' });
    assert.equal(info!.mac, SENDER_MAC);
    await sender.run('ip', ['link', 'set', 'veth0', 'down']);
    const [down] = await runFixture(sender, {
      op: 'send',
      iface: 'veth0',
      frames: [toHex(MIXED[0]!.bytes)],
    });
    assert.deepEqual(down, {
      error: 'veth0: send failed: interface veth0 is down (ENETDOWN)',
      code: 'ENETDOWN',
    });
    const [flags] = await runFixture(sender, { op: 'info', iface: 'veth0' });
    assert.equal((flags!.flags as { up: boolean }).up, false);
  });

  labTest(
    'close() resolves within 200 ms while a receive is waiting',
    tools,
    LAB_MS,
    async (lab) => {
      assert.ok(RECEIVE_WAIT_MS < CLOSE_MS / 2);
      const { receiver } = await pair(lab);
      for (let run = 0; run < 5; run++) {
        const rx = await startReceiver(receiver, {
          iface: 'veth1',
          count: 1,
          timeoutMs: 10 + 37 * run,
        });
        assert.deepEqual(receivedFrames(await rx.done()), []);
      }
    },
  );
});

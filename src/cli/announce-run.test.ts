import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { type Link, LinkError } from '../link/link.js';
import { memoryLinkPair } from '../link/memory-link.js';
import { bytesSource } from '../pcap/byte-source.js';
import { openCapture, recordsShared } from '../pcap/capture.js';
import { manyGuests, smallHost } from '../testing/snapshots.js';
import { runCliOnClock, WatchedClock } from '../testing/watched-clock.js';
import type { CliWorld } from '../testing/cli.js';
import { arpOpName, parseArp } from '../wire/arp.js';
import { decodeFrame } from '../wire/frame.js';
import { formatIpv4 } from '../wire/ipv4.js';
import { formatIpv6 } from '../wire/ipv6.js';
import { formatMac, type Mac, parseMac } from '../wire/mac.js';

/** Where every run's clock starts: 2023-11-14 22:13:20 UTC. */
const T0 = 1_700_000_000_000;
const MAC = parseMac('52:54:00:00:00:10');

/** `smallHost()` and eth1 (198.51.100.7), a physical link of its own. */
function host() {
  return smallHost()
    .link('eth1', 'physical', { mac: '52:54:00:00:00:11' })
    .ipv4('eth1', '198.51.100.7/24')
    .build();
}

/** A frame as one line: what it is, its Ethernet addresses and what it binds to what. */
function describeFrame(bytes: Uint8Array): string {
  const frame = decodeFrame(bytes, 'ethernet');
  const eth = `${formatMac(frame.source!)} > ${formatMac(frame.destination!)}`;
  const vlans = frame.vlans.map((tag) => ` vlan ${tag.vid}`).join('');
  if (frame.proto === 'arp' || frame.proto === 'rarp') {
    const arp = parseArp(frame.arp);
    const sender = `${formatMac(arp.senderMac)} ${formatIpv4(arp.senderIp)}`;
    const target = `${formatMac(arp.targetMac)} ${formatIpv4(arp.targetIp)}`;
    return `${frame.proto} ${arpOpName(arp.op)} ${eth}${vlans} ${sender} -> ${target}`;
  }
  if (frame.proto === 'ndp' && frame.nd.nd.type === 'na') {
    const { ip, nd } = frame.nd;
    const flags = `${nd.router ? 'R' : ''}${nd.solicited ? 'S' : ''}${nd.override ? 'O' : ''}`;
    const lla = nd.targetLla === undefined ? 'none' : formatMac(nd.targetLla);
    return `na ${eth}${vlans} ${formatIpv6(ip.source)} > ${formatIpv6(ip.destination)} target ${formatIpv6(nd.target)} ${flags} tlla ${lla}`;
  }
  return `${frame.proto} ${eth}`;
}

/** A frame heard on the peer end: when (ms after T0, virtual) and what. */
interface Heard {
  readonly atMs: number;
  readonly frame: string;
}

/** A world with eth0 (and `more` interfaces) on `clock`; what eth0 sends is heard by its peer. */
function world(clock: WatchedClock, more: CliWorld['interfaces'] = {}) {
  const [ours, peer] = memoryLinkPair(clock);
  const heard: Heard[] = [];
  peer.receive(({ bytes, sec, nsec }) => {
    heard.push({ atMs: Math.round(sec * 1000 + nsec / 1e6 - T0), frame: describeFrame(bytes) });
  });
  return { heard, interfaces: { eth0: { mac: MAC, link: ours }, ...more } };
}

/** `arpkit announce ARGS` on `snapshot` with eth0 joined to a listening peer. */
async function announce(args: readonly string[], snapshot = host(), more?: CliWorld['interfaces']) {
  const clock = new WatchedClock(T0);
  const { heard, interfaces } = world(clock, more);
  const result = await runCliOnClock(['announce', ...args], { host: snapshot, interfaces }, clock);
  return { ...result, heard };
}

/** One round of `--iface br0 --guests br0` on eth0, as the peer decodes it. */
const ROUND = [
  'arp request 52:54:00:00:00:10 > ff:ff:ff:ff:ff:ff 52:54:00:00:00:10 192.0.2.10 -> ff:ff:ff:ff:ff:ff 192.0.2.10',
  'arp reply 52:54:00:00:00:10 > ff:ff:ff:ff:ff:ff 52:54:00:00:00:10 192.0.2.10 -> 52:54:00:00:00:10 192.0.2.10',
  'na 52:54:00:00:00:10 > 33:33:00:00:00:01 2001:db8::10 > ff02::1 target 2001:db8::10 O tlla 52:54:00:00:00:10',
  'rarp rarp-request 52:54:00:aa:00:01 > ff:ff:ff:ff:ff:ff 52:54:00:aa:00:01 0.0.0.0 -> 52:54:00:aa:00:01 0.0.0.0',
  'rarp rarp-request 52:54:00:aa:00:02 > ff:ff:ff:ff:ff:ff 52:54:00:aa:00:02 0.0.0.0 -> 52:54:00:aa:00:02 0.0.0.0',
];

/** `ROUND` heard at `atMs`. */
function roundAt(atMs: number): Heard[] {
  return ROUND.map((frame) => ({ atMs, frame }));
}

const BR0_GUESTS = ['--iface', 'br0', '--guests', 'br0'];

describe('arpkit announce: a run on memory links and a virtual clock', () => {
  test('--schedule 0,2s: every frame in the planned order, each round on time', async () => {
    const result = await announce([...BR0_GUESTS, '--schedule', '0,2s']);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, '');
    assert.deepEqual(result.heard, [...roundAt(0), ...roundAt(2000)]);
    assert.equal(
      result.stdout,
      'eth0: round 1/2 sent 5 frames (+0s)\n' +
        'eth0: round 2/2 sent 5 frames (+2s)\n' +
        'sent 10 frames (eth0 10), 2 rounds at 0s, 2s, in 2s; 0 failed\n',
    );
  });

  test('--rounds 2 --spacing 3s', async () => {
    const result = await announce([...BR0_GUESTS, '--rounds', '2', '--spacing', '3s']);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(result.heard, [...roundAt(0), ...roundAt(3000)]);
    assert.equal(
      result.stdout,
      'eth0: round 1/2 sent 5 frames (+0s)\n' +
        'eth0: round 2/2 sent 5 frames (+3s)\n' +
        'sent 10 frames (eth0 10), 2 rounds at 0s, 3s, in 3s; 0 failed\n',
    );
  });

  test('the default schedule: rounds at 0, 1.1 s and 5 s', async () => {
    const result = await announce(BR0_GUESTS);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(result.heard, [...roundAt(0), ...roundAt(1100), ...roundAt(5000)]);
    assert.match(
      result.stdout,
      /\nsent 15 frames \(eth0 15\), 3 rounds at 0s, 1\.1s, 5s, in 5s; 0 failed\n$/,
    );
  });

  test('--json: one object per frame sent, with its time, then the summary', async () => {
    const result = await announce(['--guests', 'br0', '--schedule', '0,1.5s', '--json']);
    assert.equal(result.status, 0, result.stderr);
    const lines = result.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as unknown);
    const guest = (mac: string) => ({
      iface: 'eth0',
      kind: 'rarp',
      ethSrc: mac,
      ethDst: 'ff:ff:ff:ff:ff:ff',
      vlan: [],
      mac,
      ip: null,
      source: 'guest',
    });
    const round = (time: number, n: number) => [
      { time, round: n, ...guest('52:54:00:aa:00:01') },
      { time, round: n, ...guest('52:54:00:aa:00:02') },
    ];
    assert.deepEqual(lines, [
      ...round(1_700_000_000, 1),
      ...round(1_700_000_001.5, 2),
      {
        summary: {
          dryRun: false,
          sent: 4,
          failed: 0,
          offsetsMs: [0, 1500],
          durationMs: 1500,
          // Reading the host and planning take no time on a virtual clock.
          hostMs: 0,
          planMs: 0,
          aborted: false,
          links: [{ iface: 'eth0', sent: 4, failed: 0, error: null }],
          skipped: [],
        },
      },
    ]);
  });
});

describe('arpkit announce: pacing', () => {
  test('--rate 100: one frame every 10 ms, and a round that outlasts the gap delays the next', async () => {
    const guests = 12;
    const result = await announce(
      ['--guests', 'br0', '--rate', '100', '--schedule', '0,50ms'],
      manyGuests(guests),
    );
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.heard.length, 2 * guests);
    // The second round is due at 50 ms but the first takes 110 ms: it starts on the next tick.
    assert.deepEqual(
      result.heard.map((heard) => heard.atMs),
      Array.from({ length: 2 * guests }, (_, i) => i * 10),
    );
    const sources = result.heard.map((heard) => heard.frame.split(' ')[2]);
    const macs = Array.from({ length: guests }, (_, n) => formatMac((0x0254_0000_0000 + n) as Mac));
    assert.deepEqual(sources, [...macs, ...macs]);
    assert.equal(
      result.stdout,
      'eth0: round 1/2 sent 12 frames (+0.11s)\n' +
        'eth0: round 2/2 sent 12 frames (+0.23s)\n' +
        'sent 24 frames (eth0 24), 2 rounds at 0s, 0.05s, in 0.23s; 0 failed\n',
    );
  });

  test('--rate 250: no 10 ms window holds more than ceil(250 × 10 ms) = 3 frames', async () => {
    const result = await announce(
      ['--guests', 'br0', '--rate', '250', '--rounds', '2'],
      manyGuests(40),
    );
    assert.equal(result.status, 0, result.stderr);
    const times = result.heard.map((heard) => heard.atMs);
    assert.equal(times.length, 80);
    for (let i = 3; i < times.length; i++) {
      assert.ok(times[i]! - times[i - 3]! >= 10, `frames ${i - 3}..${i} within 10 ms: ${times}`);
    }
    // 40 frames at 250/s take 160 ms: the rounds start at 0 and 1.1 s.
    assert.equal(times[0], 0);
    assert.equal(times[40], 1100);
    assert.ok(times[39]! <= 160, `round 1 ends at ${times[39]} ms`);
  });

  test('--rate 0 sends each round at once', async () => {
    const result = await announce(
      ['--guests', 'br0', '--rate', '0', '--rounds', '1'],
      manyGuests(500),
    );
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.heard.length, 500);
    assert.ok(result.heard.every((heard) => heard.atMs === 0));
  });
});

/** A link whose every send fails the way a full socket buffer does. */
function failingLink(name: string): Link {
  const fail = () => {
    throw new LinkError(`${name}: sendmmsg: No buffer space available`);
  };
  return { name, send: fail, sendBatch: fail, receive() {}, close: async () => {} };
}

describe('arpkit announce: failures', () => {
  const TWO_LINKS = ['--iface', 'br0', '--iface', 'eth1', '--rounds', '2', '--spacing', '1s'];

  test('an interface that cannot be opened: named on stderr, the others still send, exit 1', async () => {
    const result = await announce(TWO_LINKS);
    assert.equal(result.status, 1);
    assert.equal(result.stderr, 'arpkit: no interface "eth1"; interfaces here: eth0\n');
    const br0 = (atMs: number) => ROUND.slice(0, 3).map((frame) => ({ atMs, frame }));
    assert.deepEqual(result.heard, [...br0(0), ...br0(1000)]);
    assert.equal(
      result.stdout,
      'eth0: round 1/2 sent 3 frames (+0s)\n' +
        'eth0: round 2/2 sent 3 frames (+1s)\n' +
        'sent 6 frames (eth0 6, eth1 0), 2 rounds at 0s, 1s, in 1s; ' +
        '4 failed (eth1: no interface "eth1"; interfaces here: eth0)\n',
    );
  });

  test('--json: the summary counts the unopened link as failed, with its error', async () => {
    const result = await announce([...TWO_LINKS, '--json']);
    assert.equal(result.status, 1);
    const summary = JSON.parse(result.stdout.trimEnd().split('\n').at(-1)!) as {
      summary: Record<string, unknown>;
    };
    assert.deepEqual(summary.summary.links, [
      { iface: 'eth0', sent: 6, failed: 0, error: null },
      { iface: 'eth1', sent: 0, failed: 4, error: 'no interface "eth1"; interfaces here: eth0' },
    ]);
    assert.equal(summary.summary.sent, 6);
    assert.equal(summary.summary.failed, 4);
  });

  test('a link whose sends throw a LinkError: frames not sent, every round, exit 1', async () => {
    const result = await announce(TWO_LINKS, host(), {
      eth1: { mac: parseMac('52:54:00:00:00:11'), link: failingLink('eth1') },
    });
    assert.equal(result.status, 1);
    assert.equal(
      result.stderr,
      'arpkit: eth1: round 1: 2 frames not sent: eth1: sendmmsg: No buffer space available\n' +
        'arpkit: eth1: round 2: 2 frames not sent: eth1: sendmmsg: No buffer space available\n',
    );
    assert.equal(result.heard.length, 6, 'eth0 sends every round all the same');
    assert.equal(
      result.stdout,
      'eth0: round 1/2 sent 3 frames (+0s)\n' +
        'eth0: round 2/2 sent 3 frames (+1s)\n' +
        'sent 6 frames (eth0 6, eth1 0), 2 rounds at 0s, 1s, in 1s; ' +
        '4 failed (eth1: eth1: sendmmsg: No buffer space available)\n',
    );
  });
});

/** Every frame of the capture at `path`, as the peer would describe it, with its time from T0. */
function capturedFrames(path: string): Heard[] {
  const records: Heard[] = [];
  for (const record of recordsShared(openCapture(bytesSource(readFileSync(path))))) {
    const atMs = Math.round(record.tsSec * 1000 + record.tsNsec / 1e6 - T0);
    records.push({ atMs, frame: describeFrame(record.data.slice()) });
  }
  return records;
}

describe('arpkit announce --pcap', () => {
  test('every frame of every round goes to the file, stamped on the clock; no interface is used', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arpkit-announce-'));
    try {
      const path = join(dir, 'announce.pcap');
      const result = await announce([...BR0_GUESTS, '--iface', 'eth1', '--pcap', path]);
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.heard.length, 0, 'nothing on eth0');
      const records = capturedFrames(path);
      const eth1 = [
        'arp request 52:54:00:00:00:11 > ff:ff:ff:ff:ff:ff 52:54:00:00:00:11 198.51.100.7 -> ff:ff:ff:ff:ff:ff 198.51.100.7',
        'arp reply 52:54:00:00:00:11 > ff:ff:ff:ff:ff:ff 52:54:00:00:00:11 198.51.100.7 -> 52:54:00:00:00:11 198.51.100.7',
      ];
      const both = (atMs: number) => [...roundAt(atMs), ...eth1.map((frame) => ({ atMs, frame }))];
      assert.deepEqual(records, [...both(0), ...both(1100), ...both(5000)]);
      assert.match(
        result.stdout,
        /\nsent 21 frames \(eth0 15, eth1 6\), 3 rounds at 0s, 1\.1s, 5s, in 5s; 0 failed\n$/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--dry-run --pcap: the plan printed, and every round in the file at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arpkit-announce-'));
    try {
      const path = join(dir, 'plan.pcap');
      const result = await announce([...BR0_GUESTS, '--dry-run', '--pcap', path]);
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.heard.length, 0, 'nothing on eth0');
      const records = capturedFrames(path);
      assert.deepEqual(records, [...roundAt(0), ...roundAt(0), ...roundAt(0)]);
      assert.match(result.stdout, /^round 1 \+0s /);
      assert.match(result.stdout, /nothing sent \(--dry-run\)\n$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a file that cannot be created: exit 1, the path and the reason on stderr', async () => {
    const path = join(tmpdir(), 'arpkit-no-such-dir', 'sub', 'announce.pcap');
    const result = await announce([...BR0_GUESTS, '--pcap', path]);
    assert.equal(result.status, 1);
    assert.equal(result.stderr, `arpkit: ${path}: cannot write: no such file (ENOENT)\n`);
    assert.equal(result.stdout, '');
    assert.equal(result.heard.length, 0);
  });
});

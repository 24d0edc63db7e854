import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { arpPcap } from '../testing/arp-pcap.js';
import { capturePath } from '../testing/captures.js';
import { runCli } from '../testing/cli.js';
import { ArpOp } from '../wire/arp.js';
import { parseIpv4 } from '../wire/ipv4.js';
import { MAC_ZERO, parseMac } from '../wire/mac.js';

process.env.TZ = 'UTC';

/** A pcap of `count` ARP announcements for 192.0.2.N, one per millisecond. */
function announcements(
  count: number,
  options: { byteOrder?: 'big'; resolution?: 'ns' } = {},
): Uint8Array {
  const mac = parseMac('02:00:00:00:00:01');
  return arpPcap(
    Array.from({ length: count }, (_, i) => {
      const ip = parseIpv4(`192.0.2.${i + 1}`);
      const arp = {
        op: ArpOp.REQUEST,
        senderMac: mac,
        senderIp: ip,
        targetMac: MAC_ZERO,
        targetIp: ip,
      };
      return { arp, sec: 1_700_000_000, nsec: i * 1_000_000 + 7 };
    }),
    options,
  );
}

describe('arpkit decode', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'arpkit-decode-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, bytes: Uint8Array | string) => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };

  test('one tcpdump-like line per ARP frame, numbered as in the file', async () => {
    const run = await runCli(['decode', capturePath('arp-bootup.pcapng')]);
    assert.equal(run.status, 0);
    assert.equal(run.stderr, '');
    assert.equal(
      run.stdout,
      [
        '3 19:57:23.576078 00:23:54:69:8f:58 > ff:ff:ff:ff:ff:ff ARP Request who-has 24.6.170.101 tell 24.6.170.101 [gratuitous, announcement]',
        '4 19:57:23.951809 00:23:54:69:8f:58 > ff:ff:ff:ff:ff:ff ARP Request who-has 24.6.170.101 tell 24.6.170.101 [gratuitous, announcement]',
        '5 19:57:24.951750 00:23:54:69:8f:58 > ff:ff:ff:ff:ff:ff ARP Request who-has 24.6.170.101 tell 24.6.170.101 [gratuitous, announcement]',
        '22 19:57:36.325489 00:23:54:69:8f:58 > ff:ff:ff:ff:ff:ff ARP Request who-has 24.6.168.1 tell 24.6.170.101',
        '23 19:57:36.336762 00:01:5c:31:bb:c1 > 00:23:54:69:8f:58 ARP Reply 24.6.168.1 is-at 00:01:5c:31:bb:c1',
        '',
      ].join('\n'),
    );
  });

  test('VLAN tags (QinQ), cooked captures and nanosecond stamps', async () => {
    const qinq = await runCli(['decode', capturePath('tcpdump-802.1ad_QinQ.pcap')]);
    assert.match(
      qinq.stdout,
      /^1 \S+ 00:20:d2:5a:fb:3f > ff:ff:ff:ff:ff:ff vlan 200 vlan 2001 ARP Request who-has 172\.21\.79\.100 tell 172\.21\.79\.97\n/,
    );
    const sll = await runCli(['decode', capturePath('zeek-linuxsll-arp.pcap')]);
    assert.match(
      sll.stdout,
      /^1 17:55:38\.922595 cc:2d:e0:26:19:99 > broadcast ARP Request who-has 192\.168\.22\.160 tell 192\.168\.22\.1\n/,
    );
    const ns = await runCli(['decode', capturePath('zeek-cooper-grill-dvwa.pcapng')]);
    assert.match(ns.stdout.split('\n')[0]!, /^\d+ \d\d:\d\d:\d\d\.\d{9} /);
  });

  test('--json: one object per ARP/RARP/ND frame, every field always present', async () => {
    const run = await runCli([
      'decode',
      '--json',
      capturePath('tcpdump-802.1ad_QinQ.pcap'),
      capturePath('arp-poison.pcapng'),
    ]);
    assert.equal(run.status, 0);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(lines.length, 2 + 14);
    const keys = [
      'file',
      'frame',
      'ts',
      'len',
      'vlan',
      'ethSrc',
      'ethDst',
      'proto',
      'op',
      'senderMac',
      'senderIp',
      'targetMac',
      'targetIp',
      'flags',
      'error',
    ];
    for (const line of lines) assert.deepEqual(Object.keys(line), keys);
    assert.deepEqual(lines[0], {
      file: capturePath('tcpdump-802.1ad_QinQ.pcap'),
      frame: 1,
      ts: 1575842394.599412,
      len: 64,
      vlan: [200, 2001],
      ethSrc: '00:20:d2:5a:fb:3f',
      ethDst: 'ff:ff:ff:ff:ff:ff',
      proto: 'arp',
      op: 'request',
      senderMac: '00:20:d2:5a:fb:3f',
      senderIp: '172.21.79.97',
      targetMac: '00:00:00:00:00:00',
      targetIp: '172.21.79.100',
      flags: ['request', 'broadcast'],
      error: null,
    });
    // arp-poison: every request in it is unicast (GROUND_TRUTH.md: 4 unicast requests).
    const unicast = lines.filter((l) => (l.flags as string[]).includes('unicast'));
    assert.equal(unicast.length, 4);
  });

  test('--json keeps nanoseconds exact in ts', async () => {
    const path = file('ns.pcap', announcements(2, { resolution: 'ns' }));
    const run = await runCli(['decode', '--json', path]);
    const text = run.stdout.split('\n')[1]!;
    assert.match(text, /"ts":1700000000\.001000007,/);
  });

  test('--count: totals agree with the ground truth of the public captures', async () => {
    const run = await runCli(['decode', '--count', capturePath('arp-bootup.pcapng')]);
    assert.equal(run.status, 0);
    assert.deepEqual(JSON.parse(run.stdout), {
      frames: 23,
      arp: 5,
      rarp: 0,
      ndp: 0,
      requests: 4,
      replies: 1,
      gratuitous: 3,
      probes: 0,
      announcements: 3,
      other: 18,
      malformed: 0,
    });
    const storm = JSON.parse(
      (await runCli(['decode', '--count', capturePath('arp-storm.pcap')])).stdout,
    );
    assert.equal(storm.frames, 622);
    assert.equal(storm.requests, 622);
  });

  test('several files and - for standard input add up', async () => {
    const path = file('big-endian.pcap', announcements(3, { byteOrder: 'big' }));
    const run = await runCli(['decode', '--count', path, '-'], { stdin: announcements(4) });
    assert.equal(run.status, 0);
    const totals = JSON.parse(run.stdout);
    assert.equal(totals.frames, 7);
    assert.equal(totals.announcements, 7);
    const text = await runCli(['decode', path, '-'], { stdin: announcements(1) });
    assert.equal(text.stdout.split('\n').filter((l) => l.startsWith('# ')).length, 2);
  });

  test('a truncated capture prints every whole frame, then says where it stopped (exit 1)', async () => {
    const whole = announcements(5);
    // 24-byte header, then 16 + 60 bytes a record: cut in the middle of the fourth record.
    const cut = 24 + 3 * 76 + 30;
    const path = file('cut.pcap', whole.subarray(0, cut));
    const run = await runCli(['decode', path]);
    assert.equal(run.status, 1);
    assert.equal(run.stdout.trim().split('\n').length, 3);
    assert.match(
      run.stderr,
      new RegExp(`^arpkit: ${path}: .*truncated.*${24 + 3 * 76}.*\\(after 3 whole frames\\)\\n$`),
    );
    const count = await runCli(['decode', '--count', path]);
    assert.equal(count.status, 1);
    assert.equal(JSON.parse(count.stdout).frames, 3);
  });

  test('a missing, unreadable or non-capture file is a one-line error; the other files still count', async () => {
    const text = file('notes.txt', 'not a capture at all\n');
    const good = file('good.pcap', announcements(2));
    const run = await runCli(['decode', '--count', join(dir, 'missing.pcap'), text, dir, good]);
    assert.equal(run.status, 1);
    const errors = run.stderr.trim().split('\n');
    assert.equal(errors.length, 3);
    assert.match(errors[0]!, /missing\.pcap: cannot open: no such file \(ENOENT\)$/);
    assert.match(errors[1]!, /notes\.txt: .*not a pcap or pcapng file/);
    assert.match(errors[2]!, /is a directory/);
    assert.equal(JSON.parse(run.stdout).frames, 2);
  });

  test('usage errors exit 2 and name what is wrong', async () => {
    const none = await runCli(['decode']);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /^arpkit: missing required argument 'file'/);
    const unknown = await runCli(['decode', '--bogus', 'x.pcap']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown option '--bogus'/);
    const command = await runCli(['decoed']);
    assert.equal(command.status, 2);
    assert.match(command.stderr, /unknown command 'decoed'/);
  });

  test('--help describes the command and exits 0', async () => {
    const run = await runCli(['decode', '--help']);
    assert.equal(run.status, 0);
    assert.match(run.stdout, /Usage: arpkit decode \[options\] <file\.\.\.>/);
    assert.match(run.stdout, /--count/);
    assert.match(run.stdout, /Exit status/);
  });

  test('the bundled example capture decodes', async () => {
    const example = fileURLToPath(new URL('../../../examples/failover.pcapng', import.meta.url));
    const run = await runCli(['decode', '--count', example]);
    assert.equal(run.status, 0);
    assert.ok(JSON.parse(run.stdout).arp > 0);
    assert.ok(readFileSync(example).length > 0);
  });
});

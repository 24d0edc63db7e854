import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { memoryLinkPair } from '../link/memory-link.js';
import { bytesSource } from '../pcap/byte-source.js';
import { openCapture } from '../pcap/capture.js';
import { type CliWorld, runCli } from '../testing/cli.js';
import { VirtualClock } from '../time/virtual-clock.js';
import { ArpOp, parseArp } from '../wire/arp.js';
import { arpFrame } from '../wire/compose.js';
import { decodeFrame } from '../wire/frame.js';
import { IPV4_ANY, parseIpv4 } from '../wire/ipv4.js';
import { parseMac } from '../wire/mac.js';

process.env.TZ = 'UTC';
const MAC = parseMac('02:00:00:00:0e:01');

/** A world with one interface, eth0, joined to a peer link the test listens on. */
function world() {
  const clock = new VirtualClock(1_700_000_000_000);
  const [ours, peer] = memoryLinkPair(clock);
  const heard: Uint8Array[] = [];
  peer.receive((frame) => heard.push(frame.bytes));
  const cli: CliWorld = { clock, interfaces: { eth0: { mac: MAC, link: ours } } };
  return { clock, ours, peer, heard, cli };
}

/** `arpkit send --iface eth0 ARGS` in `w`. */
function send(w: ReturnType<typeof world>, args: string[]) {
  return run(['send', '--iface', 'eth0', ...args], w);
}

/** Runs arpkit in `w`, moving its virtual clock on until the command is done. */
async function run(argv: string[], w: ReturnType<typeof world>) {
  const result = runCli(argv, w.cli);
  await w.clock.advance(60_000);
  return result;
}

describe('arpkit send', () => {
  // main() loads a command's module on first use, which takes real I/O: load it before the
  // tests move their virtual clocks, or a command would start sleeping after the clock moved.
  before(() => import('./send.js'));

  test('announce three times, 1.1 s apart, from the interface MAC', async () => {
    const w = world();
    const result = await send(w, [
      '--kind',
      'announce',
      '--ip',
      '192.0.2.10',
      '--count',
      '3',
      '--interval',
      '1.1s',
    ]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(w.heard.length, 3);
    assert.equal(
      result.stdout,
      [0, 1.1, 2.2]
        .map(
          (s, i) =>
            `${i + 1} 22:13:${(20 + s).toFixed(6).padStart(9, '0')} 02:00:00:00:0e:01 > ff:ff:ff:ff:ff:ff ARP Request who-has 192.0.2.10 tell 192.0.2.10 [gratuitous, announcement]\n`,
        )
        .join(''),
    );
  });

  test('--json: one object per frame with time, iface, kind and the addresses', async () => {
    const w = world();
    const result = await send(w, [
      '--kind',
      'reply',
      '--ip',
      '192.0.2.10',
      '--vlan',
      '100:3',
      '--json',
    ]);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), {
      time: 1_700_000_000,
      iface: 'eth0',
      kind: 'reply',
      ethSrc: '02:00:00:00:0e:01',
      ethDst: 'ff:ff:ff:ff:ff:ff',
      vlan: [100],
      proto: 'arp',
      op: 'reply',
      senderMac: '02:00:00:00:0e:01',
      senderIp: '192.0.2.10',
      targetMac: '02:00:00:00:0e:01',
      targetIp: '192.0.2.10',
    });
    const frame = decodeFrame(w.heard[0]!, 'ethernet');
    assert.deepEqual(
      frame.vlans.map((t) => [t.vid, t.pcp]),
      [[100, 3]],
    );
  });

  test('--mac and overrides: a guest MAC learned from the bridge, sent as the source', async () => {
    const w = world();
    const result = await send(w, ['--kind', 'learn', '--mac', '525400aabb01']);
    assert.equal(result.status, 0, result.stderr);
    const frame = decodeFrame(w.heard[0]!, 'ethernet');
    assert.equal(frame.source, parseMac('52:54:00:aa:bb:01'));
    assert.match(
      result.stdout,
      /ARP Request who-has 0\.0\.0\.0 \(ff:ff:ff:ff:ff:ff\) tell 0\.0\.0\.0 \[gratuitous, learn\]/,
    );
  });

  test('--dry-run sends nothing; --pcap writes the frames to a file instead', async () => {
    const w = world();
    const dry = await send(w, [
      '--kind',
      'rarp',
      '--dry-run',
      '--count',
      '2',
      '--interval',
      '10ms',
    ]);
    assert.equal(dry.status, 0, dry.stderr);
    assert.equal(dry.stdout.split('\n').length, 3);
    assert.equal(w.heard.length, 0);
    const dir = mkdtempSync(join(tmpdir(), 'arpkit-send-'));
    try {
      const path = join(dir, 'out.pcap');
      const result = await send(w, ['--kind', 'na', '--ip', '2001:db8::1', '--pcap', path]);
      assert.equal(result.status, 0, result.stderr);
      assert.equal(w.heard.length, 0);
      const reader = openCapture(bytesSource(readFileSync(path)));
      const record = reader.nextShared();
      assert.ok(record !== null);
      assert.equal(decodeFrame(record.data, 'ethernet').proto, 'ndp');
      assert.equal(reader.nextShared(), null);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('probe: an owner that answers makes exit 1 and is named; a free address exits 0', async () => {
    const owner = parseMac('02:00:00:00:0e:02');
    const taken = parseIpv4('192.0.2.20');
    const w = world();
    w.peer.receive((frame) => {
      const decoded = decodeFrame(frame.bytes, 'ethernet');
      if (decoded.proto !== 'arp' || parseArp(decoded.arp).targetIp !== taken) return;
      w.peer.send(
        arpFrame(
          { destination: MAC, source: owner, vlans: [] },
          {
            op: ArpOp.REPLY,
            senderMac: owner,
            senderIp: taken,
            targetMac: MAC,
            targetIp: IPV4_ANY,
          },
        ),
      );
    });
    const used = await send(w, ['--kind', 'probe', '--ip', '192.0.2.20']);
    assert.equal(used.status, 1);
    assert.match(used.stdout, /192\.0\.2\.20: in use by 02:00:00:00:0e:02\n$/);
    const free = await send(world(), ['--kind', 'probe', '--ip', '192.0.2.21', '--json']);
    assert.equal(free.status, 0, free.stderr);
    assert.deepEqual(JSON.parse(free.stdout.trim().split('\n').at(-1)!), {
      probe: '192.0.2.21',
      inUse: false,
      by: null,
    });
    assert.equal(free.stdout.trim().split('\n').length, 4);
  });

  test('usage errors exit 2 and name the option and the input', async () => {
    const cases: [string[], RegExp][] = [
      [['--kind', 'shout'], /option '--kind <kind>' argument 'shout' is invalid/],
      [['--kind', 'announce'], /^arpkit: --ip: --kind announce needs the IPv4 address/],
      [
        ['--kind', 'announce', '--ip', '192.0.2.300'],
        /^arpkit: --ip: "192\.0\.2\.300" is not an IPv4 address/,
      ],
      [
        ['--kind', 'na', '--ip', '192.0.2.1'],
        /^arpkit: --ip: "192\.0\.2\.1" is not an IPv6 address/,
      ],
      [['--kind', 'learn', '--ip', '192.0.2.1'], /^arpkit: --ip: --kind learn binds no address/],
      [['--kind', 'learn', '--mac', 'zz'], /^arpkit: --mac: "zz" is not a MAC address/],
      [['--kind', 'learn', '--interval', 'abc'], /^arpkit: --interval: "abc" is not a duration/],
      [['--kind', 'learn', '--count', '0'], /^arpkit: --count: "0" is not a whole number/],
      [['--kind', 'learn', '--vlan', '4096'], /^arpkit: --vlan: "4096" is not VID\[:PCP\]/],
      [['--kind', 'learn', '--router'], /^arpkit: --router: only --kind na/],
      [
        ['--kind', 'na', '--ip', '2001:db8::1', '--target-mac', '02:00:00:00:00:01'],
        /^arpkit: --target-mac: --kind na carries/,
      ],
      [
        ['--kind', 'probe', '--ip', '192.0.2.1', '--dry-run'],
        /^arpkit: --dry-run: --kind probe listens/,
      ],
      [
        ['--kind', 'probe', '--ip', '192.0.2.1', '--pcap', '/tmp/x.pcap'],
        /^arpkit: --pcap: --kind probe listens/,
      ],
    ];
    for (const [args, message] of cases) {
      const w = world();
      const result = await send(w, [...args]);
      assert.equal(result.status, 2, args.join(' '));
      assert.match(result.stderr, message, args.join(' '));
      assert.equal(w.heard.length, 0);
    }
  });

  test('an unknown interface is a runtime error listing the interfaces there are', async () => {
    const w = world();
    const usage = await run(['send', '--iface', 'eth9', '--kind', 'announce'], w);
    assert.equal(usage.status, 2, 'a usage error is one, whatever the interface');
    const result = await run(['send', '--iface', 'eth9', '--kind', 'learn'], w);
    assert.equal(result.status, 1);
    assert.equal(result.stderr, 'arpkit: no interface "eth9"; interfaces here: eth0\n');
  });
});

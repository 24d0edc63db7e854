import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type SendSpec, sendFrame } from '../announce/send-frame.js';
import { bytesSource } from '../pcap/byte-source.js';
import { openCapture } from '../pcap/capture.js';
import { labTest } from '../testing/lab-test.js';
import type { Lab, Netns } from '../testing/netns.js';
import { startReceiver, toHex } from '../testing/link-lab.js';
import { peerToolGate } from '../testing/peer-tools.js';
import { parseIpv4 } from '../wire/ipv4.js';
import { parseIpv6 } from '../wire/ipv6.js';
import { parseMac } from '../wire/mac.js';

const BIN = fileURLToPath(new URL('../../../bin/arpkit', import.meta.url));
const LAB_MS = 60_000;
const tools = peerToolGate(['tcpdump', 'bridge', 'setpriv', 'ping', 'sysctl'], LAB_MS + 15_000);

const HOST_MAC = '02:00:00:88:00:01';
const PEER_MAC = '02:00:00:88:00:02';
const NEW_MAC = '52:54:00:88:00:99';

/** A host and a peer joined by a veth pair (host eth0 10.88.0.1 / 2001:db8:88::1, peer .2 / ::2). */
async function pair(lab: Lab): Promise<{ host: Netns; peer: Netns }> {
  const host = await lab.addNamespace('host');
  const peer = await lab.addNamespace('peer');
  // No duplicate address detection: its solicitations would arrive among the frames under test.
  for (const ns of [host, peer])
    await ns.run('sysctl', ['-qw', 'net.ipv6.conf.default.accept_dad=0']);
  await lab.vethPair(host, 'eth0', peer, 'eth0', { aMac: HOST_MAC, bMac: PEER_MAC });
  for (const [ns, last] of [
    [host, 1],
    [peer, 2],
  ] as const) {
    await ns.addr('eth0', `10.88.0.${last}/24`);
    await ns.run('ip', ['-6', 'addr', 'add', `2001:db8:88::${last}/64`, 'dev', 'eth0', 'nodad']);
  }
  return { host, peer };
}

/** `arpkit ARGS` inside `ns`, as root there. */
function arpkit(ns: Netns, args: readonly string[]) {
  return ns.exec(process.execPath, [BIN, ...args], 20_000);
}

/** `arpkit ARGS` inside `ns` as root without CAP_NET_RAW (out of the bounding set): unprivileged. */
function arpkitWithoutNetRaw(ns: Netns, args: readonly string[]) {
  return ns.exec('setpriv', ['--bounding-set=-net_raw', process.execPath, BIN, ...args], 20_000);
}

/** Captures on `ns`'s eth0 while `act` runs, and returns the frames tcpdump wrote, read by arpkit. */
async function captured(ns: Netns, act: () => Promise<unknown>): Promise<Uint8Array[]> {
  const dir = mkdtempSync(join(tmpdir(), 'arpkit-capture-'));
  try {
    const file = join(dir, 'capture.pcap');
    const filter = 'not ip and not ip6 or icmp6';
    const capture = ns.spawn('tcpdump', [
      '-n',
      '-U',
      '--immediate-mode',
      '-i',
      'eth0',
      '-w',
      file,
      filter,
    ]);
    await capture.waitFor(/listening on eth0/, 10_000);
    await act();
    await new Promise((resolve) => setTimeout(resolve, 200));
    capture.child.kill('SIGINT');
    await new Promise((resolve, reject) => {
      if (capture.child.exitCode !== null || capture.child.signalCode !== null)
        return resolve(null);
      const timer = setTimeout(() => reject(new Error('tcpdump did not stop')), 10_000);
      capture.child.once('close', () => resolve(clearTimeout(timer)));
    });
    const reader = openCapture(bytesSource(readFileSync(file)));
    const frames: Uint8Array[] = [];
    for (let r = reader.nextShared(); r !== null; r = reader.nextShared()) {
      frames.push(r.data.slice());
    }
    return frames;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('arpkit send on a real veth (network namespaces)', () => {
  labTest(
    'every kind arrives on the peer byte for byte as built (tcpdump and arpkit’s own link)',
    tools,
    LAB_MS,
    async (lab) => {
      const { host, peer } = await pair(lab);
      const mac = parseMac(HOST_MAC);
      const cases: [string[], SendSpec][] = [
        [['--kind', 'learn', '--mac', NEW_MAC], { kind: 'learn', mac: parseMac(NEW_MAC) }],
        [
          ['--kind', 'announce', '--ip', '10.88.0.1'],
          { kind: 'announce', mac, ip: parseIpv4('10.88.0.1') },
        ],
        [
          ['--kind', 'request', '--ip', '10.88.0.1'],
          { kind: 'request', mac, ip: parseIpv4('10.88.0.1') },
        ],
        [
          ['--kind', 'reply', '--ip', '10.88.0.1'],
          { kind: 'reply', mac, ip: parseIpv4('10.88.0.1') },
        ],
        [['--kind', 'rarp', '--mac', NEW_MAC], { kind: 'rarp', mac: parseMac(NEW_MAC) }],
        [
          ['--kind', 'na', '--ip', '2001:db8:88::1', '--router'],
          { kind: 'na', mac, ip: parseIpv6('2001:db8:88::1'), router: true },
        ],
        [
          ['--kind', 'announce', '--ip', '10.88.0.1', '--vlan', '100:5'],
          {
            kind: 'announce',
            mac,
            ip: parseIpv4('10.88.0.1'),
            vlans: [{ tpid: 0x8100, pcp: 5, dei: false, vid: 100 }],
          },
        ],
        [
          ['--kind', 'request', '--ip', '10.88.0.1', '--vlan', '200', '--vlan', '100'],
          {
            kind: 'request',
            mac,
            ip: parseIpv4('10.88.0.1'),
            vlans: [
              { tpid: 0x88a8, pcp: 0, dei: false, vid: 200 },
              { tpid: 0x8100, pcp: 0, dei: false, vid: 100 },
            ],
          },
        ],
      ];
      for (const [args, spec] of cases) {
        const receiver = await startReceiver(peer, {
          iface: 'eth0',
          count: 1,
          timeoutMs: 5_000,
        });
        const frames = await captured(peer, async () => {
          const run = await arpkit(host, ['send', '--iface', 'eth0', ...args]);
          assert.equal(run.code, 0, `${args.join(' ')}: ${run.stderr}`);
        });
        const expected = sendFrame(spec);
        assert.ok(
          frames.some((frame) => Buffer.compare(frame, expected) === 0),
          `${args.join(' ')}: tcpdump did not see it as built`,
        );
        const own = (await receiver.done()).filter((line) => 'hex' in line).map((line) => line.hex);
        assert.deepEqual(own, [toHex(expected)], `${args.join(' ')}: arpkit's link`);
      }
    },
  );

  labTest(
    'a tagged frame leaves tagged: tcpdump -e sees the VID and PCP',
    tools,
    LAB_MS,
    async (lab) => {
      const { host, peer } = await pair(lab);
      const capture = peer.spawn('tcpdump', ['-n', '-l', '-e', '-i', 'eth0', 'vlan']);
      await capture.waitFor(/listening on eth0/, 10_000);
      const run = await arpkit(host, [
        'send',
        '--iface',
        'eth0',
        '--kind',
        'request',
        '--ip',
        '10.88.0.1',
        '--vlan',
        '100:5',
      ]);
      assert.equal(run.code, 0, run.stderr);
      const line = await capture.waitFor(/vlan 100, p 5, ethertype ARP/, 10_000);
      assert.match(line, /Request who-has 10\.88\.0\.1 \(ff:ff:ff:ff:ff:ff\) tell 10\.88\.0\.1/);
    },
  );

  labTest(
    'a bridge learns the MAC on the sending port, and moves it when sent from another',
    tools,
    LAB_MS,
    async (lab) => {
      const host = await lab.addNamespace('host');
      const sw = await lab.addNamespace('switch');
      await lab.vethPair(host, 'up0', sw, 'p0');
      await lab.vethPair(host, 'up1', sw, 'p1');
      await lab.bridge(sw, 'br0', ['p0', 'p1']);
      const portOf = async () => {
        const fdb = await sw.run('bridge', ['fdb', 'show', 'br', 'br0']);
        const line = fdb.split('\n').find((l) => l.startsWith(NEW_MAC) && !l.includes('permanent'));
        return line?.match(/ dev (\S+) /)?.[1];
      };
      assert.equal(await portOf(), undefined);
      for (const [uplink, port] of [
        ['up0', 'p0'],
        ['up1', 'p1'],
      ] as const) {
        const run = await arpkit(host, [
          'send',
          '--iface',
          uplink,
          '--kind',
          'learn',
          '--mac',
          NEW_MAC,
        ]);
        assert.equal(run.code, 0, run.stderr);
        assert.equal(await portOf(), port, `after sending on ${uplink}`);
      }
    },
  );

  labTest(
    'a peer’s neighbour tables take the new MAC after announce, reply and na',
    tools,
    LAB_MS,
    async (lab) => {
      const { host, peer } = await pair(lab);
      // Default sysctls, as a real peer has them: arp_accept 0 (existing entries are updated,
      // none created) and locktime 1 s (an update within 1 s of the last is ignored), so each
      // IPv4 step comes 1.1 s after the one before, as failover tools space their repeats.
      await peer.run('ping', ['-c', '1', '-W', '1', '10.88.0.1']);
      await peer.run('ping', ['-6', '-c', '1', '-W', '1', '2001:db8:88::1']);
      const lladdr = async (family: '-4' | '-6', ip: string) =>
        (await peer.run('ip', [family, 'neigh', 'show', ip, 'dev', 'eth0'])).match(
          /lladdr (\S+)/,
        )?.[1];
      assert.equal(await lladdr('-4', '10.88.0.1'), HOST_MAC);
      assert.equal(await lladdr('-6', '2001:db8:88::1'), HOST_MAC);
      const steps: [string[], '-4' | '-6', string, string][] = [
        [['--kind', 'announce', '--ip', '10.88.0.1', '--mac', NEW_MAC], '-4', '10.88.0.1', NEW_MAC],
        [['--kind', 'reply', '--ip', '10.88.0.1', '--mac', HOST_MAC], '-4', '10.88.0.1', HOST_MAC],
        [['--kind', 'request', '--ip', '10.88.0.1', '--mac', NEW_MAC], '-4', '10.88.0.1', NEW_MAC],
        [
          ['--kind', 'na', '--ip', '2001:db8:88::1', '--mac', NEW_MAC],
          '-6',
          '2001:db8:88::1',
          NEW_MAC,
        ],
      ];
      for (const [args, family, ip, mac] of steps) {
        const run = await arpkit(host, ['send', '--iface', 'eth0', ...args]);
        assert.equal(run.code, 0, run.stderr);
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.equal(await lladdr(family, ip), mac, args.join(' '));
      }
    },
  );

  labTest(
    'probe: the owner of an address answers and is named (exit 1); a free one exits 0',
    tools,
    LAB_MS,
    async (lab) => {
      const { host } = await pair(lab);
      const fast = ['--interval', '200ms', '--wait', '500ms'];
      const taken = await arpkit(host, [
        'send',
        '--iface',
        'eth0',
        '--kind',
        'probe',
        '--ip',
        '10.88.0.2',
        ...fast,
      ]);
      assert.equal(taken.code, 1, taken.stderr);
      assert.match(taken.stdout, new RegExp(`10\\.88\\.0\\.2: in use by ${PEER_MAC}\\n$`));
      const free = await arpkit(host, [
        'send',
        '--iface',
        'eth0',
        '--kind',
        'probe',
        '--ip',
        '10.88.0.77',
        ...fast,
      ]);
      assert.equal(free.code, 0, free.stderr);
      assert.match(free.stdout, /10\.88\.0\.77: no reply, the address is free\n$/);
    },
  );

  labTest(
    'send-arp: both historical syntaxes put their frames on the wire',
    tools,
    LAB_MS,
    async (lab) => {
      const { host, peer } = await pair(lab);
      const fake = await captured(peer, () =>
        arpkit(host, ['send-arp', '0.0.0.0', NEW_MAC, '0.0.0.0', 'ff:ff:ff:ff:ff:ff', 'eth0']),
      );
      assert.ok(
        fake.some(
          (f) => Buffer.compare(f, sendFrame({ kind: 'learn', mac: parseMac(NEW_MAC) })) === 0,
        ),
      );
      const ra = await captured(peer, () =>
        arpkit(host, [
          'send-arp',
          '-i',
          '100',
          '-r',
          '2',
          'eth0',
          '10.88.0.1',
          'auto',
          '10.88.0.255',
          '255.255.255.0',
        ]),
      );
      const ip = parseIpv4('10.88.0.1');
      const mac = parseMac(HOST_MAC);
      const request = sendFrame({ kind: 'announce', mac, ip });
      const reply = sendFrame({ kind: 'reply', mac, ip });
      const ours = ra.filter(
        (f) => Buffer.compare(f, request) === 0 || Buffer.compare(f, reply) === 0,
      );
      assert.deepEqual(
        ours.map((f) => (Buffer.compare(f, request) === 0 ? 'request' : 'reply')),
        ['request', 'reply', 'request', 'reply'],
      );
    },
  );

  labTest(
    'errors a person can act on: no privilege, no such interface, interface down',
    tools,
    LAB_MS,
    async (lab) => {
      const { host } = await pair(lab);
      const learn = ['--kind', 'learn', '--mac', NEW_MAC];
      const unprivileged = await arpkitWithoutNetRaw(host, ['send', '--iface', 'eth0', ...learn]);
      assert.equal(unprivileged.code, 1);
      assert.match(
        unprivileged.stderr,
        /^arpkit: eth0: raw sockets need CAP_NET_RAW: run as root, or .*setcap .*AmbientCapabilities=CAP_NET_RAW/,
      );
      const missing = await arpkit(host, ['send', '--iface', 'eth9', ...learn]);
      assert.equal(missing.code, 1);
      assert.equal(missing.stderr, 'arpkit: no interface "eth9"; interfaces here: lo, eth0\n');
      await host.run('ip', ['link', 'set', 'eth0', 'down']);
      const down = await arpkit(host, ['send', '--iface', 'eth0', ...learn]);
      assert.equal(down.code, 1);
      assert.equal(down.stderr, 'arpkit: eth0: interface is down (ip link set eth0 up)\n');
      const dry = await arpkitWithoutNetRaw(host, [
        'send',
        '--iface',
        'eth0',
        '--kind',
        'rarp',
        '--dry-run',
      ]);
      assert.equal(dry.code, 0, dry.stderr);
      assert.match(dry.stdout, new RegExp(`RARP Request who-is ${HOST_MAC} tell ${HOST_MAC}`));
    },
  );
});

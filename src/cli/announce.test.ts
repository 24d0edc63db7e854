import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { arbIpv4, arbMac } from '../testing/arbitraries.js';
import { runCli } from '../testing/cli.js';
import { hypervisor, SnapshotBuilder, smallHost } from '../testing/snapshots.js';
import { formatIpv4, type Ipv4 } from '../wire/ipv4.js';
import { formatMac, isUnicastMac, type Mac } from '../wire/mac.js';

/** `arpkit announce ARGS` on `smallHost().build()`; nothing here sleeps, so the real clock does. */
function announce(args: readonly string[], host = smallHost().build()) {
  return runCli(['announce', ...args], { host });
}

/** The frames of one round of `--iface br0 --guests br0` on the small host, as the plan prints. */
const ROUND = [
  'eth0 request 52:54:00:00:00:10 > ff:ff:ff:ff:ff:ff 192.0.2.10 (iface)',
  'eth0 reply 52:54:00:00:00:10 > ff:ff:ff:ff:ff:ff 192.0.2.10 (iface)',
  'eth0 na 52:54:00:00:00:10 > 33:33:00:00:00:01 2001:db8::10 (iface)',
  'eth0 rarp 52:54:00:aa:00:01 > ff:ff:ff:ff:ff:ff (guest)',
  'eth0 rarp 52:54:00:aa:00:02 > ff:ff:ff:ff:ff:ff (guest)',
];

/** The JSON lines of stdout, parsed. */
function jsonLines(stdout: string): Record<string, unknown>[] {
  assert.ok(stdout.endsWith('\n'), 'output ends with a newline');
  return stdout
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('arpkit announce --dry-run', () => {
  test('text: one line per frame and round at 0, 1.1 s and 5 s, then the plan summary', async () => {
    const result = await announce(['--iface', 'br0', '--guests', 'br0', '--dry-run']);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, '');
    const rounds = ['round 1 +0s', 'round 2 +1.1s', 'round 3 +5s'];
    assert.equal(
      result.stdout,
      [
        ...rounds.flatMap((round) => ROUND.map((frame) => `${round} ${frame}`)),
        'planned 5 frames a round (eth0 5), 3 rounds at 0s, 1.1s, 5s: 15 frames; nothing sent (--dry-run)',
        '',
      ].join('\n'),
    );
  });

  test('--mac-frame learn, --rounds and --spacing change the guest frames and the times', async () => {
    const args = ['--guests', 'br0', '--mac-frame', 'learn', '--rounds', '2', '--spacing', '2.5s'];
    const result = await announce([...args, '--dry-run']);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(
      result.stdout,
      [
        'round 1 +0s eth0 learn 52:54:00:aa:00:01 > ff:ff:ff:ff:ff:ff (guest)',
        'round 1 +0s eth0 learn 52:54:00:aa:00:02 > ff:ff:ff:ff:ff:ff (guest)',
        'round 2 +2.5s eth0 learn 52:54:00:aa:00:01 > ff:ff:ff:ff:ff:ff (guest)',
        'round 2 +2.5s eth0 learn 52:54:00:aa:00:02 > ff:ff:ff:ff:ff:ff (guest)',
        'planned 2 frames a round (eth0 2), 2 rounds at 0s, 2.5s: 4 frames; nothing sent (--dry-run)',
        '',
      ].join('\n'),
    );
  });

  test('--json: one object per frame and round with stable fields, then the summary', async () => {
    const result = await announce(['--iface', 'br0', '--guests', 'br0', '--dry-run', '--json']);
    assert.equal(result.status, 0, result.stderr);
    const lines = jsonLines(result.stdout);
    const host = { iface: 'eth0', ethSrc: '52:54:00:00:00:10', vlan: [] };
    const bridge = { ...host, mac: '52:54:00:00:00:10', source: 'iface' };
    const broadcast = 'ff:ff:ff:ff:ff:ff';
    const guest = (mac: string) => ({
      ...host,
      kind: 'rarp',
      ethSrc: mac,
      ethDst: broadcast,
      mac,
      ip: null,
      source: 'guest',
    });
    const frames = [
      { ...bridge, kind: 'request', ethDst: broadcast, ip: '192.0.2.10' },
      { ...bridge, kind: 'reply', ethDst: broadcast, ip: '192.0.2.10' },
      { ...bridge, kind: 'na', ethDst: '33:33:00:00:00:01', ip: '2001:db8::10' },
      guest('52:54:00:aa:00:01'),
      guest('52:54:00:aa:00:02'),
    ];
    const offsets = [0, 1100, 5000];
    assert.deepEqual(lines, [
      ...offsets.flatMap((offsetMs, i) =>
        frames.map((frame) => ({ round: i + 1, offsetMs, ...frame })),
      ),
      {
        summary: {
          dryRun: true,
          frames: 15,
          framesPerRound: 5,
          offsetsMs: offsets,
          links: [{ iface: 'eth0', framesPerRound: 5 }],
          skipped: [],
        },
      },
    ]);
    // The field order is part of the format: a consumer reading lines with jq sees it.
    assert.deepEqual(Object.keys(lines[0]!), [
      'round',
      'offsetMs',
      'iface',
      'kind',
      'ethSrc',
      'ethDst',
      'vlan',
      'mac',
      'ip',
      'source',
    ]);
  });

  test('a dry run opens no interface: none are needed', async () => {
    // runCli's opener knows no interface at all; a dry run that opened one would exit 1.
    const result = await runCli(['announce', '--all', '--dry-run'], { host: smallHost().build() });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /nothing sent \(--dry-run\)\n$/);
  });
});

describe('arpkit announce: what is left out', () => {
  test('skip notes go to stderr, one line each, and into the --json summary', async () => {
    const args = ['--all', '--guests', '--rounds', '1', '--dry-run'];
    const notes = [
      '--guests: docker0 has no uplink: its guests are not announced (name one with --uplink)',
      '--all: eth3 not announced on eth3: it has no carrier',
      '--guests br1: 52:54:00:bb:00:30 not announced on eth2: it does not carry vlan 30',
    ];
    const text = await announce(args, hypervisor().build());
    assert.equal(text.status, 0, text.stderr);
    assert.equal(text.stderr, notes.map((note) => `arpkit: skipped: ${note}\n`).join(''));
    assert.match(
      text.stdout,
      /\nplanned 23 frames a round \(bond0 13, eth2 5, dummy0 2, docker0 3\), 1 round at 0s: 23 frames; nothing sent \(--dry-run\)\n$/,
    );
    const json = await announce([...args, '--json'], hypervisor().build());
    const summary = jsonLines(json.stdout).at(-1)!.summary as { skipped: unknown };
    assert.deepEqual(summary.skipped, notes);
  });
});

describe('arpkit announce: usage errors', () => {
  const cases: [string, string[], string][] = [
    ['no selector', [], 'choose what to announce: --iface, --all, --guests or --ip'],
    [
      '--schedule with --rounds',
      ['--all', '--schedule', '0,1s', '--rounds', '2'],
      '--schedule: give either --schedule or --rounds, not both',
    ],
    [
      '--schedule with --spacing',
      ['--all', '--schedule', '0,1s', '--spacing', '2s'],
      '--schedule: give either --schedule or --spacing, not both',
    ],
    [
      'a falling --schedule',
      ['--all', '--schedule', '1s,0'],
      '--schedule: "1s,0" is not a rising list of times from the start, up to 1h (e.g. 0,1.1s,5s)',
    ],
    [
      'a --schedule entry that is not a duration',
      ['--all', '--schedule', '0,soon'],
      '--schedule: "soon" is not a duration (e.g. 200ms, 1.1s, 2m)',
    ],
    [
      '--rate abc',
      ['--all', '--rate', 'abc'],
      '--rate: "abc" is not a whole number from 0 to 10000000',
    ],
    ['--rounds 0', ['--all', '--rounds', '0'], '--rounds: "0" is not a whole number from 1 to 100'],
    [
      '--ip 999.1.1.1',
      ['--ip', '999.1.1.1'],
      '--ip: "999.1.1.1" is not an IPv4 address (e.g. 192.0.2.1)',
    ],
    [
      'an unknown --iface',
      ['--iface', 'eth9'],
      '--iface: no link named "eth9" (links: br0, eth0, vnet0, vnet1)',
    ],
    [
      '--ip not on the host, without --force',
      ['--ip', '192.0.2.99'],
      '--ip: 192.0.2.99 is not configured on this host: announcing it would take the address from its owner; --force does it anyway',
    ],
    [
      '--guests naming a port, not a bridge',
      ['--guests', 'eth0'],
      '--guests: eth0 is not a bridge (bridges: br0)',
    ],
    [
      '--mac-frame bogus',
      ['--all', '--mac-frame', 'bogus'],
      "option '--mac-frame <kind>' argument 'bogus' is invalid. Allowed choices are rarp, learn.",
    ],
  ];
  for (const [name, args, message] of cases) {
    test(`${name}: exit 2, one line on stderr, nothing on stdout`, async () => {
      for (const mode of [[], ['--dry-run']]) {
        const result = await announce([...args, ...mode]);
        assert.equal(result.status, 2, `${args.join(' ')} ${mode.join(' ')}`);
        assert.equal(result.stderr, `arpkit: ${message}\n`);
        assert.equal(result.stdout, '');
      }
    });
  }

  test('--force takes an address this host does not have, on the one --iface', async () => {
    const args = ['--ip', '192.0.2.99', '--force', '--iface', 'eth0', '--rounds', '1'];
    const result = await announce([...args, '--dry-run']);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(
      result.stdout,
      [
        'round 1 +0s eth0 rarp 52:54:00:00:00:10 > ff:ff:ff:ff:ff:ff (iface)',
        'round 1 +0s eth0 request 52:54:00:00:00:10 > ff:ff:ff:ff:ff:ff 192.0.2.99 (ip)',
        'round 1 +0s eth0 reply 52:54:00:00:00:10 > ff:ff:ff:ff:ff:ff 192.0.2.99 (ip)',
        'planned 3 frames a round (eth0 3), 1 round at 0s: 3 frames; nothing sent (--dry-run)',
        '',
      ].join('\n'),
    );
  });
});

describe('arpkit announce: repeated --guests, and --spacing', () => {
  test('--guests --guests BR: the bare one asks for every bridge, as in the other order', async () => {
    const expected = await announce(['--guests', 'br0', '--guests', '--dry-run']);
    assert.equal(expected.status, 0, expected.stderr);
    const result = await announce(['--guests', '--guests', 'br0', '--dry-run']);
    assert.deepEqual(result, expected);
  });

  test('--spacing 0 is refused, as --schedule 0,0 is: rounds must rise', async () => {
    const result = await announce(['--all', '--rounds', '3', '--spacing', '0', '--dry-run']);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^arpkit: --spacing: "0" [^\n]+\n$/);
  });
});

describe('arpkit announce --help', () => {
  test('exits 0 and documents every option, selectors and exit statuses', async () => {
    const result = await announce(['--help']);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, '');
    const options = [
      '--iface <if>',
      '--all',
      '--guests [bridge]',
      '--ip <addr>',
      '--uplink <if>',
      '--mac-frame <kind>',
      '--force',
      '--schedule <list>',
      '--rounds <n>',
      '--spacing <duration>',
      '--rate <pps>',
      '--dry-run',
      '--json',
      '--pcap <file>',
    ];
    const section = /\nOptions:\n([^]*?)\n\n/.exec(result.stdout)?.[1] ?? '';
    const listed = [...section.matchAll(/^ {2}(--[a-z-]+(?: [<[][a-z]+[>\]])?) {2,}\S/gm)];
    assert.deepEqual(
      listed.map((match) => match[1]),
      options,
    );
    assert.match(result.stdout, /^Usage: arpkit announce \[options\]$/m);
    assert.match(result.stdout, /\(choices: "rarp",\s+"learn", default: "rarp"\)/);
    assert.match(result.stdout, /Rounds start at 0, 1\.1s and 5s by default/);
    assert.match(
      result.stdout,
      /^Exit status: 0 when every frame was sent, 1 when any send failed/m,
    );
  });
});

describe('arpkit announce --dry-run: properties', () => {
  /** A bridge over a physical uplink with `ips` on the bridge and `guests` behind 3 taps. */
  function randomHost(ips: readonly Ipv4[], guests: readonly Mac[]) {
    const builder = new SnapshotBuilder()
      .link('br0', 'bridge', { mac: '52:54:00:00:00:10' })
      .link('eth0', 'physical', { mac: '52:54:00:00:00:10', master: 'br0' });
    for (let port = 0; port < 3; port++)
      builder.link(`vnet${port}`, 'tun', { tap: true, master: 'br0' });
    for (const ip of ips) builder.ipv4('br0', `${formatIpv4(ip)}/24`);
    guests.forEach((mac, i) => builder.fdb('br0', `vnet${i % 3}`, formatMac(mac)));
    return builder.build();
  }

  test('lines = rounds × (2 × IPv4 addresses + guests); every source MAC is the host’s', async () => {
    const bridgeMac = 0x5254_0000_0010;
    const guestMac = arbMac().filter((mac) => isUnicastMac(mac) && mac !== bridgeMac);
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(arbIpv4(), { minLength: 1, maxLength: 6 }),
        fc.uniqueArray(guestMac, { maxLength: 20 }),
        fc.integer({ min: 1, max: 4 }),
        async (ips, guests, rounds) => {
          const host = randomHost(ips, guests);
          const args = ['--iface', 'br0', '--guests', 'br0', '--rounds', String(rounds)];
          const result = await announce([...args, '--dry-run', '--json'], host);
          assert.equal(result.status, 0, result.stderr);
          const lines = jsonLines(result.stdout);
          const summary = lines.pop();
          assert.deepEqual(Object.keys(summary!), ['summary']);
          assert.equal(lines.length, rounds * (2 * ips.length + guests.length));
          const macs = new Set([
            ...host.links.flatMap((link) => (link.mac === undefined ? [] : [formatMac(link.mac)])),
            ...host.fdb.map((entry) => formatMac(entry.mac)),
          ]);
          for (const line of lines) assert.ok(macs.has(line.ethSrc as string), `${line.ethSrc}`);
        },
      ),
      { numRuns: 60 },
    );
  });

  test('a bridge without an IPv4 address announces its MAC with one RARP a round', async () => {
    const result = await announce(
      ['--iface', 'br0', '--rounds', '1', '--dry-run'],
      randomHost([], []),
    );
    assert.equal(result.status, 0, result.stderr);
    assert.equal(
      result.stdout,
      'round 1 +0s eth0 rarp 52:54:00:00:00:10 > ff:ff:ff:ff:ff:ff (iface)\n' +
        'planned 1 frame a round (eth0 1), 1 round at 0s: 1 frame; nothing sent (--dry-run)\n',
    );
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Observation } from '../monitor/observation.js';
import { BindingStore } from '../store/binding-store.js';
import { runCli } from '../testing/cli.js';
import { parseIpv4 } from '../wire/ipv4.js';
import { parseMac } from '../wire/mac.js';
import { DB_ENV, parseTime } from './db.js';
import { UsageError } from './errors.js';

// 2023-11-14T22:13:20Z
const T0 = 1_700_000_000_000;
const MAC_A = '02:00:00:00:00:0a';
const MAC_B = '02:00:00:00:00:0b';

let dir: string;
let db: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'arpkit-db-cli-'));
  db = join(dir, 'site.db');
  // 192.0.2.1: MAC_A from T0 to T0+60 s (3 frames), then MAC_B at T0+120 s on VLAN 100.
  const store = BindingStore.open(db);
  const o = new Observation();
  for (const [mac, s, segment, vlans] of [
    [MAC_A, 0, 0, []],
    [MAC_A, 30, 0, []],
    [MAC_A, 60, 0, []],
    [MAC_B, 120.25, 1, [100]],
  ] as const) {
    o.spa = parseIpv4('192.0.2.1');
    o.sha = parseMac(mac);
    o.timeMs = T0 + s * 1000;
    o.segment = segment;
    o.source = 'eth0';
    o.vlans = vlans;
    store.sighting(o);
  }
  store.finding({
    kind: 'changed-mac',
    timeMs: T0 + 120_250,
    source: 'eth0',
    vlans: [100],
    key: '192.0.2.1',
    ip: '192.0.2.1',
    mac: MAC_B,
    frames: [4],
    text: `192.0.2.1 is-at ${MAC_B} was ${MAC_A}`,
    fields: { oldMac: MAC_A },
  });
  store.close();
});
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const LINE_A = `192.0.2.1 is-at ${MAC_A} vlan - iface eth0 first 2023-11-14T22:13:20.000000Z last 2023-11-14T22:14:20.000000Z count 3`;
const LINE_B = `192.0.2.1 is-at ${MAC_B} vlan 100 iface eth0 first 2023-11-14T22:15:20.250000Z last 2023-11-14T22:15:20.250000Z count 1`;

describe('arpkit db who-has', () => {
  test('every binding of the IP, latest first', async () => {
    const run = await runCli(['db', 'who-has', '192.0.2.1', '--db', db]);
    assert.deepEqual(run, { status: 0, stdout: `${LINE_B}\n${LINE_A}\n`, stderr: '' });
  });

  test('--at: the binding over that moment, per VLAN; ISO 8601 or epoch seconds', async () => {
    for (const at of ['2023-11-14T22:13:50Z', '1700000030', '2023-11-14T23:13:50+01:00']) {
      const run = await runCli(['db', 'who-has', '192.0.2.1', '--db', db, '--at', at]);
      assert.deepEqual(run, { status: 0, stdout: `${LINE_A}\n`, stderr: '' }, at);
    }
    const later = await runCli(['db', 'who-has', '192.0.2.1', '--db', db, '--at', '1700000200']);
    assert.equal(later.stdout, `${LINE_B}\n${LINE_A}\n`);
  });

  test('an IP it never saw, or not yet at that moment: nothing, exit 1 (as grep)', async () => {
    assert.deepEqual(await runCli(['db', 'who-has', '192.0.2.99', '--db', db]), {
      status: 1,
      stdout: '',
      stderr: '',
    });
    const before = await runCli(['db', 'who-has', '192.0.2.1', '--db', db, '--at', '1699999999']);
    assert.deepEqual(before, { status: 1, stdout: '', stderr: '' });
  });

  test('--json: one object per binding with stable fields', async () => {
    const run = await runCli(['db', 'who-has', '192.0.2.1', '--db', db, '--json']);
    assert.equal(run.status, 0);
    const [b, a] = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.deepEqual(a, {
      type: 'binding',
      ip: '192.0.2.1',
      mac: MAC_A,
      vlan: [],
      iface: 'eth0',
      first: '2023-11-14T22:13:20.000000Z',
      last: '2023-11-14T22:14:20.000000Z',
      firstTs: 1700000000,
      lastTs: 1700000060,
      count: 3,
    });
    assert.deepEqual([b.vlan, b.firstTs], [[100], 1700000120.25]);
  });

  test('$ARPKIT_DB names the database when --db does not', async () => {
    process.env[DB_ENV] = db;
    try {
      const run = await runCli(['db', 'who-has', '192.0.2.1']);
      assert.equal(run.status, 0);
      assert.equal(run.stdout, `${LINE_B}\n${LINE_A}\n`);
    } finally {
      delete process.env[DB_ENV];
    }
  });

  const usage: [string, string[], string][] = [
    [
      'no --db',
      ['192.0.2.1'],
      'arpkit: --db FILE is required (the bindings database), or set ARPKIT_DB\n',
    ],
    [
      'an IP that is not one',
      ['192.0.2', '--db', 'x.db'],
      'arpkit: IP: "192.0.2" is not an IPv4 address (e.g. 192.0.2.1)\n',
    ],
    [
      'a TIME that is not one',
      ['192.0.2.1', '--db', 'x.db', '--at', 'yesterday'],
      'arpkit: --at: "yesterday" is not a time (ISO 8601 such as 2024-05-01T12:00:00Z, or epoch seconds such as 1714564800)\n',
    ],
  ];
  for (const [what, args, stderr] of usage) {
    test(`usage error, exit 2: ${what}`, async () => {
      assert.deepEqual(await runCli(['db', 'who-has', ...args]), { status: 2, stdout: '', stderr });
    });
  }

  test('a database that is missing or is not one: one line naming it, exit 1', async () => {
    const missing = join(dir, 'missing.db');
    assert.deepEqual(await runCli(['db', 'who-has', '192.0.2.1', '--db', missing]), {
      status: 1,
      stdout: '',
      stderr: `arpkit: ${missing}: cannot open: no such file (ENOENT)\n`,
    });
    const text = file('notes.txt', 'not a database\n');
    assert.deepEqual(await runCli(['db', 'who-has', '192.0.2.1', '--db', text]), {
      status: 1,
      stdout: '',
      stderr: `arpkit: ${text}: not an arpkit database (not an SQLite file at all)\n`,
    });
  });
});

describe('arpkit db history', () => {
  const FINDING = `2023-11-14T22:15:20.250000Z changed-mac 192.0.2.1 is-at ${MAC_B} was ${MAC_A} vlan 100 iface eth0 frames 4`;

  test('an IP: its bindings and findings, oldest first', async () => {
    const run = await runCli(['db', 'history', '192.0.2.1', '--db', db]);
    assert.deepEqual(run, {
      status: 0,
      stdout: [
        `2023-11-14T22:13:20.000000Z ${LINE_A}`,
        `2023-11-14T22:15:20.250000Z ${LINE_B}`,
        FINDING,
        '',
      ].join('\n'),
      stderr: '',
    });
  });

  test('a MAC, in any usual spelling', async () => {
    for (const mac of [MAC_B, '2:0:0:0:0:b', '0200.0000.000B']) {
      const run = await runCli(['db', 'history', mac, '--db', db]);
      assert.equal(run.stdout, `2023-11-14T22:15:20.250000Z ${LINE_B}\n${FINDING}\n`, mac);
    }
  });

  test('--json: bindings as who-has prints them, findings as monitor does', async () => {
    const run = await runCli(['db', 'history', MAC_B, '--db', db, '--json']);
    const [binding, finding] = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.equal(binding.type, 'binding');
    assert.deepEqual(finding, {
      type: 'finding',
      time: '2023-11-14T22:15:20.250000Z',
      ts: 1700000120.25,
      kind: 'changed-mac',
      source: 'eth0',
      vlan: [100],
      key: '192.0.2.1',
      ip: '192.0.2.1',
      mac: MAC_B,
      frames: [4],
      text: `192.0.2.1 is-at ${MAC_B} was ${MAC_A}`,
      detail: { oldMac: MAC_A },
    });
  });

  test('nothing known: exit 1; neither MAC nor IP: exit 2', async () => {
    assert.deepEqual(await runCli(['db', 'history', '02:00:00:00:00:99', '--db', db]), {
      status: 1,
      stdout: '',
      stderr: '',
    });
    assert.deepEqual(await runCli(['db', 'history', 'gateway', '--db', db]), {
      status: 2,
      stdout: '',
      stderr:
        'arpkit: "gateway" is neither a MAC (e.g. 00:1b:21:0a:0b:0c) nor an IPv4 address (e.g. 192.0.2.1)\n',
    });
  });
});

describe('arpkit db import-arpwatch', () => {
  const GOOD =
    '02:0a:00:0b:0c:02\t10.99.0.2\t1700000100\t\teth0\n0:1b:21:a:b:c\t10.99.0.3\t1700000200\n';

  test('imports every line; --iface for the lines without one', async () => {
    const target = join(dir, 'import-1.db');
    const dat = file('good.dat', GOOD);
    const run = await runCli(['db', 'import-arpwatch', dat, '--db', target, '--iface', 'br0']);
    assert.deepEqual(run, {
      status: 0,
      stdout: `${dat}: 2 bindings imported into ${target}\n`,
      stderr: '',
    });
    const who = await runCli(['db', 'who-has', '10.99.0.3', '--db', target]);
    assert.equal(
      who.stdout,
      '10.99.0.3 is-at 00:1b:21:0a:0b:0c vlan - iface br0 first 2023-11-14T22:16:40.000000Z last 2023-11-14T22:16:40.000000Z count 1\n',
    );
  });

  test('standard input with -', async () => {
    const target = join(dir, 'import-2.db');
    const run = await runCli(['db', 'import-arpwatch', '-', '--db', target], {
      stdin: new TextEncoder().encode(GOOD),
    });
    assert.equal(run.stdout, `-: 2 bindings imported into ${target}\n`);
    assert.equal(run.status, 0);
  });

  test('bad lines: the first five shown as FILE:LINE, the rest counted; good lines imported; exit 1', async () => {
    const target = join(dir, 'import-3.db');
    const bad = Array.from({ length: 7 }, (_, i) => `junk ${i}`).join('\n');
    const dat = file('bad.dat', `${GOOD}${bad}\n`);
    const run = await runCli(['db', 'import-arpwatch', dat, '--db', target]);
    assert.equal(run.status, 1);
    assert.equal(run.stdout, `${dat}: 2 bindings imported into ${target}; 7 bad lines skipped\n`);
    const lines = run.stderr.trim().split('\n');
    assert.deepEqual(lines, [
      ...[3, 4, 5, 6, 7].map(
        (n) =>
          `arpkit: ${dat}:${n}: expected MAC<TAB>IP<TAB>EPOCH[<TAB>HOSTNAME[<TAB>INTERFACE]], got no tab: "junk ${n - 3}"`,
      ),
      `arpkit: ${dat}: 2 more bad lines not shown`,
    ]);
    assert.equal((await runCli(['db', 'who-has', '10.99.0.2', '--db', target])).status, 0);
  });

  test('an empty arp.dat (a fresh arpwatch) imports nothing and succeeds', async () => {
    const target = join(dir, 'import-4.db');
    const run = await runCli(['db', 'import-arpwatch', file('empty.dat', ''), '--db', target]);
    assert.equal(run.status, 0);
    assert.match(run.stdout, /: 0 bindings imported into /);
  });

  test('a file that cannot be read: exit 1; no --db: exit 2', async () => {
    const missing = join(dir, 'missing.dat');
    assert.deepEqual(await runCli(['db', 'import-arpwatch', missing, '--db', db]), {
      status: 1,
      stdout: '',
      stderr: `arpkit: ${missing}: cannot read: no such file (ENOENT)\n`,
    });
    const noDb = await runCli(['db', 'import-arpwatch', missing]);
    assert.equal(noDb.status, 2);
  });
});

describe('arpkit db --help', () => {
  for (const sub of ['import-arpwatch', 'who-has', 'history']) {
    test(`db ${sub} --help: examples and exit status`, async () => {
      const run = await runCli(['db', sub, '--help']);
      assert.equal(run.status, 0);
      assert.match(run.stdout, /Examples:\n {2}arpkit db /);
      assert.match(run.stdout, /Exit status: 0 /);
      assert.match(run.stdout, /--db <file> .*\(env: ARPKIT_DB\)/);
    });
  }

  test('bare `arpkit db` lists the subcommands and is a usage error', async () => {
    const run = await runCli(['db']);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /import-arpwatch .*\n.*\n? *who-has .*\n *history /);
  });
});

describe('parseTime', () => {
  const local = (...parts: number[]) =>
    new Date(
      parts[0]!,
      parts[1]! - 1,
      parts[2],
      parts[3] ?? 0,
      parts[4] ?? 0,
      parts[5] ?? 0,
    ).getTime();
  const good: [string, number][] = [
    ['1700000000', 1_700_000_000_000],
    ['1700000000.25', 1_700_000_000_250],
    ['0', 0],
    ['2023-11-14T22:13:20Z', 1_700_000_000_000],
    ['2023-11-14t22:13:20.5z', 1_700_000_000_500],
    ['2023-11-14T23:13:20+01:00', 1_700_000_000_000],
    ['2023-11-14T23:13:20+0100', 1_700_000_000_000],
    ['2023-11-14T17:13:20-05', 1_700_000_000_000],
    ['2023-11-14 22:13', local(2023, 11, 14, 22, 13)],
    ['2023-11-14T22:13:20', local(2023, 11, 14, 22, 13, 20)],
    ['2023-11-14', local(2023, 11, 14)],
    ['2024-02-29', local(2024, 2, 29)],
  ];
  for (const [text, ms] of good) {
    test(`reads ${text}`, () => assert.equal(parseTime('--at', text), ms));
  }
  for (const text of [
    '',
    'now',
    '-5',
    '1e9',
    '2023-11-14T22',
    '2023-13-01',
    '2023-02-29',
    '2024-02-30',
    '2023-11-14T25:00',
    '14/11/2023',
  ]) {
    test(`refuses ${JSON.stringify(text)}`, () => {
      assert.throws(() => parseTime('--at', text), UsageError);
    });
  }
});

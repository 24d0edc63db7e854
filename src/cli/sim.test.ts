import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { SimResult } from '../sim/run.js';
import { SCENARIOS } from '../sim/scenarios/index.js';
import { runCli } from '../testing/cli.js';

/** A small gateway failover: 200 neighbours over 30 s. */
const GATEWAY = ['gateway-failover', '--set', 'neighbours=200', '--set', 'duration_s=30'];

/** A run's JSON with its one varying field removed, as text. */
function stableJson(stdout: string): string {
  const result = JSON.parse(stdout) as Record<string, unknown>;
  assert.equal(typeof result['wallSeconds'], 'number');
  delete result['wallSeconds'];
  return JSON.stringify(result);
}

describe('arpkit sim', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'arpkit-sim-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('--list names every scenario with its summary', async () => {
    const run = await runCli(['sim', '--list']);
    assert.equal(run.status, 0, run.stderr);
    for (const name of [
      'bond-failover',
      'gateway-failover',
      'link-up-drop',
      'bulk-refresh',
      'storm',
    ]) {
      assert.ok(
        SCENARIOS.some((scenario) => scenario.name === name),
        name,
      );
    }
    for (const scenario of SCENARIOS) {
      assert.match(
        run.stdout,
        new RegExp(`^${scenario.name} +${scenario.summary.replace(/[()]/g, '.')}$`, 'm'),
      );
    }
  });

  test('--list SCENARIO lists its parameters, defaults, values and roles', async () => {
    const run = await runCli(['sim', '--list', 'bond-failover']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^bond-failover: a host with guests/);
    assert.match(
      run.stdout,
      /^ {2}guests=4 +guests bridged on the bond \(an integer in 0\.\.100000\)$/m,
    );
    assert.match(
      run.stdout,
      /^ {2}announce=arpkit +after failover: .*\(one of none, bonding, arpkit\)$/m,
    );
    assert.match(run.stdout, /^role peer: /m);
    assert.match(
      run.stdout,
      /^ {2}peer\.policy=linux +its neighbour policy .*\(one of linux, windows, bsd, router\)$/m,
    );
    assert.match(run.stdout, /^ {2}peer\.retrans_time_ms=1000 /m);
    const json = await runCli(['sim', '--list', '--json', 'bond-failover']);
    const listing = JSON.parse(json.stdout) as { params: { key: string; values: string }[] };
    assert.ok(listing.params.some((param) => param.key === 'guests.policy'));
  });

  test('--list with an unknown scenario or with run options is a usage error', async () => {
    const unknown = await runCli(['sim', '--list', 'bond']);
    assert.equal(unknown.status, 2);
    assert.match(
      unknown.stderr,
      /^arpkit: sim: "bond" is not a scenario \(scenarios: bond-failover, gateway-failover, /,
    );
    const mixed = await runCli(['sim', '--list', 'storm', '--set', 'hosts=2']);
    assert.equal(mixed.status, 2);
    assert.equal(mixed.stderr, 'arpkit: --list: lists only; drop --set\n');
  });

  test('--json prints one object with the documented fields', async () => {
    const run = await runCli(['sim', 'bond-failover', '--set', 'announce=none', '--json']);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim().split('\n').length, 1);
    const result = JSON.parse(run.stdout) as SimResult;
    assert.equal(result.scenario, 'bond-failover');
    assert.equal(result.params['announce'], 'none');
    for (const key of ['p50', 'p99', 'max'] as const)
      assert.equal(typeof result.recovery[key], 'number');
    assert.ok(result.lost > 0);
    assert.equal(result.lostBy['no-fdb-entry'], result.lost);
    assert.ok(result.peakArpPps['peer']! > 0);
    assert.equal(result.policerDrops, 0);
    assert.ok(result.events > 0);
    assert.equal(typeof result.wallSeconds, 'number');
  });

  test('the same seed gives the same JSON but for wallSeconds; another seed another run', async () => {
    const first = await runCli(['sim', ...GATEWAY, '--json']);
    const again = await runCli(['sim', ...GATEWAY, '--json', '--seed', '1']);
    const other = await runCli(['sim', ...GATEWAY, '--json', '--seed', '2']);
    assert.equal(first.status, 0, first.stderr);
    assert.equal(stableJson(first.stdout), stableJson(again.stdout));
    assert.notEqual(stableJson(first.stdout), stableJson(other.stdout));
    assert.equal((JSON.parse(other.stdout) as SimResult).seed, 2);
  });

  test('the summary: a dozen lines, only the last differing between runs', async () => {
    const run = await runCli(['sim', 'bond-failover', '--set', 'announce=none']);
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    assert.ok(lines.length >= 8 && lines.length <= 16, run.stdout);
    assert.equal(lines[0], 'bond-failover, seed 1: 60 s simulated, 5 flows');
    assert.equal(lines[1], 'parameters: announce=none');
    assert.equal(lines[2], 'timeline: 10 s eth0 down, 10.1 s bond failover');
    assert.match(
      lines[3]!,
      /^recovery from 10 s: p50 \d+\.\d{3} s, p99 \d+\.\d{3} s, max \d+\.\d{3} s \(5 of 5 flows lost packets\)$/,
    );
    assert.match(
      run.stdout,
      /^packets: [\d,]+ sent, [\d,]+ lost \([\d.]+%\): no-fdb-entry [\d,]+$/m,
    );
    assert.match(run.stdout, /^policer drops: none$/m);
    assert.match(run.stdout, /^peak ARP rate: peer \d+\/s/m);
    assert.match(run.stdout, /^worst flows:\n {2}peer→/m);
    assert.match(lines.at(-1)!, /^[\d,]+ events in [\d.]+ s of wall time$/);
    const again = await runCli(['sim', 'bond-failover', '--set', 'announce=none']);
    assert.deepEqual(again.stdout.split('\n').slice(0, -2), run.stdout.split('\n').slice(0, -2));
  });

  test('a policer and unrecovered flows show in the summary', async () => {
    const run = await runCli([
      'sim',
      ...GATEWAY,
      '--set',
      'policer_pps=20',
      '--set',
      'policer_burst=20',
    ]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(
      run.stdout,
      /^parameters: duration_s=30 neighbours=200 policer_pps=20 policer_burst=20$/m,
    );
    assert.match(run.stdout, /^policer drops: [\d,]+ \(gw2 [\d,]+\)$/m);
    assert.match(run.stdout, /^details: backupOverflows \d+, backupEntries \d+$/m);
  });

  test('--set errors exit 2 with one line naming --set, the key and the input', async () => {
    const cases: [string, RegExp][] = [
      ['gusts=4', /^arpkit: --set: gusts: scenario bond-failover has no such parameter/],
      ['guests=four', /^arpkit: --set: guests: "four" is not an integer in 0\.\.100000$/],
      ['guests=1.5', /^arpkit: --set: guests: "1\.5" is not an integer in 0\.\.100000$/],
      ['rate_pps=0', /^arpkit: --set: rate_pps: "0" is not a number in 0\.001\.\.1000000$/],
      [
        'announce=loudly',
        /^arpkit: --set: announce: "loudly" is not one of none, bonding, arpkit$/,
      ],
      [
        'peer.policy=mac',
        /^arpkit: --set: peer\.policy: "mac" is not one of linux, windows, bsd, router$/,
      ],
      ['arpkit_schedule_ms=0,x', /^arpkit: --set: arpkit_schedule_ms: "0,x" is not a list of ms/],
    ];
    for (const [set, expected] of cases) {
      const run = await runCli(['sim', 'bond-failover', '--set', set]);
      assert.equal(run.status, 2, set);
      assert.equal(run.stdout, '');
      assert.match(run.stderr.trimEnd(), expected);
      assert.equal(run.stderr.split('\n').length, 2, run.stderr);
    }
  });

  test('--sweep guests=1..3: three rows in order, each the same as a single run', async () => {
    const base = ['sim', 'bond-failover', '--set', 'announce=none'];
    const swept = await runCli([...base, '--sweep', 'guests=1..3', '--json']);
    assert.equal(swept.status, 0, swept.stderr);
    const results = JSON.parse(swept.stdout) as SimResult[];
    assert.deepEqual(
      results.map((result) => result.params['guests']),
      [1, 2, 3],
    );
    for (const [i, guests] of [1, 2, 3].entries()) {
      const single = await runCli([...base, '--set', `guests=${guests}`, '--json']);
      assert.equal(stableJson(JSON.stringify(results[i])), stableJson(single.stdout));
    }
    const table = await runCli([...base, '--sweep', 'guests=1..3']);
    assert.equal(table.status, 0, table.stderr);
    const lines = table.stdout.trimEnd().split('\n');
    assert.equal(lines[0], 'bond-failover, seed 1: guests over 3 values; announce=none');
    assert.match(
      lines[1]!,
      /^guests +p50 s +p99 s +max s +lost +policer drops +peak ARP\/s +wall s$/,
    );
    assert.deepEqual(
      lines.slice(2, 5).map((line) => line.split(/ +/)[0]),
      ['1', '2', '3'],
    );
    const lost = results.map((result) => result.lost.toLocaleString('en-US'));
    assert.deepEqual(
      lines.slice(2, 5).map((line) => line.split(/ +/)[4]),
      lost,
    );
    assert.match(lines[5]!, /^3 runs on \d+ threads? in [\d.]+ s of wall time$/);
  });

  test('a sweep of a role parameter; a value a run refuses names --sweep', async () => {
    const run = await runCli(['sim', 'link-up-drop', '--sweep', 'b.retrans_time_ms=500,1000']);
    assert.equal(run.status, 0, run.stderr);
    const rows = run.stdout.split('\n').slice(2, 4);
    assert.deepEqual(
      rows.map((row) => row.split(/ +/)[0]),
      ['500', '1000'],
    );
    const refused = await runCli(['sim', 'bond-failover', '--sweep', 'arpkit_schedule_ms=0,x']);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /^arpkit: --sweep: arpkit_schedule_ms: "x" is not a list of ms/);
  });

  test('--sweep errors and conflicts exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['--sweep', 'guests=1..x'],
        /^arpkit: --sweep: guests: "x" in "guests=1\.\.x" is not a number/,
      ],
      [
        ['--sweep', 'announce=0..2'],
        /^arpkit: --sweep: announce: a range \(0\.\.2\) needs a number parameter/,
      ],
      [
        ['--sweep', 'guests=1..3', '--plot', join(dir, 'no.svg')],
        /^arpkit: --plot and --pcap show one run; --sweep makes many/,
      ],
      [['--sweep', 'guests=1..3', '--pcap', join(dir, 'no.pcap')], /--sweep makes many/],
    ];
    for (const [args, expected] of cases) {
      const run = await runCli(['sim', 'bond-failover', ...args]);
      assert.equal(run.status, 2, args.join(' '));
      assert.match(run.stderr, expected);
    }
    assert.ok(!existsSync(join(dir, 'no.svg')));
  });

  test('--pcap writes what a capture point saw, and arpkit analyze finds the announcement', async () => {
    const pcap = join(dir, 'eth1.pcap');
    const run = await runCli([
      'sim',
      'bond-failover',
      '--set',
      'announce=arpkit',
      '--pcap',
      pcap,
      '--capture',
      'eth1',
    ]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^pcap: ${pcap}, what eth1 sent and received$`, 'm'));
    const analyzed = await runCli(['analyze', '--json', pcap]);
    assert.equal(analyzed.status, 0, analyzed.stderr);
    const report = JSON.parse(analyzed.stdout.trimEnd().split('\n').at(-1)!) as {
      type: string;
      frames: Record<string, number>;
    };
    assert.equal(report.type, 'report');
    assert.equal(report.frames['malformed'], 0);
    assert.ok(report.frames['gratuitous']! > 0, JSON.stringify(report.frames));
    assert.ok(report.frames['announcements']! > 0, JSON.stringify(report.frames));
    // The guests have no address here: arpkit announces their MACs by RARP.
    assert.ok(report.frames['rarp']! >= 4, JSON.stringify(report.frames));
  });

  test('--pcap without --capture takes the first capture point; a wrong one is named', async () => {
    const pcap = join(dir, 'first.pcap');
    const run = await runCli(['sim', 'link-up-drop', '--pcap', pcap]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^pcap: .*first\.pcap, what a sent and received$/m);
    assert.ok(readFileSync(pcap).length > 24);
    const wrong = await runCli([
      'sim',
      'link-up-drop',
      '--pcap',
      join(dir, 'wrong.pcap'),
      '--capture',
      'c',
    ]);
    assert.equal(wrong.status, 2);
    assert.equal(
      wrong.stderr,
      'arpkit: --capture: "c" is not a capture point of link-up-drop (a, b)\n',
    );
    assert.ok(!existsSync(join(dir, 'wrong.pcap')));
  });

  test('--plot writes an SVG titled with the scenario and what was changed', async () => {
    const svg = join(dir, 'plot.svg');
    const run = await runCli(['sim', ...GATEWAY, '--plot', svg, '--seed', '3']);
    assert.equal(run.status, 0, run.stderr);
    const text = readFileSync(svg, 'utf8');
    assert.match(text, /^(<\?xml[^>]*\?>\s*)?<svg[\s>]/);
    assert.match(text, /<title>gateway-failover: duration_s=30, neighbours=200, seed 3<\/title>/);
    assert.match(run.stdout, new RegExp(`^plot: ${svg}$`, 'm'));
  });

  test('a --plot or --pcap file that cannot be written: exit 1, one line naming it', async () => {
    const missing = join(dir, 'no-such-dir', 'x.svg');
    const plot = await runCli(['sim', 'link-up-drop', '--plot', missing]);
    assert.equal(plot.status, 1);
    assert.equal(plot.stdout, '');
    assert.equal(plot.stderr, `arpkit: --plot: cannot write ${missing}: no such file (ENOENT)\n`);
    const pcap = await runCli(['sim', 'link-up-drop', '--pcap', dir]);
    assert.equal(pcap.status, 1);
    assert.equal(pcap.stderr, `arpkit: --pcap: cannot write ${dir}: is a directory (EISDIR)\n`);
  });

  test('--file runs the file, --set overriding it; a bad file names its line', async () => {
    const file = join(dir, 'sim.yaml');
    writeFileSync(file, 'scenario: bond-failover\nseed: 2\nset:\n  announce: none\n  guests: 1\n');
    const run = await runCli(['sim', '--file', file, '--set', 'guests=2', '--json']);
    assert.equal(run.status, 0, run.stderr);
    const result = JSON.parse(run.stdout) as SimResult;
    assert.equal(result.seed, 2);
    assert.equal(result.params['announce'], 'none');
    assert.equal(result.params['guests'], 2);
    assert.equal(result.flows, 3);

    const sweep = join(dir, 'sweep.json');
    writeFileSync(
      sweep,
      JSON.stringify({
        scenario: 'storm',
        set: { hosts: 3, duration_s: 20 },
        sweep: { key: 'storm_pps', values: [100, 1000] },
      }),
    );
    const swept = await runCli(['sim', '--file', sweep, '--json']);
    assert.equal(swept.status, 0, swept.stderr);
    assert.deepEqual(
      (JSON.parse(swept.stdout) as SimResult[]).map((each) => each.params['storm_pps']),
      [100, 1000],
    );

    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'scenario: bond-failover\nset:\n  guests: 2\n  gusts: 3\n');
    const failed = await runCli(['sim', '--file', bad]);
    assert.equal(failed.status, 2);
    assert.equal(
      failed.stderr,
      `arpkit: ${bad}:4: set.gusts: scenario bond-failover has no such parameter (see arpkit sim --list bond-failover)\n`,
    );
    const unread = await runCli(['sim', '--file', join(dir, 'none.yaml')]);
    assert.equal(unread.status, 2);
    assert.match(unread.stderr, /none\.yaml: cannot read: no such file \(ENOENT\)\n$/);
  });

  test('--help shows the examples and the exit statuses', async () => {
    const run = await runCli(['sim', '--help']);
    assert.equal(run.status, 0);
    assert.match(run.stdout, /^Examples:$/m);
    assert.match(run.stdout, /arpkit sim bond-failover --set announce=none/);
    assert.match(run.stdout, /^Exit status: 0 /m);
  });
});

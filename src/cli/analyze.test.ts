import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { capturePath } from '../testing/captures.js';
import { runCli } from '../testing/cli.js';
import { type ArpSpec, specsPcap } from '../testing/observations.js';

process.env.TZ = 'UTC';

const A = '02:00:00:00:00:0a';
const B = '02:00:00:00:00:0b';
const C = '02:00:00:00:00:0c';

/** C asks for .2 twice; A and B both answer for it: an IP conflict, then nothing else amiss. */
const CONFLICT: readonly ArpSpec[] = [
  { at: 0, sha: C, spa: '192.0.2.3', tpa: '192.0.2.2' },
  { at: 0.2, op: 'reply', sha: A, spa: '192.0.2.2', tha: C, tpa: '192.0.2.3' },
  { at: 0.3, op: 'reply', sha: B, spa: '192.0.2.2', tha: C, tpa: '192.0.2.3' },
  { at: 5000, sha: C, spa: '192.0.2.3', tpa: '192.0.2.2' },
  { at: 5000.2, op: 'reply', sha: A, spa: '192.0.2.2', tha: C, tpa: '192.0.2.3' },
  { at: 5000.3, op: 'reply', sha: B, spa: '192.0.2.2', tha: C, tpa: '192.0.2.3' },
];

interface JsonLine {
  type: string;
  kind?: string;
  ip?: string;
  frames?: number[] | { frames: number };
  findings?: Record<string, number>;
}

function lines(stdout: string): JsonLine[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as JsonLine);
}

describe('arpkit analyze', () => {
  let dir = '';
  let conflict = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'arpkit-analyze-'));
    conflict = join(dir, 'conflict.pcap');
    writeFileSync(conflict, specsPcap(CONFLICT));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('names a conflict with its evidence frames, then reports', async () => {
    const run = await runCli(['analyze', conflict]);
    assert.equal(run.status, 0, run.stderr);
    const [first] = run.stdout.split('\n');
    assert.match(first!, /^2023-11-14 22:13:20\.000\d{3} new-station 192\.0\.2\.3 /);
    assert.match(
      run.stdout,
      /^2023-11-14 22:13:20\.000300 ip-conflict 192\.0\.2\.2 answered by 02:00:00:00:00:0b, .* after 02:00:00:00:00:0a claimed it frames 2,3$/m,
    );
    assert.match(run.stdout, /^# report .*conflict\.pcap$/m);
    assert.match(run.stdout, /^frames 6: arp 6, rarp 0, nd 0, other 0, malformed 0$/m);
    assert.match(run.stdout, /^arp requests 2 \(broadcast 2, unicast 0\), replies 4, ratio 0\.5$/m);
  });

  test('--json prints one object per finding and the report last', async () => {
    const run = await runCli(['analyze', '--json', conflict]);
    assert.equal(run.status, 0, run.stderr);
    const objects = lines(run.stdout);
    const report = objects.at(-1)!;
    assert.equal(report.type, 'report');
    assert.ok(objects.slice(0, -1).every((line) => line.type === 'finding'));
    const conflicts = objects.filter((line) => line.kind === 'ip-conflict');
    assert.ok(conflicts.length >= 1);
    assert.equal(conflicts[0]!.ip, '192.0.2.2');
    assert.ok(report.findings!['ip-conflict']! >= 1);
  });

  test('--fail-on exits 1 only when such a finding occurs', async () => {
    assert.equal(
      (await runCli(['analyze', '--quiet', '--fail-on', 'ip-conflict', conflict])).status,
      1,
    );
    assert.equal(
      (await runCli(['analyze', '--quiet', '--fail-on', 'storm,bogon', conflict])).status,
      0,
    );
  });

  test('--quiet prints only the report', async () => {
    const run = await runCli(['analyze', '--quiet', conflict]);
    assert.match(run.stdout, /^# report /);
    assert.doesNotMatch(run.stdout, /^2023/m);
  });

  test('usage errors name the option and the input (exit 2)', async () => {
    const cases: [string[], RegExp][] = [
      [['--fail-on', 'conflict'], /--fail-on: "conflict" is not a finding kind/],
      [['-t', 'storm-rate=fast'], /--threshold: "storm-rate=fast": expected a number/],
      [['-t', 'stormrate=5'], /--threshold: "stormrate=5": unknown threshold "stormrate"/],
      [['-t', 'probe-window=soon'], /--threshold: "probe-window=soon": "soon" is not a duration/],
      [['--net', '192.0.2.0/33'], /--net: .*192\.0\.2\.0\/33/],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(['analyze', ...args, conflict]);
      assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message);
      assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    }
  });

  test('a truncated file: every whole frame analysed, where it stopped said, exit 1', async () => {
    const bytes = specsPcap(CONFLICT);
    const cut = join(dir, 'cut.pcap');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 20));
    const run = await runCli(['analyze', '--json', cut]);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /cut\.pcap: .*\(after 5 whole frames\)/);
    const report = lines(run.stdout).at(-1)!;
    assert.deepEqual((report.frames as { frames: number }).frames, 5);
  });

  test('a missing file and a file that is no capture: exit 1, one line each', async () => {
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'hello, this is not a pcap\n');
    const run = await runCli(['analyze', '--quiet', join(dir, 'missing.pcap'), text]);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /missing\.pcap: cannot open: /);
    assert.match(run.stderr, /notes\.txt: .*not a pcap or pcapng file/);
  });

  test('reads standard input', async () => {
    const run = await runCli(['analyze', '--quiet', '-'], { stdin: specsPcap(CONFLICT) });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^# report -$/m);
    assert.match(run.stdout, /^ip-conflict: /m);
  });

  test('several files: a header and a report each', async () => {
    const run = await runCli(['analyze', '--quiet', conflict, capturePath('arp-bootup.pcapng')]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.match(/^# report /gm)?.length, 2);
  });
});

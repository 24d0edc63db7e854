import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { memoryLinkPair } from '../link/memory-link.js';
import { runCli } from '../testing/cli.js';
import { arpSpecFrame, type ArpSpec } from '../testing/observations.js';
import { parseMac } from '../wire/mac.js';

const A = '02:00:00:00:00:0a';
const B = '02:00:00:00:00:0b';
const C = '02:00:00:00:00:0c';

/** C asks for .2; A and B both answer. */
const CONFLICT: readonly ArpSpec[] = [
  { at: 0, sha: C, spa: '192.0.2.3', tpa: '192.0.2.2' },
  { at: 0, op: 'reply', sha: A, spa: '192.0.2.2', tha: C, tpa: '192.0.2.3' },
  { at: 0, op: 'reply', sha: B, spa: '192.0.2.2', tha: C, tpa: '192.0.2.3' },
];

/** Runs `arpkit monitor -i eth0 ARGS` on a memory link; the peer sends `frames` once it listens. */
async function monitor(args: string[], frames: readonly ArpSpec[]) {
  const [ours, peer] = memoryLinkPair();
  const running = runCli(['monitor', '-i', 'eth0', ...args], {
    interfaces: { eth0: { mac: parseMac(C), link: ours } },
  });
  // In-process the monitor listens within a few milliseconds of starting.
  await sleep(100);
  for (const spec of frames) peer.send(arpSpecFrame(spec));
  return running;
}

describe('arpkit monitor', () => {
  test('names a conflict as it happens and reports with the counters when --count is reached', async () => {
    const run = await monitor(['--json', '--count', '3'], CONFLICT);
    assert.equal(run.status, 0, run.stderr);
    const objects = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const conflict = objects.find((o) => o['kind'] === 'ip-conflict');
    assert.ok(conflict !== undefined, run.stdout);
    assert.equal(conflict['source'], 'eth0');
    assert.equal(conflict['ip'], '192.0.2.2');
    const report = objects.at(-1) as {
      type: string;
      frames: { frames: number; replies: number };
      interfaces: Record<string, { frames: number; kernelPackets: number; kernelDrops: number }>;
    };
    assert.equal(report.type, 'report');
    assert.equal(report.frames.frames, 3);
    assert.equal(report.frames.replies, 2);
    assert.deepEqual(report.interfaces['eth0'], { frames: 3, kernelPackets: 3, kernelDrops: 0 });
    assert.match(run.stderr, /^arpkit: listening on eth0 \(ARP, RARP, ND; promiscuous\)$/m);
    assert.match(
      run.stderr,
      /^arpkit: eth0: 3 frames received by filter, 0 dropped by kernel \(stopped: count\)$/m,
    );
  });

  test('two interfaces: each its own segment, frames numbered per interface, both reported', async () => {
    const [ours0, peer0] = memoryLinkPair();
    const [ours1, peer1] = memoryLinkPair();
    const running = runCli(['monitor', '-i', 'eth0', '-i', 'eth1', '--json', '--count', '4'], {
      interfaces: {
        eth0: { mac: parseMac(C), link: ours0 },
        eth1: { mac: parseMac(C), link: ours1 },
      },
    });
    await sleep(100);
    // The same IP from two MACs, but on two interfaces: two stations, no conflict.
    const [ask, answerA, answerB] = CONFLICT;
    peer0.send(arpSpecFrame(ask!));
    peer0.send(arpSpecFrame(answerA!));
    peer1.send(arpSpecFrame(ask!));
    peer1.send(arpSpecFrame(answerB!));
    const run = await running;
    assert.equal(run.status, 0, run.stderr);
    const objects = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(objects.filter((o) => o['kind'] === 'ip-conflict').length, 0);
    const stations = objects.filter((o) => o['kind'] === 'new-station' && o['ip'] === '192.0.2.2');
    assert.deepEqual(stations.map((o) => [o['source'], o['mac'], o['frames']]).sort(), [
      ['eth0', A, [2]],
      ['eth1', B, [2]],
    ]);
    const report = objects.at(-1) as { interfaces: Record<string, { frames: number }> };
    assert.deepEqual(Object.keys(report.interfaces), ['eth0', 'eth1']);
    assert.equal(report.interfaces['eth0']!.frames + report.interfaces['eth1']!.frames, 4);
    assert.match(run.stderr, /listening on eth0, eth1 /);
  });

  test('--fail-on exits 1 when the kind occurred', async () => {
    const run = await monitor(['--quiet', '--count', '3', '--fail-on', 'ip-conflict'], CONFLICT);
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stdout, /^ip-conflict: 1 \(1 distinct\)$/m);
  });

  test('--duration stops a quiet monitor with an empty report', async () => {
    const run = await monitor(['--duration', '300ms'], []);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^frames 0: /m);
    assert.match(run.stdout, /^findings: none$/m);
    assert.match(run.stderr, /\(stopped: duration\)/);
  });

  test('usage errors (exit 2)', async () => {
    const cases: [string[], RegExp][] = [
      [['monitor'], /--iface: name at least one interface/],
      [['monitor', '-i', 'eth0', '--count', '0'], /--count: "0" is not a whole number/],
      [['monitor', '-i', 'eth0', '--duration', 'soon'], /--duration: "soon" is not a duration/],
      [['monitor', '-i', 'eth0', '--metrics', 'nowhere'], /nowhere/],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(args);
      assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message);
    }
  });

  test('an interface that does not exist: exit 1 naming it', async () => {
    const run = await runCli(['monitor', '-i', 'nope0', '--count', '1']);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /no interface "nope0"/);
  });
});

/**
 * `arpkit monitor` live on the switch of each scenario of `lab/arp-scenarios.ts`, while tcpdump
 * captures the same traffic beside it: the monitor must name the scenario's trouble, count the
 * frames `arpkit analyze` counts in the capture and find the same troubles as often, and the
 * kernel must have dropped nothing. (What each finding says is checked on the capture in
 * `analyze-netns.test.ts`.)
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'node:test';
import {
  ARPKIT_BIN,
  arpkitHere,
  duplicateScenario,
  type Expected,
  type JsonFinding,
  kindProblems,
  OBSERVED,
  probeScenario,
  readArpkitJson,
  refreshScenario,
  type Segment,
  startCapture,
  stormScenario,
  takeoverScenario,
} from '../lab/arp-scenarios.js';
import { labTest } from '../testing/lab-test.js';
import { peerToolGate } from '../testing/peer-tools.js';

const LAB_MS = 40_000;
const tools = peerToolGate(['tcpdump', 'arping'], LAB_MS + 15_000);
const stormTools = peerToolGate(['tcpdump', 'trafgen'], LAB_MS + 15_000);

/** How the monitor is stopped: SIGINT once the traffic is over, or its own `--duration`. */
type Stop = { readonly signal: 'SIGINT' } | { readonly duration: string };

/**
 * Runs `arpkit monitor -i sw --json ARGS` and tcpdump on the scenario's switch while `act`
 * plays, stops both, and reads the monitor's output and `arpkit analyze` of the capture (with
 * the same ARGS).
 */
async function monitorBeside(
  scenario: Segment,
  act: (dir: string) => Promise<unknown>,
  options: { args?: readonly string[]; stop?: Stop } = {},
) {
  const args = options.args ?? [];
  const stop = options.stop ?? { signal: 'SIGINT' };
  const dir = await mkdtemp(join(tmpdir(), 'arpkit-monitor-netns-'));
  try {
    const file = join(dir, 'capture.pcap');
    const dump = await startCapture(scenario.observer, OBSERVED, file);
    const duration = 'duration' in stop ? ['--duration', stop.duration] : [];
    const monitor = scenario.observer.spawn(process.execPath, [
      ...[ARPKIT_BIN, 'monitor', '-i', OBSERVED, '--json', ...duration, ...args],
    ]);
    const closed = new Promise<number | null>((resolve) => monitor.child.once('close', resolve));
    await monitor.waitFor(/^arpkit: listening on /m, 10_000);
    await act(dir);
    if ('signal' in stop) monitor.child.kill(stop.signal);
    await monitor.waitFor(/dropped by kernel \(stopped: /, 15_000);
    const code = await closed;
    const counts = await dump.stop();
    assert.equal(counts.dropped, 0, 'tcpdump dropped frames');
    const analyzed = await arpkitHere(['analyze', '--json', ...args, file]);
    assert.equal(analyzed.code, 0, analyzed.stderr);
    const output = monitor.output();
    return { code, output, live: readArpkitJson(output), file: readArpkitJson(analyzed.stdout) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Each trouble as `kind key ×count`, sorted. */
function troubles(report: ReturnType<typeof readArpkitJson>['report']): string[] {
  return report.troubles.map((t) => `${t.kind} ${t.key} ×${t.count}`).sort();
}

/**
 * The checks every scenario shares: a clean stop, nothing dropped, the frames and troubles of
 * the capture, and the scenario's kinds.
 */
function assertLikeTheCapture(
  run: Awaited<ReturnType<typeof monitorBeside>>,
  expected: Expected,
  stopped: 'signal' | 'duration' = 'signal',
): JsonFinding[] {
  const { live, file } = run;
  assert.equal(run.code, 0, run.output);
  const frames = live.report.frames.frames;
  const kernel = `arpkit: ${OBSERVED}: ${frames} frames received by filter, 0 dropped by kernel`;
  assert.ok(run.output.includes(`${kernel} (stopped: ${stopped})`), run.output);
  assert.deepEqual(live.report.interfaces?.[OBSERVED], {
    frames,
    kernelPackets: frames,
    kernelDrops: 0,
  });
  assert.deepEqual(live.report.frames, file.report.frames, 'the frames the capture holds');
  const lines = live.findings.map((finding) => `${finding.kind} ${finding.text}`).join('\n');
  assert.deepEqual(kindProblems(live.report, expected), [], lines);
  assert.deepEqual(troubles(live.report), troubles(file.report));
  return live.findings;
}

function ofKind(findings: readonly JsonFinding[], kind: string): JsonFinding[] {
  return findings.filter((finding) => finding.kind === kind);
}

describe('arpkit monitor live on real ARP trouble (network namespaces)', () => {
  labTest(
    'probe meeting an owner, stopped by --duration: probe-conflict as in the capture',
    tools,
    LAB_MS,
    async (lab) => {
      const scenario = await probeScenario(lab);
      const run = await monitorBeside(scenario, () => scenario.run(), {
        stop: { duration: '4s' },
      });
      const findings = assertLikeTheCapture(run, scenario.expected, 'duration');
      const [conflict] = ofKind(findings, 'probe-conflict');
      assert.equal(conflict?.ip, scenario.ownedIp);
      assert.equal(conflict.detail['prober'], scenario.prober.mac);
      assert.equal(conflict.detail['owner'], scenario.owner.mac);
      assert.equal(run.live.report.frames.probes, 4);
    },
  );

  labTest(
    'one address on two stations: ip-conflict naming both MACs, as in the capture',
    tools,
    LAB_MS,
    async (lab) => {
      const scenario = await duplicateScenario(lab);
      const run = await monitorBeside(scenario, () => scenario.run());
      const findings = assertLikeTheCapture(run, scenario.expected);
      const [conflict] = ofKind(findings, 'ip-conflict');
      assert.equal(conflict?.ip, scenario.ip);
      const macs = new Set(conflict.detail['macs'] as string[]);
      assert.deepEqual(macs, new Set([scenario.first.mac, scenario.second.mac]));
    },
  );

  labTest(
    'a VIP taken over and given back: changed-mac then flip-flop, no ip-conflict, as in the capture',
    tools,
    LAB_MS,
    async (lab) => {
      const scenario = await takeoverScenario(lab);
      const run = await monitorBeside(scenario, () => scenario.run(11_000));
      const findings = assertLikeTheCapture(run, scenario.expected);
      const moves = findings.filter((f) => f.kind === 'changed-mac' || f.kind === 'flip-flop');
      assert.deepEqual(
        moves.map((f) => `${f.kind} ${f.ip} ${f.mac}`),
        [
          `changed-mac ${scenario.vip} ${scenario.b.mac}`,
          `flip-flop ${scenario.vip} ${scenario.a.mac}`,
        ],
      );
    },
  );

  labTest(
    'a trafgen ARP storm: start and end with the peak rate, no frame dropped, as in the capture',
    stormTools,
    LAB_MS,
    async (lab) => {
      const scenario = await stormScenario(lab);
      const frames = 6_000;
      const run = await monitorBeside(scenario, (dir) =>
        scenario.run(frames, 200, join(dir, 'storm.cfg')),
      );
      const findings = assertLikeTheCapture(run, scenario.expected);
      assert.equal(run.live.report.frames.frames, frames + 1);
      const end = ofKind(findings, 'storm').find(
        (s) => s.detail['scope'] === 'segment' && s.detail['state'] === 'end',
      );
      assert.ok((end?.detail['peakRate'] as number) > 500, end?.text);
      assert.equal(end?.detail['endedBy'], 'quiet');
      assert.equal((end.detail['topTalkers'] as string[])[0]?.split('=')[0], scenario.sender.mac);
    },
  );

  labTest(
    'a neighbour table going stale at once: the re-validation burst, unicast, as in the capture',
    tools,
    LAB_MS,
    async (lab) => {
      const scenario = await refreshScenario(lab);
      const run = await monitorBeside(scenario, () => scenario.run(), {
        args: ['-t', 'report-interval=0'],
      });
      const findings = assertLikeTheCapture(run, scenario.expected);
      const bursts = ofKind(findings, 'refresh-burst');
      assert.deepEqual(
        bursts.map((b) => [b.mac, b.detail['targets'], b.detail['unicast'] !== 0]),
        [
          [scenario.router.mac, scenario.targets.length, false],
          [scenario.router.mac, scenario.targets.length, true],
        ],
      );
      const absentShare = 1 - scenario.present.length / scenario.targets.length;
      for (const burst of bursts) {
        const fraction = burst.detail['unansweredFraction'] as number;
        assert.ok(Math.abs(fraction - absentShare) <= 0.1, burst.text);
      }
    },
  );
});

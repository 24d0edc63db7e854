/**
 * `arpkit analyze` on captures of real ARP trouble: each scenario of `lab/arp-scenarios.ts` is
 * played by real tools in namespaces while tcpdump captures on the switch, and the findings of
 * the capture are checked against what the tools did; where Wireshark flags duplicate
 * addresses, its set of addresses is checked against ours.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  arpkitHere,
  duplicateScenario,
  type Expected,
  type JsonFinding,
  kindProblems,
  OBSERVED,
  probeScenario,
  readArpkitJson,
  REFRESH_GAP_MS,
  refreshScenario,
  type Segment,
  startCapture,
  stormScenario,
  takeoverScenario,
} from '../lab/arp-scenarios.js';
import { CAPTURES_DIR } from '../testing/captures.js';
import { labTest } from '../testing/lab-test.js';
import { peerToolGate } from '../testing/peer-tools.js';
import { tsharkRead } from '../testing/tshark.js';

const POISON = join(CAPTURES_DIR, 'arp-poison.pcapng');
const LAB_MS = 40_000;
const tools = peerToolGate(['tcpdump', 'arping'], LAB_MS + 15_000);
const wiresharkTools = peerToolGate(['tcpdump', 'arping', 'tshark'], LAB_MS + 15_000);
const stormTools = peerToolGate(['tcpdump', 'trafgen'], LAB_MS + 15_000);
const tsharkOnly = peerToolGate(['tshark'], 30_000);

/** A capture of `act` on the scenario's switch, with tcpdump's own counts. */
async function capture(scenario: Segment, act: () => Promise<unknown>, dir: string) {
  const file = join(dir, 'capture.pcap');
  const dump = await startCapture(scenario.observer, OBSERVED, file);
  await act();
  const counts = await dump.stop();
  assert.equal(counts.dropped, 0, 'tcpdump dropped frames');
  return { file, ...counts };
}

/** `arpkit analyze --json ARGS FILE`, which must succeed, and what it printed. */
async function analyze(file: string, args: readonly string[] = []) {
  const run = await arpkitHere(['analyze', '--json', ...args, file]);
  assert.equal(run.code, 0, run.stderr);
  return readArpkitJson(run.stdout);
}

/** Runs `body` with a fresh temporary directory, removed afterwards. */
async function inTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'arpkit-analyze-netns-'));
  try {
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function ofKind(findings: readonly JsonFinding[], kind: string): JsonFinding[] {
  return findings.filter((finding) => finding.kind === kind);
}

function assertKinds(result: ReturnType<typeof readArpkitJson>, expected: Expected): void {
  const lines = result.findings.map((finding) => `${finding.kind} ${finding.text}`).join('\n');
  assert.deepEqual(kindProblems(result.report, expected), [], lines);
}

/** The addresses `tshark` flags as duplicates (`arp.duplicate-address-detected`) in `file`. */
async function wiresharkDuplicates(file: string): Promise<Set<string>> {
  // The expert item names the address, the sender's or (in a reply) the target's.
  const filter = ['-Y', 'arp.duplicate-address-detected'];
  const text = await tsharkRead(file, [...filter, '-T', 'fields', '-e', '_ws.expert.message']);
  const items = text.matchAll(/Duplicate IP address configured \(([\d.]+)\)/g);
  return new Set(Array.from(items, (match) => match[1]!));
}

/** The addresses of our findings of `kinds`. */
function ipsOf(findings: readonly JsonFinding[], kinds: readonly string[]): Set<string> {
  return new Set(findings.filter((f) => kinds.includes(f.kind)).map((f) => f.ip!));
}

/**
 * Wireshark's ARP dissector keeps the first MAC it sees for each address (from the sender
 * fields, and the target fields of replies) and flags every later frame that shows another
 * one; it never takes the new MAC. So it flags any change of MAC, a clean takeover included,
 * and its set of addresses is that of our binding changes; our `ip-conflict` is the narrower
 * "two MACs at once".
 */
const BINDING_CHANGES = ['changed-mac', 'flip-flop', 'reused-mac'];

describe('arpkit analyze on captures of real ARP trouble (network namespaces)', () => {
  labTest(
    'arping -0 meets the owner: probe-conflict naming prober and owner; the free address none',
    tools,
    LAB_MS,
    async (lab) => {
      const scenario = await probeScenario(lab);
      await inTempDir(async (dir) => {
        const { file, captured } = await capture(scenario, () => scenario.run(), dir);
        const result = await analyze(file);
        assertKinds(result, scenario.expected);
        // Two probes for each address, two defences.
        assert.equal(captured, 6);
        assert.equal(result.report.frames.probes, 4);
        const conflicts = ofKind(result.findings, 'probe-conflict');
        assert.ok(conflicts.length > 0);
        for (const conflict of conflicts) {
          assert.equal(conflict.ip, scenario.ownedIp, conflict.text);
          assert.equal(conflict.detail['prober'], scenario.prober.mac);
          assert.equal(conflict.detail['owner'], scenario.owner.mac);
          assert.equal(conflict.detail['rule'], 'defence');
        }
        assert.equal(result.report.findings['probe-conflict'], 2, 'one per defended probe');
      });
    },
  );

  labTest(
    'two stations with one address answer one who-has: ip-conflict naming both; Wireshark agrees',
    wiresharkTools,
    LAB_MS,
    async (lab) => {
      const scenario = await duplicateScenario(lab);
      await inTempDir(async (dir) => {
        let verdict = { duplicatesSeen: false };
        const { file } = await capture(scenario, async () => (verdict = await scenario.run()), dir);
        assert.ok(verdict.duplicatesSeen, 'arping -d saw answers from two MACs');
        const result = await analyze(file);
        assertKinds(result, scenario.expected);
        assert.equal(result.report.frames.replies, 6, 'three who-has, each answered twice');
        const conflicts = ofKind(result.findings, 'ip-conflict');
        assert.deepEqual(new Set(conflicts.map((c) => c.ip)), new Set([scenario.ip]));
        const macs = conflicts[0]!.detail['macs'] as string[];
        assert.deepEqual(new Set(macs), new Set([scenario.first.mac, scenario.second.mac]));
        const wireshark = await wiresharkDuplicates(file);
        assert.deepEqual(wireshark, ipsOf(result.findings, ['ip-conflict']));
        assert.deepEqual(wireshark, ipsOf(result.findings, BINDING_CHANGES));
        const failOn = await arpkitHere(['analyze', '--quiet', '--fail-on', 'ip-conflict', file]);
        assert.equal(failOn.code, 1, failOn.stderr);
      });
    },
  );

  labTest(
    'a VIP taken over and given back 11 s later: changed-mac, flip-flop, no ip-conflict; Wireshark flags the change',
    wiresharkTools,
    LAB_MS,
    async (lab) => {
      const scenario = await takeoverScenario(lab);
      await inTempDir(async (dir) => {
        // Past conflict-window (10 s) after A's last claim: a failback, not two owners at once.
        const { file, captured } = await capture(scenario, () => scenario.run(11_000), dir);
        assert.equal(captured, 3, 'three gratuitous requests');
        const result = await analyze(file);
        assertKinds(result, scenario.expected);
        const [changed] = ofKind(result.findings, 'changed-mac');
        const [back] = ofKind(result.findings, 'flip-flop');
        assert.equal(changed?.ip, scenario.vip);
        assert.equal(changed.mac, scenario.b.mac);
        assert.equal(changed.detail['previousMac'], scenario.a.mac);
        assert.equal(back?.ip, scenario.vip);
        assert.equal(back.mac, scenario.a.mac);
        assert.equal(back.detail['previousMac'], scenario.b.mac);
        assert.ok(changed.ts < back.ts);
        const wireshark = await wiresharkDuplicates(file);
        assert.deepEqual(wireshark, new Set([scenario.vip]), 'Wireshark flags the takeover');
        assert.deepEqual(ipsOf(result.findings, ['ip-conflict']), new Set());
        assert.deepEqual(wireshark, ipsOf(result.findings, BINDING_CHANGES));
        const failOn = await arpkitHere(['analyze', '--quiet', '--fail-on', 'ip-conflict', file]);
        assert.equal(failOn.code, 0, failOn.stdout);
      });
    },
  );

  labTest(
    'a trafgen ARP storm: storm start and end, the sender as top talker, the peak over the threshold',
    stormTools,
    LAB_MS,
    async (lab) => {
      const scenario = await stormScenario(lab);
      await inTempDir(async (dir) => {
        const frames = 6_000;
        const run = () => scenario.run(frames, 200, join(dir, 'storm.cfg'));
        const { file, captured } = await capture(scenario, run, dir);
        assert.equal(captured, frames + 1, 'the flood and the closing announcement');
        const result = await analyze(file);
        assertKinds(result, scenario.expected);
        const sender = scenario.sender.mac;
        const storms = ofKind(result.findings, 'storm');
        const find = (scope: string, state: string) =>
          storms.find((s) => s.detail['scope'] === scope && s.detail['state'] === state);
        const start = find('segment', 'start');
        const end = find('segment', 'end');
        assert.ok(start !== undefined && end !== undefined, storms.map((s) => s.text).join('\n'));
        assert.ok((start.detail['rate'] as number) > 500);
        assert.ok((end.detail['peakRate'] as number) > 500, end.text);
        assert.equal((end.detail['topTalkers'] as string[])[0]?.split('=')[0], sender);
        assert.equal(end.detail['endedBy'], 'quiet', 'the storm ended before the capture did');
        assert.equal(find('sender', 'start')?.mac, sender);
        assert.equal(find('sender', 'end')?.mac, sender);
        assert.equal(storms.length, 4, 'one storm of the segment, one of the sender');
        assert.equal(result.report.topTalkers[0]?.mac, sender);
        assert.equal(result.report.topTalkers[0]?.frames, frames + 1);
      });
    },
  );

  labTest(
    'a neighbour table going stale at once: two refresh bursts, the second unicast, half unanswered, retried after a gap',
    tools,
    LAB_MS,
    async (lab) => {
      const scenario = await refreshScenario(lab);
      await inTempDir(async (dir) => {
        const { file } = await capture(scenario, () => scenario.run(), dir);
        // Every burst is printed, not only the first within report-interval (same sender).
        const result = await analyze(file, ['-t', 'report-interval=0']);
        assertKinds(result, scenario.expected);
        const count = scenario.targets.length;
        const absent = scenario.targets.filter((ip) => !scenario.present.includes(ip));
        const bursts = ofKind(result.findings, 'refresh-burst');
        assert.equal(bursts.length, 2, bursts.map((b) => b.text).join('\n'));
        for (const burst of bursts) {
          assert.equal(burst.mac, scenario.router.mac);
          assert.ok(Math.abs((burst.detail['targets'] as number) - count) <= count * 0.05);
          const fraction = burst.detail['unansweredFraction'] as number;
          assert.ok(Math.abs(fraction - absent.length / count) <= 0.1, burst.text);
        }
        const [resolve, revalidate] = bursts as [JsonFinding, JsonFinding];
        assert.equal(resolve.detail['unicast'], 0, 'first resolution: broadcast');
        const unicast = revalidate.detail['unicast'] as number;
        assert.ok(unicast > 0 && unicast <= scenario.present.length, revalidate.text);
        assert.equal(revalidate.detail['bursts'], 2);
        const period = revalidate.detail['periodSeconds'] as number;
        assert.ok(Math.abs(period - REFRESH_GAP_MS / 1000) < 0.25, `every ${period} s`);
        // One episode per absent target and round (its tries are RETRANS_MS apart), the second
        // opened by a retry-gap.
        const unanswered = ofKind(result.findings, 'unanswered');
        assert.deepEqual(new Set(unanswered.map((u) => u.detail['target'])), new Set(absent));
        assert.equal(unanswered.length, 2 * absent.length);
        for (const each of unanswered) assert.equal(each.detail['asks'], 3, each.text);
        const retries = ofKind(result.findings, 'retry-gap');
        assert.deepEqual(retries.map((r) => r.detail['target']).sort(), [...absent].sort());
        assert.equal(result.report.frames.unicastRequests, unicast);
      });
    },
  );

  test(
    'arp-poison.pcapng: Wireshark’s duplicate addresses are our ip-conflict addresses',
    tsharkOnly.options,
    async () => {
      tsharkOnly.require();
      const result = await analyze(POISON);
      const wireshark = await wiresharkDuplicates(POISON);
      assert.deepEqual(wireshark, new Set(['192.168.1.1', '192.168.1.103']));
      assert.deepEqual(wireshark, ipsOf(result.findings, ['ip-conflict']));
      assert.deepEqual(wireshark, ipsOf(result.findings, BINDING_CHANGES));
    },
  );
});

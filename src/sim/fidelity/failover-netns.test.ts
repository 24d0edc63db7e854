/**
 * Fidelity 5: an active-backup failover as the peer's pings see it, on a real Linux bridge
 * (`kernel-failover.ts`) and in the twin (`sim-failover.ts`). eth0's link fails 0.8 s into a
 * 50 ms ping; the bond fails over to eth1 one miimon later, with bonding's gratuitous ARP or
 * without. On one bridge the flush of p0's entries makes it flood the host's traffic to p1, so
 * the pings come back at the failover either way. Behind a trunk, the far bridge keeps sending
 * to the trunk: the GARP moves the host's MAC at once; without it the pings stay lost until
 * the peer's own entry expires and its broadcast re-resolution reaches the host through eth1
 * (reachable time, DELAY, three unicast probes into the void, FAILED, a broadcast). The twin
 * must lose the pings for as long (10 %, or one ping interval plus miimon) and the bridges must
 * end with the host's MAC on the same port.
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertTime, report } from './compare.js';
import { fidelityTest, fidelityTools } from './harness.js';
import { epochMs, kernelNeighParams, pingEvents, startPing } from './kernel.js';
import { buildFailoverLab, HOST, MIIMON_MS, type Topology } from './kernel-failover.js';
import { monitorNeighbour } from './neigh-watch.js';
import { runFailoverTwin } from './sim-failover.js';
import { calibratedBase } from './sim-twin.js';

const LAB_MS = 30_000;
const tools = fidelityTools(LAB_MS, ['bridge']);

const PING_INTERVAL_MS = 50;
const PINGS = 400;
/** From the first reply to the failure: inside the peer's first REACHABLE (≥ base/2 = 1 s). */
const WARMUP_MS = 800;
/** The longest outage waited for (trunk, no announcement: up to 3 s reachable + 1 s + 0.75 s). */
const MAX_OUTAGE_MS = 8_000;
/** The peer's timers, short: a re-resolution within seconds. */
const PEER_NEIGH = {
  base_reachable_time_ms: 2_000,
  delay_first_probe_time: 1,
  retrans_time_ms: 250,
  ucast_solicit: 3,
  mcast_solicit: 3,
};
/** The bridge the peer is on, and where it should send the host's MAC before and after. */
const EXPECTED: Record<Topology, { bridge: string; before: string; after: string }> = {
  single: { bridge: 'br0', before: 'p0', after: 'p1' },
  trunked: { bridge: 'br2', before: 'tB', after: 'p1' },
};

for (const topology of ['single', 'trunked'] as const) {
  for (const announce of [true, false]) {
    const what = announce ? "bonding's GARP" : 'no announcement';
    describe(`fidelity: bond failover, ${topology} bridge, ${what} (namespaces vs sim)`, () => {
      fidelityTest(
        'pings are lost as long, and the host MAC ends on the same port',
        tools,
        LAB_MS,
        async (lab, note) => {
          const fl = await buildFailoverLab(lab, topology, announce, PEER_NEIGH);
          const peerNeigh = await kernelNeighParams(fl.peer, 'eth0');
          const hostNeigh = await kernelNeighParams(fl.host, 'bond0');
          const expected = EXPECTED[topology];

          // The kernel.
          const monitor = await monitorNeighbour(fl.peer, HOST.ip);
          const ping = startPing(fl.peer, HOST.ip, PING_INTERVAL_MS / 1000, PINGS);
          await ping.waitFor(/icmp_seq=1 /, 5_000);
          await sleep(WARMUP_MS);
          const before = await fl.portOf(expected.bridge, HOST.mac);
          const failedAt = epochMs();
          await fl.fail();
          const recovered = () =>
            pingEvents(ping.output()).some((e) => e.kind === 'reply' && e.time > failedAt + 150);
          for (let waited = 0; waited < MAX_OUTAGE_MS && !recovered(); waited += 50)
            await sleep(50);
          await sleep(300);
          const after = await fl.portOf(expected.bridge, HOST.mac);
          ping.child.kill('SIGINT');
          const notified = await monitor.stop();
          const { downAt, failedOverAt } = await fl.moments();

          const replies = pingEvents(ping.output()).filter((e) => e.kind === 'reply');
          const t0 = replies.find((e) => e.seq === 1)?.time;
          assert.ok(t0 !== undefined, 'the first ping was answered');
          const beforeFail = replies.filter((e) => e.time <= downAt);
          const lastBefore = beforeFail[beforeFail.length - 1]!;
          const firstAfter = replies.find((e) => e.seq > lastBefore.seq);
          assert.ok(firstAfter !== undefined, `no reply within ${MAX_OUTAGE_MS} ms of the failure`);
          const answered = new Set(replies.map((e) => e.seq));
          const lastSeq = replies[replies.length - 1]!.seq;
          let lost = 0;
          for (let seq = lastBefore.seq + 1; seq <= lastSeq; seq++) if (!answered.has(seq)) lost++;
          const interval = (lastBefore.time - t0) / (lastBefore.seq - 1);
          const failMs = downAt - t0;
          // bonding's own failover comes at its next miimon tick, 0–100 ms after: the twin
          // takes the latest, and the tolerance (a ping interval plus miimon) the rest.
          const failoverMs = (failedOverAt ?? downAt + MIIMON_MS) - t0;
          const stale = notified.find((c) => c.state === 'STALE');
          const reachable = notified.find((c) => c.state === 'REACHABLE');
          const lasted =
            stale !== undefined && reachable !== undefined
              ? stale.time - reachable.time
              : peerNeigh.reachableMs;
          const kernel = {
            outage: firstAfter.time - downAt,
            lost,
            before,
            after,
          };

          // The twin, told when eth0 failed and when the bond failed over.
          const peerParams = {
            ...peerNeigh.params,
            base_reachable_time_ms: calibratedBase(lasted),
          };
          const endMs = lastSeq * interval + 200;
          const times = { failMs, failoverMs, intervalMs: interval, endMs };
          const twin = runFailoverTwin(topology, announce, peerParams, hostNeigh.params, times);
          const firstSimAfter = twin.delivered.find((d) => d.time > failMs);
          const outcome = twin.world.stats.outcome(0, twin.flow.sent, (seq) =>
            twin.flow.sentAt(seq),
          );
          const sim = {
            outage: (firstSimAfter?.time ?? Number.NaN) - failMs,
            lost: outcome.lost,
            before: twin.before(expected.bridge),
            after: twin.after(expected.bridge),
          };

          note(
            `${fl.bond}; ping every ${interval.toFixed(1)} ms; ` +
              `eth0 down at ${failMs.toFixed(1)} ms, ` +
              `failover at ${failoverMs.toFixed(1)} ms; peer reachable ${lasted.toFixed(0)} ms`,
          );
          for (const key of Object.keys(kernel) as (keyof typeof kernel)[])
            note(report(key, kernel[key], sim[key]));
          assert.equal(kernel.before, expected.before, 'kernel FDB before');
          assert.equal(kernel.after, expected.after, 'kernel FDB after');
          assert.equal(sim.before, kernel.before, 'sim FDB before');
          assert.equal(sim.after, kernel.after, 'sim FDB after');
          const slack = interval + MIIMON_MS;
          assertTime('outage', kernel.outage, sim.outage, slack);
          assertTime(
            'pings lost (in intervals)',
            kernel.lost * interval,
            sim.lost * interval,
            slack,
          );
        },
      );
    });
  }
}

/**
 * Fidelity 1: an address nobody answers. The kernel broadcasts mcast_solicit requests
 * retrans_time apart, marks the entry FAILED one retrans_time after the last (its held packets
 * come back to ping as "Destination Host Unreachable"), and the next packet starts a new cycle at
 * once. The twin (a Host with a LinuxTable sending to the same silent address at ping's pace)
 * must put out the same requests at the same times and fail at the same moments.
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ArpOp } from '../../wire/arp.js';
import { parseIpv4 } from '../../wire/ipv4.js';
import { MAC_BROADCAST, parseMac } from '../../wire/mac.js';
import { Flow } from '../flow.js';
import { fromMs, MILLISECOND } from '../units.js';
import { assertTimes, report, since } from './compare.js';
import { fidelityTest, fidelityTools } from './harness.js';
import { kernelNeighParams, pingEvents, startPing } from './kernel.js';
import { arpOnly, isBroadcast, startCapture } from './kernel-capture.js';
import { bridgedSegment, STATION_IF } from './kernel-lab.js';
import { monitorNeighbour, timeline, watchNeighbour } from './neigh-watch.js';
import { arpLog, runWatching, segment } from './sim-twin.js';

const LAB_MS = 30_000;
const tools = fidelityTools(LAB_MS);

const ASKER = { role: 'asker', ip: '10.71.0.1', mac: '02:f1:00:00:00:01' };
const OTHER = { role: 'other', ip: '10.71.0.2', mac: '02:f1:00:00:00:02' };
const SILENT = '10.71.0.99';
const MASK = 0xffff_ff00;
/** Under 64 jiffies at HZ=250: the kernel's timer wheel keeps it exact (level 0). */
const RETRANS_MS = 250;
/**
 * Three cycles: ping's packets at 0, 450, 900, 1350, 1800 ms; each cycle fails (3 × 252 ms)
 * about 150 ms before the packet that starts the next one.
 */
const PING_INTERVAL_MS = 450;
const PINGS = 5;
/** Past the third cycle's FAILED (1800 + 3 × 250 ms). */
const OBSERVE_MS = 2_900;

describe('fidelity: unresolved neighbour (namespaces vs sim)', () => {
  fidelityTest(
    'broadcast retries, FAILED after mcast_solicit, a new cycle at the next packet',
    tools,
    LAB_MS,
    async (lab, note) => {
      const neigh = { retrans_time_ms: RETRANS_MS, mcast_solicit: 3, ucast_solicit: 3 };
      const { stations } = await bridgedSegment(lab, [ASKER, OTHER], 24, {
        ...neigh,
        app_solicit: 0,
        mcast_resolicit: 0,
      });
      const asker = stations[0]!;
      const { params } = await kernelNeighParams(asker, STATION_IF);
      // The kernel keeps times in jiffies: at HZ=250, 250 ms is 63 jiffies, 252 ms. The twin
      // takes the time as read.
      assert.ok(
        Math.abs(params.retrans_time_ms - RETRANS_MS) <= 10,
        `retrans ${params.retrans_time_ms}`,
      );

      // The kernel.
      const capture = await startCapture(asker, STATION_IF);
      const monitor = await monitorNeighbour(asker, SILENT);
      const poll = await watchNeighbour(asker, STATION_IF, SILENT);
      const ping = startPing(asker, SILENT, PING_INTERVAL_MS / 1000, PINGS);
      await sleep(OBSERVE_MS);
      const frames = arpOnly(await capture.stop());
      const states = timeline(await monitor.stop(), await poll.stop());
      const askerMac = parseMac(ASKER.mac);
      const requests = frames.filter(
        (f) => f.source === askerMac && f.op === ArpOp.REQUEST && f.targetIp === parseIpv4(SILENT),
      );
      assert.ok(requests.length > 0, 'the kernel sent no request');
      const origin = requests[0]!.time;
      const kernel = {
        requests: since(
          origin,
          requests.map((f) => f.time),
        ),
        broadcast: requests.every(isBroadcast),
        failed: since(
          origin,
          states.filter((s) => s.state === 'FAILED').map((s) => s.time),
        ),
        states: states.map((s) => s.state).filter((s) => s !== 'NONE'),
        unreachable: pingEvents(ping.output()).filter((e) => e.kind === 'unreachable').length,
      };

      // The twin: the same pace from time 0, which is its first request.
      const twin = segment(
        [
          { name: 'asker', ip: ASKER.ip, mac: ASKER.mac, params },
          { name: 'other', ip: OTHER.ip, mac: OTHER.mac, params },
        ],
        OBSERVE_MS,
        MASK,
      );
      const host = twin.hosts.get('asker')!;
      const log = arpLog(host.port);
      const spec = {
        name: 'ping',
        to: parseIpv4(SILENT),
        interval: PING_INTERVAL_MS * MILLISECOND,
        start: 0,
      };
      const flow = new Flow(0, spec, host, twin.world.engine);
      twin.world.flows.push(flow);
      flow.start(fromMs(PING_INTERVAL_MS * (PINGS - 1) + 1));
      const simStates = runWatching(twin.world, host, parseIpv4(SILENT), OBSERVE_MS);
      const simRequests = log.filter(
        ({ frame }) => frame.source === host.mac && frame.op === ArpOp.REQUEST,
      );
      const outcome = twin.world.stats.outcome(0, flow.sent, (seq) => flow.sentAt(seq));
      const sim = {
        requests: simRequests.map((r) => r.time),
        broadcast: simRequests.every((r) => r.frame.destination === MAC_BROADCAST),
        failed: simStates.filter((s) => s.state === 'FAILED').map((s) => s.time),
        states: simStates.map((s) => s.state).filter((s) => s !== 'NONE'),
        unreachable: outcome.lost,
      };

      const why = `kernel ${JSON.stringify(kernel)}\nsim ${JSON.stringify(sim)}`;
      note(report('requests (ms from the first)', kernel.requests, sim.requests));
      note(report('FAILED (ms)', kernel.failed, sim.failed));
      note(report('ping errors', kernel.unreachable, sim.unreachable));
      assert.deepEqual(
        kernel.states,
        ['INCOMPLETE', 'FAILED', 'INCOMPLETE', 'FAILED', 'INCOMPLETE', 'FAILED'],
        why,
      );
      assert.equal(kernel.requests.length, 3 * params.mcast_solicit, why);
      assert.equal(kernel.unreachable, PINGS, why);
      assert.deepEqual(sim.states, kernel.states, why);
      assert.equal(sim.broadcast, kernel.broadcast, why);
      assert.equal(sim.unreachable, kernel.unreachable, why);
      assertTimes('broadcast requests', kernel.requests, sim.requests, RETRANS_MS);
      assertTimes('FAILED', kernel.failed, sim.failed, RETRANS_MS);
    },
  );
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Nda, Ntf, Nud } from '../host/rtnetlink-abi.js';
import { HostSnapshot } from '../host/snapshot.js';
import { macBytes, newNeigh, u32 } from '../testing/rtnetlink-messages.js';
import type { Link } from '../link/link.js';
import { memoryLinkPair, type MemoryLink } from '../link/memory-link.js';
import { failoverDatagrams } from '../testing/bond-messages.js';
import { hypervisor } from '../testing/snapshots.js';
import { watchConfig } from '../testing/watch.js';
import { VirtualClock } from '../time/virtual-clock.js';
import { formatMac, parseMac, readMac } from '../wire/mac.js';

/** The Ethernet source of a frame. */
const sourceOf = (bytes: Uint8Array) => formatMac(readMac(bytes, 6));
import type { WatchInput } from './config-build.js';
import { WatchLog } from './log.js';
import { WatchMetrics } from './metrics.js';
import { Watcher } from './watcher.js';

const HOST = hypervisor().build();
const index = (name: string) => HOST.linkNamed(name)!.index;
const BOND = {
  index: index('bond0'),
  name: 'bond0',
  mac: HOST.linkNamed('bond0')!.mac!,
  master: index('br0'),
};
const FAILOVER = failoverDatagrams({
  bond: BOND,
  from: { index: index('eth0'), name: 'eth0' },
  to: { index: index('eth1'), name: 'eth1' },
});

/** A watcher over HOST on a virtual clock, with the frames each link sent and the log lines. */
function harness(input: WatchInput, host: () => HostSnapshot = () => HOST) {
  const clock = new VirtualClock();
  const links = new Map<string, MemoryLink>();
  const lines: string[] = [];
  const metrics = new WatchMetrics();
  /** How many of the next batches fail, as a full socket buffer fails a send. */
  const failing = { batches: 0 };
  const watcher = new Watcher(watchConfig(input), {
    clock,
    readHost: async () => host(),
    openLink: async (name): Promise<Link> => {
      const [link] = memoryLinkPair(clock);
      const sendBatch = link.sendBatch.bind(link);
      link.sendBatch = (frames) => {
        if (failing.batches === 0) return sendBatch(frames);
        failing.batches -= 1;
        throw new Error(`${name}: send failed: No buffer space available (ENOBUFS)`);
      };
      links.set(name, link);
      return link;
    },
    log: new WatchLog({ write: (text) => lines.push(text.trimEnd()) }, { json: false, clock }),
    metrics,
  });
  /** Frames sent on `name` so far. */
  const sent = (name: string) => links.get(name)?.sent.length ?? 0;
  const settle = async () => {
    await watcher.settled();
    await clock.advance(0);
  };
  return { clock, links, lines, metrics, watcher, sent, settle, failing };
}

/** The failover host's watch: bond0's events, br0's own addresses and its guests. */
const FAILOVER_WATCH: WatchInput = {
  bonds: ['bond0'],
  iface: ['br0'],
  guests: ['br0'],
  triggers: { start: false },
};

describe('Watcher', () => {
  it('announces on the bonding failover bytes the kernel sends, on its schedule', async () => {
    const h = harness(FAILOVER_WATCH);
    await h.watcher.start();
    assert.equal(h.sent('bond0'), 0, 'nothing before the event');
    h.watcher.events(FAILOVER);
    await h.settle();
    const perRound = h.sent('bond0');
    // br0: ARP request + reply for 192.0.2.10 and .11, NA for 2001:db8::10; three guests' RARPs.
    assert.ok(perRound >= 8, `${perRound} frames in the first round`);
    const frames = h.links.get('bond0')!.sent;
    const sources = new Set(frames.map(sourceOf));
    for (const mac of ['52:54:00:00:00:10', '52:54:00:aa:00:01', '52:54:00:aa:00:02']) {
      assert.ok(sources.has(mac), `a frame from ${mac}`);
    }
    await h.clock.advance(1100);
    assert.equal(h.sent('bond0'), 2 * perRound);
    await h.clock.advance(3900);
    assert.equal(h.sent('bond0'), 3 * perRound);
    await h.clock.advance(60_000);
    assert.equal(h.sent('bond0'), 3 * perRound, 'three rounds, no more');
    assert.deepEqual(
      h.lines.filter((line) => line.startsWith('trigger')),
      [
        'trigger bond-failover: bond0: bonding-failover event',
        'trigger bond-failover: bond0: notify-peers event',
      ],
    );
    const report = h.lines.find((line) => line.startsWith('announced'));
    assert.match(
      report ?? '',
      new RegExp(`: ${3 * perRound} frames on bond0; 3 rounds in 5\\.00 s`),
    );
    const text = await h.metrics.text();
    assert.match(text, /arpkit_watch_triggers_total\{kind="bond-failover"\} 2/);
    assert.match(text, /arpkit_watch_event_to_first_frame_seconds_count 1/);
    await h.watcher.stop();
  });

  it('coalesces a burst into one start and restarts the schedule on a later trigger', async () => {
    const h = harness(FAILOVER_WATCH);
    await h.watcher.start();
    h.watcher.events(FAILOVER.slice(2, 3));
    await h.settle();
    const perRound = h.sent('bond0');
    await h.clock.advance(10);
    h.watcher.events(FAILOVER.slice(3, 4)); // 10 ms later: held to the window's end (50 ms)
    await h.settle();
    assert.equal(h.sent('bond0'), perRound, 'held while the window is open');
    await h.clock.advance(40);
    await h.settle();
    assert.equal(h.sent('bond0'), 2 * perRound, 'one restart at the end of the window');
    await h.clock.advance(2000); // round 2 of the restarted schedule went at 1.1 s
    assert.equal(h.sent('bond0'), 3 * perRound);
    h.watcher.events(FAILOVER.slice(2, 3)); // after the window: restarts at once
    await h.settle();
    assert.equal(h.sent('bond0'), 4 * perRound);
    await h.clock.advance(4000); // the old schedule's 5 s round never comes; the new one's 1.1 s does
    assert.equal(h.sent('bond0'), 5 * perRound);
    await h.clock.advance(1000);
    assert.equal(h.sent('bond0'), 6 * perRound, "the new schedule's 5 s round");
    assert.ok(
      h.lines.some((line) => /cut short/.test(line)),
      'the restarted run says so',
    );
    await h.watcher.stop();
  });

  it('announces at start when start is on, and refreshes while idle', async () => {
    const h = harness({ ...FAILOVER_WATCH, triggers: {}, refresh: '100s' });
    await h.watcher.start();
    await h.settle();
    const perRound = h.sent('bond0');
    assert.ok(perRound > 0);
    await h.clock.advance(5000);
    assert.equal(h.sent('bond0'), 3 * perRound);
    await h.clock.advance(100_000);
    assert.equal(h.sent('bond0'), 4 * perRound, 'one refresh round');
    assert.ok(h.lines.includes('trigger refresh: every 100 s'));
    await h.watcher.stop();
  });

  it('announces a learned guest alone, once, beside a running schedule', async () => {
    const h = harness({ ...FAILOVER_WATCH, triggers: { start: false, 'guest-learned': true } });
    await h.watcher.start();
    h.watcher.events(FAILOVER.slice(2, 3));
    await h.settle();
    const perRound = h.sent('bond0');
    // The guest that was on vnet0 is learned on vnet1 (it moved), as the bridge reports it.
    const learned = newNeigh({ ifindex: index('vnet1'), state: Nud.REACHABLE, flags: Ntf.MASTER }, [
      { type: Nda.LLADDR, value: macBytes(parseMac('52:54:00:aa:00:01')) },
      { type: Nda.MASTER, value: u32(index('br0')) },
    ]);
    await h.clock.advance(100);
    h.watcher.events([learned]);
    await h.settle();
    const once = h.links.get('bond0')!.sent.slice(perRound);
    assert.deepEqual(once.map(sourceOf), ['52:54:00:aa:00:01'], 'one RARP from the guest');
    await h.clock.advance(1000);
    assert.equal(
      h.sent('bond0'),
      2 * perRound + 1,
      'the running schedule went on (its 1.1 s round)',
    );
    await h.watcher.stop();
  });

  it('reads the host again after an overrun and announces what changed meanwhile', async () => {
    let host = HOST;
    const h = harness(FAILOVER_WATCH, () => host);
    await h.watcher.start();
    const before = hypervisor().build();
    host = new HostSnapshot({
      links: before.links.map((link) =>
        link.bond === undefined
          ? link
          : { ...link, bond: { ...link.bond, activeSlave: index('eth1') } },
      ),
      addresses: before.addresses,
      fdb: before.fdb,
    });
    const resync = h.watcher.overrun();
    await h.clock.advance(20);
    await resync;
    await h.settle();
    assert.ok(h.lines.includes('trigger bond-failover: bond0: active slave eth0 -> eth1'));
    assert.ok(h.sent('bond0') > 0);
    await h.watcher.stop();
  });

  it('logs a failed send and sends again in the next round', async () => {
    const h = harness(FAILOVER_WATCH);
    await h.watcher.start();
    h.failing.batches = 1;
    h.watcher.events(FAILOVER.slice(2, 3));
    await h.settle();
    assert.equal(h.sent('bond0'), 0, 'the first round failed');
    const failure = h.lines.find((line) => line.includes('not sent'));
    assert.match(
      failure ?? '',
      /^bond0: round 1: \d+ frames not sent: bond0: send failed: .*ENOBUFS/,
    );
    await h.clock.advance(1100);
    const perRound = h.sent('bond0');
    assert.ok(perRound > 0, 'round 2 went out');
    await h.clock.advance(3900);
    assert.equal(h.sent('bond0'), 2 * perRound);
    assert.match(
      h.lines.at(-1)!,
      new RegExp(`: ${2 * perRound} frames on bond0; .*; ${perRound} not sent$`),
    );
    assert.match(
      await h.metrics.text(),
      new RegExp(`arpkit_watch_send_errors_total\\{link="bond0"\\} ${perRound}`),
    );
    await h.watcher.stop();
  });

  it('counts a malformed message and goes on', async () => {
    const h = harness(FAILOVER_WATCH);
    await h.watcher.start();
    const broken = FAILOVER[2]!.slice(0, 30);
    new DataView(broken.buffer).setUint32(0, 30, true);
    h.watcher.events([broken, FAILOVER[2]!]);
    await h.settle();
    assert.ok(h.sent('bond0') > 0, 'the good message still triggers');
    assert.match(await h.metrics.text(), /arpkit_watch_malformed_events_total 1/);
    await h.watcher.stop();
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { Ipv4 } from '../wire/ipv4.js';
import { MAC_BROADCAST, type Mac } from '../wire/mac.js';
import { Engine } from './engine.js';
import type { SimFrame } from './frame.js';
import type { Host, HostOptions } from './host.js';
import type { Link, LinkOptions } from './link.js';
import type { LossCause } from './loss.js';
import { tableFactory } from './neighbour/policy.js';
import { Network } from './network.js';
import type { Packet } from './packet.js';
import { Stats } from './stats.js';
import { SWITCH_DEFAULTS, type Switch, type SwitchParams } from './switch.js';
import { fromMs, MICROSECOND, type Nanos, SECOND } from './units.js';
import { TIMELINE_BIN } from './world.js';

/** What became of one packet: when it was delivered, or why it was first lost. */
interface Fate {
  delivered?: Nanos;
  lost?: LossCause;
}

/** World's Stats, also keeping each packet's fate for the assertions. */
class RecordingStats extends Stats {
  readonly fates = new Map<Packet, Fate>();

  override delivered(packet: Packet, now: Nanos): void {
    this.#fate(packet).delivered = now;
    super.delivered(packet, now);
  }

  override lost(packet: Packet, cause: LossCause): void {
    this.#fate(packet).lost ??= cause;
    super.lost(packet, cause);
  }

  #fate(packet: Packet): Fate {
    let fate = this.fates.get(packet);
    if (fate === undefined) this.fates.set(packet, (fate = {}));
    return fate;
  }
}

const LATENCY = 10 * MICROSECOND;
const linux = tableFactory('x', 'linux', {}, new Map()).create;

/** A segment as World builds one (engine, stats, network), hosts numbered from 1. */
function lab() {
  const engine = new Engine(1);
  const stats = new RecordingStats(TIMELINE_BIN, 100 * SECOND);
  const network = new Network(engine, stats);
  let hosts = 0;
  let flows = 0;
  /** Frames each host's port received (its taps minus what it sent). */
  const received = new Map<Host, SimFrame[]>();
  const host = (
    sw: Switch | undefined,
    options: Partial<HostOptions> = {},
    link: LinkOptions = { latency: LATENCY },
  ): { h: Host; link: Link | undefined } => {
    const n = ++hosts;
    const h = network.addHost(
      `h${n}`,
      {
        mac: (0x0200_0000_0000 + n) as Mac,
        ips: [(0x0a00_0000 + n) as Ipv4],
        mask: 0xffffff00,
        ...options,
      },
      linux,
    );
    const frames: SimFrame[] = [];
    received.set(h, frames);
    h.port.tap = (frame) => {
      if (frame.source !== h.mac) frames.push(frame);
    };
    return { h, link: sw === undefined ? undefined : network.plug(sw, h.port, link) };
  };
  /** Has `from` transmit a data packet to `to` (a host or a MAC) at `at`; returns the packet. */
  const send = (from: Host, to: Host | Mac, at: Nanos = engine.now): Packet => {
    const mac = typeof to === 'number' ? to : to.mac;
    const packet: Packet = {
      flow: flows++,
      seq: 0,
      sentAt: at,
      source: from.ips[0]!,
      destination: typeof to === 'number' ? (0 as Ipv4) : to.ips[0]!,
    };
    engine.at(at, () => from.transmit(packet, mac));
    return packet;
  };
  const fate = (packet: Packet): Fate => stats.fates.get(packet) ?? {};
  const run = (until: Nanos): void => void engine.run(until);
  return { engine, stats, network, host, send, fate, run, received };
}

const params = (p: Partial<SwitchParams>): SwitchParams => ({ ...SWITCH_DEFAULTS, ...p });

describe('switch', () => {
  test('learns sources, floods unknown unicast to its owner only, then forwards without a flood', () => {
    const { network, host, send, fate, run, received } = lab();
    const sw = network.addSwitch('sw');
    const [a, b, c] = [host(sw).h, host(sw).h, host(sw).h];
    const first = send(a, b, 0);
    run(SECOND);
    assert.equal(fate(first).delivered, 2 * LATENCY);
    assert.equal(sw.floods, 1);
    assert.equal(received.get(b)!.length, 1);
    assert.equal(received.get(c)!.length, 0, 'a host that does not own the MAC sees nothing');
    assert.equal(sw.lookup(a.mac), a.port.peer);
    assert.equal(sw.lookup(b.mac), undefined, 'b sent nothing yet');
    const back = send(b, a);
    run(2 * SECOND);
    assert.equal(fate(back).delivered, SECOND + 2 * LATENCY);
    assert.equal(sw.floods, 1, 'a known destination is forwarded, not flooded');
    assert.equal(sw.fdbSize, 2);
    assert.equal(received.get(c)!.length, 0);
    // Unknown unicast to a MAC no host owns goes out of no port.
    const nowhere = send(a, 0x0200_dead_beef as Mac);
    run(3 * SECOND);
    assert.deepEqual(fate(nowhere), { lost: 'no-fdb-entry' });
  });

  test('a broadcast ARP reaches the owner of its target and hosts that read all, across a trunk', () => {
    const { network, host, run, stats } = lab();
    const sw1 = network.addSwitch('sw1');
    const sw2 = network.addSwitch('sw2');
    network.trunk(sw1, sw2, { latency: LATENCY });
    const a = host(sw1).h;
    const b = host(sw2).h;
    const c = host(sw2).h;
    const reader = host(sw1, { inspectsAll: true }).h;
    a.request(b.ips[0]!);
    run(SECOND);
    assert.equal(b.arpReceived, 1);
    assert.equal(c.arpReceived, 0);
    assert.equal(reader.arpReceived, 1);
    assert.equal(a.arpReceived, 1, "b's unicast reply came back");
    assert.deepEqual([sw1.floods, sw2.floods], [1, 1], 'no flood went back over the trunk');
    assert.equal(stats.timeline([]).arpFrames[0], 2);
  });

  test('a broadcast data frame goes to every host that reads all, and nowhere else', () => {
    const { network, host, send, fate, run, received } = lab();
    const sw = network.addSwitch('sw');
    const a = host(sw).h;
    const b = host(sw).h;
    const reader = host(sw, { inspectsAll: true }).h;
    const packet = send(a, MAC_BROADCAST);
    run(SECOND);
    assert.equal(received.get(b)!.length, 0);
    assert.equal(received.get(reader)!.length, 1);
    assert.equal(fate(packet).lost, 'wrong-port', 'the reader does not own its destination IP');
  });

  test('unknown unicast with flood_unknown off is lost as no-fdb-entry until its MAC is learned', () => {
    const { network, host, send, fate, run, stats } = lab();
    const sw = network.addSwitch('sw', params({ flood_unknown: false }));
    const a = host(sw).h;
    const b = host(sw).h;
    const early = send(a, b, 0);
    send(b, a, fromMs(1));
    const late = send(a, b, fromMs(2));
    run(SECOND);
    assert.deepEqual(fate(early), { lost: 'no-fdb-entry' });
    assert.equal(fate(late).delivered, fromMs(2) + 2 * LATENCY);
    assert.equal(stats.lostBy()['no-fdb-entry'], 1);
    // Broadcast still floods.
    a.request(b.ips[0]!);
    run(2 * SECOND);
    assert.equal(b.arpReceived, 1);
  });

  test('property: an entry lives ageing_time_s after the last frame from its MAC, then is gone', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 0, max: 10 * SECOND }),
        fc.integer({ min: 0, max: 1200 * SECOND }),
        (ageing, refresh, probe) => {
          const { network, host, send, run } = lab();
          const sw = network.addSwitch('sw', params({ ageing_time_s: ageing }));
          const a = host(sw, {}, { latency: 0 }).h;
          const b = host(sw, {}, { latency: 0 }).h;
          send(a, b, 0);
          send(a, b, refresh);
          run(refresh + probe);
          const alive = probe < ageing * SECOND;
          assert.equal(
            sw.lookup(a.mac) !== undefined,
            alive,
            `ageing ${ageing} s, ${probe} ns after`,
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  test('an entry is gone exactly ageing_time_s after its last frame, not a nanosecond before', () => {
    const { network, host, send, run } = lab();
    const sw = network.addSwitch('sw', params({ ageing_time_s: 30 }));
    const a = host(sw, {}, { latency: 0 }).h;
    send(a, host(sw).h, SECOND);
    run(31 * SECOND - 1);
    assert.equal(sw.lookup(a.mac), a.port.peer);
    run(31 * SECOND);
    assert.equal(sw.fdbSize, 1, 'entries age lazily');
    assert.equal(sw.lookup(a.mac), undefined);
    assert.equal(sw.fdbSize, 0, 'the lookup removed it');
    // Ageing 0: never.
    const never = lab();
    const sw0 = never.network.addSwitch('sw', params({ ageing_time_s: 0 }));
    const b = never.host(sw0).h;
    never.send(b, never.host(sw0).h, 0);
    never.run(10_000 * SECOND);
    assert.equal(sw0.lookup(b.mac), b.port.peer);
  });

  test('learning off: nothing is learned, every unicast floods', () => {
    const { network, host, send, fate, run } = lab();
    const sw = network.addSwitch('sw', params({ learning: false }));
    const a = host(sw).h;
    const b = host(sw).h;
    send(b, a, 0);
    const packet = send(a, b, fromMs(1));
    run(SECOND);
    assert.equal(sw.fdbSize, 0);
    assert.equal(sw.floods, 2);
    assert.notEqual(fate(packet).delivered, undefined);
  });

  test('max_entries: a full table learns nothing new, but moves known MACs and reuses aged slots', () => {
    const { network, host, send, run } = lab();
    const sw = network.addSwitch('sw', params({ max_entries: 2, ageing_time_s: 10 }));
    const [a, b, c] = [host(sw).h, host(sw).h, host(sw).h];
    send(a, c, 0);
    send(b, c, 0);
    send(c, a, fromMs(1));
    send(a, c, 5 * SECOND);
    run(6 * SECOND);
    assert.equal(sw.fdbSize, 2);
    assert.equal(sw.lookup(c.mac), undefined, 'c came third');
    assert.notEqual(sw.lookup(a.mac), undefined);
    // b's entry ages out at 10 s (a's was refreshed at 5 s): c takes its slot.
    send(c, a, 11 * SECOND);
    run(12 * SECOND);
    assert.equal(sw.lookup(c.mac), c.port.peer);
    assert.equal(sw.lookup(b.mac), undefined);
    assert.equal(sw.fdbSize, 2);
  });

  test('flush_on_link_down forgets the entries of a port whose link goes down', () => {
    for (const flush of [true, false]) {
      const { network, host, send, run } = lab();
      const sw = network.addSwitch('sw', params({ flush_on_link_down: flush }));
      const { h: a, link } = host(sw);
      const b = host(sw).h;
      send(a, b, 0);
      send(b, a, 0);
      run(SECOND);
      link!.setUp(false);
      assert.equal(sw.lookup(a.mac) === undefined, flush, `flush ${flush}`);
      assert.notEqual(sw.lookup(b.mac), undefined);
    }
  });

  test('a data frame forwarded to a port whose link is down is lost as link-down; ARP is not counted', () => {
    const { network, host, send, fate, run, stats } = lab();
    const sw = network.addSwitch('sw', params({ flush_on_link_down: false }));
    const a = host(sw).h;
    const { h: b, link } = host(sw);
    send(b, a, 0);
    run(SECOND);
    link!.setUp(false);
    const packet = send(a, b);
    a.request(b.ips[0]!);
    run(2 * SECOND);
    assert.deepEqual(fate(packet), { lost: 'link-down' });
    assert.equal(b.arpReceived, 0);
    assert.equal(stats.lostBy()['link-down'], 1, 'only the data packet');
    // With the entry flushed the frame floods instead, and a flood that reaches no one is no-fdb-entry.
    sw.flush(link!.a);
    const flooded = send(a, b);
    run(3 * SECOND);
    assert.deepEqual(fate(flooded), { lost: 'no-fdb-entry' });
  });

  test('forwarding-ready delay per end: nothing passes an end before its readyAt, all after', () => {
    const { network, host, send, fate, run } = lab();
    const sw = network.addSwitch('sw', params({ flush_on_link_down: false }));
    const up = SECOND;
    const readyA = fromMs(50); // the switch's end
    const readyB = fromMs(20); // the host's end
    const { h: a, link } = host(
      sw,
      {},
      { latency: LATENCY, readyDelayA: readyA, readyDelayB: readyB },
    );
    const b = host(sw).h;
    send(a, b, 0);
    send(b, a, 0);
    run(fromMs(10));
    link!.setUp(false);
    network.engine.at(up, () => link!.setUp(true));
    // a → switch: a's end first, then the switch end when it arrives.
    const tooSoonA = send(a, b, up + readyB - 1);
    const arrivesEarly = send(a, b, up + readyB);
    const arrivesOnTime = send(a, b, up + readyA - LATENCY);
    // switch → a: the switch end sends only from up + readyA.
    const tooSoonSw = send(b, a, up + readyA - LATENCY - 1);
    const onTimeSw = send(b, a, up + readyA - LATENCY);
    run(up + SECOND);
    assert.deepEqual(fate(tooSoonA), { lost: 'link-down' });
    assert.deepEqual(fate(arrivesEarly), { lost: 'link-down' });
    assert.equal(fate(arrivesOnTime).delivered, up + readyA + LATENCY);
    assert.deepEqual(fate(tooSoonSw), { lost: 'link-down' });
    assert.equal(fate(onTimeSw).delivered, up + readyA + LATENCY);
  });

  test('latency adds up hop by hop (host – switch – trunk – switch – host)', () => {
    const { network, host, send, fate, run } = lab();
    const sw1 = network.addSwitch('sw1');
    const sw2 = network.addSwitch('sw2');
    network.trunk(sw1, sw2, { latency: 5 * MICROSECOND });
    const a = host(sw1, {}, { latency: MICROSECOND }).h;
    const b = host(sw2, {}, { latency: 2 * MICROSECOND }).h;
    const packet = send(a, b, 1234);
    run(SECOND);
    assert.equal(fate(packet).delivered, 1234 + 8 * MICROSECOND);
  });

  test('a frame sent onto a down link, or in flight when it goes down, is lost as link-down', () => {
    const { network, host, send, fate, run } = lab();
    const sw = network.addSwitch('sw');
    const { h: a, link: aLink } = host(sw);
    const { h: b, link } = host(sw, {}, { latency: fromMs(10) });
    const inFlight = send(a, b, 0);
    network.engine.at(fromMs(5), () => link!.setUp(false));
    run(SECOND);
    assert.deepEqual(fate(inFlight), { lost: 'link-down' });
    link!.setUp(true);
    aLink!.setUp(false);
    const ontoDown = send(a, b);
    run(2 * SECOND);
    assert.deepEqual(fate(ontoDown), { lost: 'link-down' });
    aLink!.setUp(true);
    const after = send(a, b);
    run(3 * SECOND);
    assert.equal(fate(after).delivered, 2 * SECOND + LATENCY + fromMs(10));
  });

  test('a frame for a MAC learned on its ingress port is lost as wrong-port', () => {
    const { network, host, send, fate, run } = lab();
    const sw1 = network.addSwitch('sw1');
    const sw2 = network.addSwitch('sw2');
    network.trunk(sw1, sw2, { latency: LATENCY });
    const { h: a, link } = host(sw1);
    const c = host(sw1).h;
    const b = host(sw2).h;
    send(a, b, 0);
    run(SECOND);
    // sw2 knows a behind the trunk; sw1 forgets a (link down) and floods c's frame to the trunk.
    link!.setUp(false);
    const packet = send(c, a);
    run(2 * SECOND);
    assert.deepEqual(fate(packet), { lost: 'wrong-port' });
  });
});

describe('bond (active-backup)', () => {
  /** A host behind a bond with slaves s0 and s1 on one switch, and a peer on that switch. */
  function bonded() {
    const l = lab();
    const sw = l.network.addSwitch('sw', params({ flush_on_link_down: false }));
    const bond = l.network.addBond('bond0');
    const s0 = l.network.plug(sw, bond.addSlave('s0'), { latency: LATENCY });
    const s1 = l.network.plug(sw, bond.addSlave('s1'), { latency: LATENCY });
    const h = l.host(undefined).h;
    l.network.connect(h.port, bond.inner, { latency: 0 });
    const peer = l.host(sw).h;
    /** Frames each slave port saw, with the time (it sees what it sends and what it receives). */
    const out = new Map([s0, s1].map((link) => [link, [] as [SimFrame, Nanos][]]));
    for (const [link, frames] of out) link.b.tap = (frame, time) => frames.push([frame, time]);
    return { ...l, sw, bond, s0, s1, h, peer, out };
  }

  test('frames leave by the active slave only; failover moves them to the other (which must exist)', () => {
    const { bond, sw, s0, s1, h, peer, send, fate, run, out } = bonded();
    assert.equal(bond.active, s0.b);
    // The host's link to the bond has no latency: a frame the bond sends leaves when it is sent
    // (the switch's flood of it comes back to the backup slave 2 × LATENCY later).
    const sent = (link: Link, at: Nanos) =>
      out.get(link)!.filter(([f, time]) => f.source === h.mac && time === at).length;
    const first = send(h, peer, 0);
    run(SECOND);
    assert.deepEqual([sent(s0, 0), sent(s1, 0)], [1, 0]);
    assert.equal(sw.lookup(h.mac), s0.a);
    assert.notEqual(fate(first).delivered, undefined);
    bond.failover(1);
    assert.equal(bond.active, s1.b);
    assert.equal(bond.failovers, 1);
    const after = send(h, peer);
    run(2 * SECOND);
    assert.deepEqual([sent(s0, SECOND), sent(s1, SECOND)], [0, 1]);
    assert.equal(sw.lookup(h.mac), s1.a);
    assert.notEqual(fate(after).delivered, undefined);
    assert.throws(() => bond.failover(2), RangeError);
    assert.throws(() => bond.failover(-1), RangeError);
    assert.equal(bond.failovers, 1);
  });

  test('a flood reaches the host once, by the active slave; the backup copy is dropped', () => {
    const { h, peer, run, out, s1 } = bonded();
    peer.request(h.ips[0]!);
    run(SECOND);
    assert.equal(out.get(s1)!.length, 1, 'the backup slave did receive the broadcast');
    assert.equal(out.get(s1)![0]![0].source, peer.mac);
    assert.equal(h.arpReceived, 1);
  });

  test('after a failover the switch still sends to the old slave: wrong-port, until the host speaks', () => {
    const { bond, sw, s0, s1, h, peer, send, fate, run } = bonded();
    send(h, peer, 0);
    run(SECOND);
    assert.equal(sw.lookup(h.mac), s0.a);
    bond.failover(1);
    const lost = send(peer, h);
    run(2 * SECOND);
    assert.deepEqual(fate(lost), { lost: 'wrong-port' });
    send(h, peer);
    run(3 * SECOND);
    assert.equal(sw.lookup(h.mac), s1.a);
    const back = send(peer, h);
    run(4 * SECOND);
    assert.equal(fate(back).delivered, 3 * SECOND + 2 * LATENCY);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { RecordingHost } from '../../testing/neighbour-host.js';
import { ArpOp } from '../../wire/arp.js';
import type { Ipv4 } from '../../wire/ipv4.js';
import type { Mac } from '../../wire/mac.js';
import { fromMs, fromSeconds, type Nanos, SECOND } from '../units.js';
import { LinuxTable } from './linux.js';
import { checkLinuxParams, LINUX_DEFAULTS, type LinuxParams } from './linux-params.js';
import type { ArpInput } from './table.js';

const ip = (n: number): Ipv4 => (0x0a00_0000 + n) as Ipv4;
const MY_IP = ip(0xffff);
const MY_MAC = 0x0200_0000_ffff as Mac;
const A = 0x0200_0000_000a as Mac;
const B = 0x0200_0000_000b as Mac;
const PEER = ip(1);

function setup(params: Partial<LinuxParams> = {}, seed = 1) {
  const host = new RecordingHost(seed);
  const table = new LinuxTable(host, { ...LINUX_DEFAULTS, ...params });
  /** Runs the engine to `seconds` (absolute virtual time). */
  const at = (seconds: number): void => void host.engine.run(fromSeconds(seconds));
  return { host, table, at };
}

/** A unicast reply to me from `sender` (the answer to my request). */
function reply(sender: Ipv4, mac: Mac, more: Partial<ArpInput> = {}): ArpInput {
  return {
    op: ArpOp.REPLY,
    senderMac: mac,
    senderIp: sender,
    targetMac: MY_MAC,
    targetIp: MY_IP,
    broadcast: false,
    forMe: true,
    gratuitous: false,
    ...more,
  };
}

/** A broadcast request from `sender` for my address. */
const requestForMe = (sender: Ipv4, mac: Mac): ArpInput =>
  reply(sender, mac, { op: ArpOp.REQUEST, targetMac: 0 as Mac, broadcast: true });
/** A broadcast request from `sender` for someone else's address. */
const overheard = (sender: Ipv4, mac: Mac): ArpInput =>
  reply(sender, mac, {
    op: ArpOp.REQUEST,
    targetMac: 0 as Mac,
    targetIp: ip(99),
    broadcast: true,
    forMe: false,
  });
/** A broadcast GARP (request, or reply with tha = sha) from `sender`. */
const garp = (sender: Ipv4, mac: Mac, op: number = ArpOp.REQUEST): ArpInput =>
  reply(sender, mac, {
    op,
    targetMac: op === ArpOp.REPLY ? mac : (0 as Mac),
    targetIp: sender,
    broadcast: true,
    forMe: false,
    gratuitous: true,
  });

const times = (rows: readonly { time: Nanos }[]): number[] => rows.map((r) => r.time / SECOND);
const name = (mac: Mac | undefined): string => (mac === A ? 'A' : mac === B ? 'B' : 'bcast');
/** Requests as `<seconds> <A|B|bcast>`. */
const requests = (host: RecordingHost): string[] =>
  host.requests.map((r) => `${r.time / SECOND} ${name(r.mac)}`);
/** Drops as `<seconds> #<seq> <cause>`. */
const drops = (host: RecordingHost): string[] =>
  host.dropped.map((d) => `${d.time / SECOND} #${d.packet.seq} ${d.cause}`);
/** Packets sent as `#<seq> <A|B>`. */
const sent = (host: RecordingHost): string[] =>
  host.sent.map((x) => `#${x.packet.seq} ${name(x.mac)}`);

/**
 * The REACHABLE time of an entry learnt at `learnAt` in run `seed` (one other entry learnt at 0
 * first when `learnAt` > 0), found exactly by bisecting fresh, identical runs.
 */
function reachableTime(seed: number, learnAt: Nanos = 0): Nanos {
  let lo = learnAt + fromSeconds(15) - 1; // still REACHABLE at lo
  let hi = learnAt + fromSeconds(45); // no longer at hi
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    const { host, table } = setup({}, seed);
    if (learnAt > 0) table.learn(ip(2), B);
    host.engine.run(learnAt);
    table.learn(PEER, A);
    host.engine.run(mid);
    if (table.state(PEER) === 'reachable') lo = mid;
    else hi = mid;
  }
  return hi - learnAt;
}

describe('LinuxTable resolution', () => {
  test('3 broadcasts at 0, 1, 2 s, FAILED at 3 s, held packets dropped', () => {
    const { host, table, at } = setup();
    at(0.5);
    table.output(PEER, host.packet(PEER));
    table.output(PEER, host.packet(PEER));
    assert.equal(table.state(PEER), 'incomplete');
    assert.equal(table.mac(PEER), undefined);
    at(3.499);
    assert.deepEqual(times(host.requests), [0.5, 1.5, 2.5]);
    assert.ok(host.requests.every((r) => r.target === PEER && r.mac === undefined));
    assert.equal(table.state(PEER), 'incomplete');
    at(3.5);
    assert.equal(table.state(PEER), 'failed');
    assert.deepEqual(drops(host), ['3.5 #0 unresolved', '3.5 #1 unresolved']);
    assert.equal(table.counters().failed, 1);
    assert.deepEqual([...host.held], [PEER], 'a FAILED entry is still held');
  });

  test('after FAILED the next packet starts a new cycle at once (no hold-down)', () => {
    const { host, table, at } = setup();
    table.output(PEER, host.packet(PEER));
    at(7);
    table.output(PEER, host.packet(PEER));
    assert.equal(table.state(PEER), 'incomplete');
    at(20);
    assert.deepEqual(times(host.requests), [0, 1, 2, 7, 8, 9]);
    assert.equal(table.counters().failed, 2);
  });

  test('a reply sends the held packets in order and stops the requests', () => {
    const { host, table, at } = setup();
    for (let i = 0; i < 3; i++) table.output(PEER, host.packet(PEER));
    at(1.2);
    table.input(reply(PEER, A));
    assert.equal(table.state(PEER), 'reachable');
    assert.equal(table.mac(PEER), A);
    assert.deepEqual(sent(host), ['#0 A', '#1 A', '#2 A']);
    assert.deepEqual(times(host.sent), [1.2, 1.2, 1.2]);
    at(10);
    assert.deepEqual(times(host.requests), [0, 1]);
  });

  test('the queue holds unres_qlen packets and drops the oldest', () => {
    const { host, table } = setup({ unres_qlen: 3 });
    for (let i = 0; i < 5; i++) table.output(PEER, host.packet(PEER));
    assert.deepEqual(drops(host), ['0 #0 unresolved', '0 #1 unresolved']);
    table.input(reply(PEER, A));
    assert.deepEqual(sent(host), ['#2 A', '#3 A', '#4 A']);
    assert.equal(table.counters().unresDiscards, 2);
    const big = setup();
    for (let i = 0; i < 102; i++) big.table.output(PEER, big.host.packet(PEER));
    assert.equal(big.host.dropped.length, 1, 'the default holds 101');
  });

  test('mcast_solicit 0 fails at once; mcast_resolicit adds broadcasts after the probes', () => {
    const none = setup({ mcast_solicit: 0 });
    none.table.output(PEER, none.host.packet(PEER));
    assert.equal(none.table.state(PEER), 'failed');
    assert.equal(none.host.dropped.length, 1);
    assert.equal(none.host.requests.length, 0);

    const { host, table, at } = setup({ mcast_resolicit: 1 });
    table.input(requestForMe(PEER, A));
    table.output(PEER, host.packet(PEER)); // STALE → DELAY
    at(20);
    assert.deepEqual(requests(host), ['5 A', '6 A', '7 A', '8 bcast']);
    assert.equal(table.state(PEER), 'failed');
  });
});

describe('LinuxTable NUD timers', () => {
  const R = reachableTime(7);

  test('reachable_time is drawn in [15, 45) s and shared by the table', () => {
    assert.ok(R >= fromSeconds(15) && R < fromSeconds(45), `R = ${R}`);
    const { host, table } = setup({}, 7);
    table.learn(PEER, A);
    table.learn(ip(2), B);
    host.engine.run(R - 1);
    assert.deepEqual([table.state(PEER), table.state(ip(2))], ['reachable', 'reachable']);
    host.engine.run(R);
    assert.deepEqual([table.state(PEER), table.state(ip(2))], ['stale', 'stale']);
  });

  test('REACHABLE → STALE when idle; a send makes DELAY; 5 s later PROBE: 3 unicasts, FAILED', () => {
    const { host, table, at } = setup({}, 7);
    table.learn(PEER, A);
    at(50);
    assert.equal(table.state(PEER), 'stale');
    assert.equal(host.requests.length, 0, 'STALE sends nothing by itself');
    table.output(PEER, host.packet(PEER));
    assert.equal(table.state(PEER), 'delay');
    assert.deepEqual(host.sent.at(-1)?.mac, A, 'a STALE entry is used as it is');
    at(54.999);
    assert.equal(table.state(PEER), 'delay');
    at(55);
    assert.equal(table.state(PEER), 'probe');
    table.output(PEER, host.packet(PEER));
    assert.equal(host.sent.at(-1)?.mac, A, 'PROBE still sends to the cached MAC');
    at(60);
    assert.deepEqual(requests(host), ['55 A', '56 A', '57 A']);
    assert.equal(table.state(PEER), 'failed');
    assert.equal(table.mac(PEER), undefined);
  });

  test('a busy REACHABLE entry goes STALE at expiry (its fast path marks no use), DELAY at its next packet', () => {
    const { host, table } = setup({}, 7);
    table.learn(PEER, A);
    host.engine.run(R - 2 * SECOND);
    table.output(PEER, host.packet(PEER));
    host.engine.run(R);
    assert.equal(table.state(PEER), 'stale');
    host.engine.run(R + SECOND);
    table.output(PEER, host.packet(PEER));
    assert.equal(table.state(PEER), 'delay');
    host.engine.run(R + 6 * SECOND);
    assert.equal(table.state(PEER), 'probe');
    assert.deepEqual(host.requests, [{ time: R + 6 * SECOND, target: PEER, mac: A }]);
  });

  test('a unicast reply in DELAY returns to REACHABLE; no probe follows', () => {
    const { host, table, at } = setup({}, 7);
    table.input(requestForMe(PEER, A));
    table.output(PEER, host.packet(PEER));
    at(2);
    table.input(reply(PEER, A));
    assert.equal(table.state(PEER), 'reachable');
    at(10);
    assert.equal(host.requests.length, 0);
  });

  test('a reply confirming again extends REACHABLE (the timer re-arms itself)', () => {
    const { host, table } = setup({}, 7);
    table.learn(PEER, A);
    host.engine.run(R - SECOND);
    table.input(reply(PEER, A));
    host.engine.run(2 * R - 2 * SECOND);
    assert.equal(table.state(PEER), 'reachable');
    host.engine.run(2 * R - SECOND);
    assert.equal(table.state(PEER), 'stale');
  });

  test('a reply ignored under locktime still confirms (neigh_update sets confirmed first)', () => {
    const { host, table, at } = setup();
    table.input(requestForMe(PEER, A));
    table.output(PEER, host.packet(PEER)); // DELAY, updated now
    at(0.5);
    table.input(reply(PEER, B));
    assert.deepEqual([table.state(PEER), table.mac(PEER)], ['delay', A]);
    at(5);
    assert.deepEqual([table.state(PEER), table.mac(PEER)], ['reachable', A]);
    assert.equal(host.requests.length, 0);
  });

  test('per-table reachable_time is kept for 300 s, then redrawn', () => {
    assert.equal(reachableTime(7, fromSeconds(100)), R);
    const redrawn = reachableTime(7, fromSeconds(400));
    assert.notEqual(redrawn, R);
    assert.ok(redrawn >= fromSeconds(15) && redrawn < fromSeconds(45));
  });
});

describe('LinuxTable receive rules (arp.c arp_process)', () => {
  // [input from an unknown sender, state with arp_accept 0, state with arp_accept 1]
  const creation: [string, ArpInput, string | undefined, string | undefined][] = [
    ['request for me', requestForMe(PEER, A), 'stale', 'stale'],
    ['overheard request', overheard(PEER, A), undefined, undefined],
    ['unicast reply', reply(PEER, A), undefined, 'reachable'],
    ['broadcast reply', reply(PEER, A, { broadcast: true }), undefined, 'stale'],
    ['GARP request', garp(PEER, A), undefined, 'stale'],
    ['GARP reply', garp(PEER, A, ArpOp.REPLY), undefined, 'stale'],
    [
      'RFC 5227 probe (sender 0.0.0.0)',
      reply(0 as Ipv4, A, { op: ArpOp.REQUEST }),
      undefined,
      undefined,
    ],
  ];
  for (const [name, input, off, on] of creation) {
    test(`from an unknown sender, ${name}: ${off ?? 'nothing'} / arp_accept=1: ${on ?? 'nothing'}`, () => {
      for (const [accept, expected] of [
        [0, off],
        [1, on],
      ] as const) {
        const { host, table } = setup({ arp_accept: accept });
        assert.equal(table.overhearsAll, accept === 1);
        table.input(input);
        assert.equal(table.state(input.senderIp), expected, `arp_accept=${accept}`);
        assert.equal(host.held.has(input.senderIp), expected !== undefined);
        if (expected !== undefined) assert.equal(table.mac(input.senderIp), A);
      }
    });
  }

  test('arp_accept=2 acts as 1', () => {
    const { table } = setup({ arp_accept: 2 });
    assert.equal(table.overhearsAll, true);
    table.input(garp(PEER, A));
    assert.equal(table.state(PEER), 'stale');
  });

  test('a GARP for my own address teaches nothing', () => {
    const { table } = setup({ arp_accept: 1 });
    table.input({ ...garp(MY_IP, A), forMe: true });
    table.input({ ...garp(MY_IP, A, ArpOp.REPLY), forMe: true });
    assert.equal(table.size, 0);
  });

  // [input from the known sender with MAC B, state and MAC within locktime, after it]
  const updates: [string, ArpInput, string, string][] = [
    ['overheard request', overheard(PEER, B), 'reachable A', 'stale B'],
    ['unicast reply', reply(PEER, B), 'reachable A', 'reachable B'],
    ['broadcast reply', reply(PEER, B, { broadcast: true }), 'reachable A', 'stale B'],
    ['request for me', requestForMe(PEER, B), 'stale B', 'stale B'],
    ['GARP request', garp(PEER, B), 'stale B', 'stale B'],
    ['GARP reply', garp(PEER, B, ArpOp.REPLY), 'stale B', 'stale B'],
  ];
  for (const [name, input, within, after] of updates) {
    test(`a known entry, ${name} with a new MAC: ${within} within locktime, ${after} after`, () => {
      for (const accept of [0, 1] as const) {
        for (const [delay, expected] of [
          [0.5, within],
          [1.5, after],
        ] as const) {
          const { table, at } = setup({ arp_accept: accept });
          at(10);
          table.learn(PEER, A); // REACHABLE A, updated at 10 s
          at(10 + delay);
          table.input(input);
          const mac = table.mac(PEER) === A ? 'A' : 'B';
          assert.equal(
            `${table.state(PEER)} ${mac}`,
            expected,
            `arp_accept=${accept}, +${delay} s`,
          );
        }
      }
    });
  }

  test('the same MAC as a STALE update leaves REACHABLE, DELAY and PROBE as they are', () => {
    const { host, table, at } = setup();
    table.input(requestForMe(ip(3), A));
    table.output(ip(3), host.packet(ip(3))); // DELAY, PROBE at 5 s
    at(5);
    table.input(requestForMe(ip(2), A));
    table.output(ip(2), host.packet(ip(2))); // DELAY
    table.learn(PEER, A); // REACHABLE
    const peers = [PEER, ip(2), ip(3)];
    for (const who of peers) {
      for (const make of [requestForMe, overheard, garp]) table.input(make(who, A));
      table.input(reply(who, A, { broadcast: true }));
    }
    assert.deepEqual(
      peers.map((who) => table.state(who)),
      ['reachable', 'delay', 'probe'],
    );
  });

  test('a request for me resolves an INCOMPLETE entry: STALE, then DELAY from its own packets', () => {
    const { host, table } = setup();
    table.output(PEER, host.packet(PEER));
    table.input(requestForMe(PEER, A));
    assert.equal(table.state(PEER), 'delay');
    assert.deepEqual(sent(host), ['#0 A']);
  });

  test('unknown ARP opcodes are ignored', () => {
    const { table } = setup({ arp_accept: 1 });
    table.input(reply(PEER, A, { op: ArpOp.RARP_REPLY }));
    assert.equal(table.size, 0);
  });
});

describe('LinuxTable garbage collection', () => {
  const many = (table: LinuxTable, from: number, count: number): void => {
    for (let i = 0; i < count; i++) table.input(requestForMe(ip(from + i), A));
  };

  test('entry 1025 within 5 s overflows; after 5 s forced GC frees down to gc_thresh2', () => {
    const { host, table, at } = setup();
    many(table, 1000, 1024);
    at(1);
    table.output(ip(5000), host.packet(ip(5000)));
    table.input(requestForMe(ip(5001), A));
    assert.equal(table.size, 1024);
    assert.deepEqual(drops(host), ['1 #0 unresolved']);
    assert.equal(table.counters().overflows, 2, 'the request for me could not create either');
    at(6);
    table.output(ip(5000), host.packet(ip(5000)));
    assert.equal(table.state(ip(5000)), 'incomplete');
    assert.equal(table.size, 1024 - 513 + 1);
    assert.equal(table.counters().gcDeleted, 513);
    assert.equal(host.held.size, table.size);
  });

  test('entries in a timer state are never forced out; FAILED ones are, at any age', () => {
    const { host, table, at } = setup();
    for (let i = 0; i < 1024; i++) table.output(ip(1000 + i), host.packet(ip(1000 + i)));
    at(1);
    table.output(ip(5000), host.packet(ip(5000)));
    assert.equal(table.state(ip(5000)), undefined, 'INCOMPLETE entries hold their place');
    at(3);
    table.output(ip(5000), host.packet(ip(5000)));
    assert.equal(table.state(ip(5000)), 'incomplete');
    assert.equal(table.counters().overflows, 1);
    assert.equal(table.counters().failed, 1024);
  });

  test('at gc_thresh2, a forced GC runs once the last was over 5 s ago', () => {
    const { host, table, at } = setup();
    many(table, 1000, 600);
    at(5.5);
    table.output(ip(5000), host.packet(ip(5000)));
    assert.equal(table.size, 512);
    at(6);
    table.output(ip(5001), host.packet(ip(5001)));
    assert.equal(table.size, 513, 'the last flush was 0.5 s ago');
    assert.equal(table.counters().forcedGcRuns, 1);
  });

  test('periodic GC deletes unused entries after gc_stale_time once there are gc_thresh1', () => {
    const { host, table, at } = setup();
    many(table, 1000, 200);
    at(59.999);
    assert.equal(table.size, 200);
    at(60); // the sweep every base_reachable_time/2 = 15 s
    assert.equal(table.size, 0);
    assert.equal(table.counters().gcDeleted, 200);
    assert.equal(host.held.size, 0);
    assert.equal(host.engine.pending, 0, 'no sweep is armed for an empty table');
  });

  test('below gc_thresh1 nothing is collected and no sweep is scheduled', () => {
    const { host, table, at } = setup();
    many(table, 1000, 126);
    table.output(ip(5000), host.packet(ip(5000)));
    at(1000);
    assert.equal(table.size, 127, 'the FAILED entry stays too');
    assert.equal(host.engine.pending, 0);
  });

  test('FAILED entries go at the next sweep', () => {
    const { host, table, at } = setup();
    many(table, 1000, 127);
    at(10);
    table.output(ip(5000), host.packet(ip(5000)));
    at(13);
    assert.equal(table.state(ip(5000)), 'failed');
    at(15);
    assert.equal(table.state(ip(5000)), undefined);
    assert.equal(table.size, 127);
  });

  test('10,000 neighbours resolving once cost O(events)', () => {
    const n = 10_000;
    const { host, table, at } = setup({ gc_thresh3: 2 * n });
    for (let i = 0; i < n; i++) table.output(ip(1000 + i), host.packet(ip(1000 + i)));
    at(0.01);
    for (let i = 0; i < n; i++) table.input(reply(ip(1000 + i), A));
    at(200);
    assert.equal(host.sent.length, n);
    assert.equal(host.requests.length, n);
    assert.equal(table.counters().gcDeleted, n, 'all went STALE and were collected');
    assert.ok(host.engine.events <= 2 * n + 20, `${host.engine.events} events`);
  });
});

describe('LinuxTable bookkeeping', () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('output' as const), ip: fc.nat(7) }),
    fc.record({
      kind: fc.constant('input' as const),
      ip: fc.nat(7),
      mac: fc.nat(2),
      reply: fc.boolean(),
      broadcast: fc.boolean(),
      forMe: fc.boolean(),
      gratuitous: fc.boolean(),
    }),
    fc.record({ kind: fc.constant('learn' as const), ip: fc.nat(7), mac: fc.nat(2) }),
    fc.record({ kind: fc.constant('advance' as const), ms: fc.nat(70_000) }),
    fc.record({ kind: fc.constant('clear' as const) }),
  );
  const params = fc.record({
    arp_accept: fc.constantFrom(0 as const, 1 as const),
    gc_thresh1: fc.nat(4),
    gc_thresh2: fc.nat(6),
    gc_thresh3: fc.integer({ min: 1, max: 8 }),
    unres_qlen: fc.nat(3),
    reachable_draw: fc.constantFrom('per-table' as const, 'per-entry' as const),
  });

  test('property: held = entries; every packet is sent or dropped exactly once', () => {
    fc.assert(
      fc.property(params, fc.array(op, { maxLength: 80 }), fc.nat(), (p, ops, seed) => {
        const { host, table } = setup(p, seed);
        let outputs = 0;
        for (const o of ops) {
          if (o.kind === 'output') {
            table.output(ip(o.ip), host.packet(ip(o.ip)));
            outputs++;
          } else if (o.kind === 'input') {
            const sender = ip(o.ip);
            table.input(
              reply(sender, (A + o.mac) as Mac, {
                op: o.reply ? ArpOp.REPLY : ArpOp.REQUEST,
                broadcast: o.broadcast,
                forMe: o.forMe,
                gratuitous: o.gratuitous,
                targetIp: o.gratuitous ? sender : MY_IP,
              }),
            );
          } else if (o.kind === 'learn') table.learn(ip(o.ip), (A + o.mac) as Mac);
          else if (o.kind === 'advance') host.engine.run(host.engine.now + fromMs(o.ms));
          else table.clear();
          const live = [0, 1, 2, 3, 4, 5, 6, 7].map(ip).filter((a) => table.state(a) !== undefined);
          assert.deepEqual([...host.held].sort(), live.sort());
          assert.equal(table.size, live.length);
          assert.ok(table.size <= Math.max(p.gc_thresh3, 0));
          for (const a of live) {
            const valid = ['reachable', 'stale', 'delay', 'probe'].includes(table.state(a)!);
            assert.equal(table.mac(a) !== undefined, valid);
          }
        }
        table.clear();
        const requests = host.requests.length;
        host.engine.run(host.engine.now + fromSeconds(1000));
        assert.equal(host.requests.length, requests, 'no timer outlives clear()');
        const seqs = [...host.sent, ...host.dropped].map((e) => e.packet.seq).sort((a, b) => a - b);
        assert.deepEqual(seqs, [...Array(outputs).keys()]);
      }),
    );
  });

  test('same seed, same requests', () => {
    const run = (seed: number) => {
      const { host, table, at } = setup({}, seed);
      for (let i = 0; i < 20; i++) table.learn(ip(100 + i), A);
      for (let t = 1; t < 300; t += 7) {
        at(t);
        table.output(ip(100 + (t % 20)), host.packet(ip(100 + (t % 20))));
      }
      return host.requests;
    };
    assert.deepEqual(run(3), run(3));
    assert.notDeepEqual(run(3), run(4));
  });

  test('clear() drops held packets, says every entry is gone, and cancels timers', () => {
    const { host, table, at } = setup();
    table.output(PEER, host.packet(PEER));
    table.learn(ip(2), A);
    table.clear();
    assert.equal(table.size, 0);
    assert.equal(host.held.size, 0);
    assert.deepEqual(drops(host), ['0 #0 unresolved']);
    at(100);
    assert.equal(host.requests.length, 1);
    table.output(PEER, host.packet(PEER));
    assert.equal(table.state(PEER), 'incomplete');
  });

  test('parameters: defaults as the sysctls, and out-of-range values refused', () => {
    assert.ok(Object.isFrozen(LINUX_DEFAULTS));
    assert.equal(LINUX_DEFAULTS.base_reachable_time_ms, 30_000);
    assert.equal(LINUX_DEFAULTS.gc_thresh3, 1024);
    assert.equal(checkLinuxParams(LINUX_DEFAULTS), LINUX_DEFAULTS);
    const bad: Partial<Record<keyof LinuxParams, unknown>>[] = [
      { mcast_solicit: -1 },
      { unres_qlen: 1.5 },
      { retrans_time_ms: 0 },
      { locktime_ms: Number.NaN },
      { arp_accept: 3 },
      { reachable_draw: 'sometimes' },
    ];
    for (const change of bad) {
      const name = Object.keys(change)[0]!;
      assert.throws(
        () => new LinuxTable(new RecordingHost(), { ...LINUX_DEFAULTS, ...change } as LinuxParams),
        (e: unknown) => e instanceof RangeError && e.message.startsWith(`${name}:`),
      );
    }
  });
});

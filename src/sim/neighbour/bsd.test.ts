import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ArpOp } from '../../wire/arp.js';
import type { Ipv4 } from '../../wire/ipv4.js';
import {
  AnsweringHost,
  arpInput,
  ip,
  mac,
  runTableOps,
  tableOps,
  traffic,
} from '../../testing/neighbour-fixture.js';
import { MILLISECOND, SECOND, type Nanos } from '../units.js';
import { BSD_DEFAULTS, type BsdParams, BsdTable } from './bsd.js';

function setup(
  params: Partial<BsdParams> = {},
  seed = 1,
): { host: AnsweringHost; table: BsdTable } {
  const host = new AnsweringHost(seed);
  const table = new BsdTable(host, { ...BSD_DEFAULTS, ...params });
  host.table = table;
  return { host, table };
}

const seconds = (times: readonly { time: Nanos }[]): number[] => times.map((r) => r.time / SECOND);

describe('BsdTable: resolution', () => {
  test('5 requests 1 s apart while traffic persists, a 20 s hold-down with drops, then again', () => {
    const { host, table } = setup();
    const X = ip(1);
    traffic(host, table, X, 0, 60 * SECOND, 100 * MILLISECOND);
    host.engine.run(10 * SECOND);
    assert.equal(table.state(X), 'hold-down');
    host.engine.run(59 * SECOND);
    assert.deepEqual(
      seconds(host.requests),
      [0, 1, 2, 3, 4, 25, 26, 27, 28, 29, 50, 51, 52, 53, 54],
    );
    assert.ok(
      host.requests.every((r) => r.target === X && r.mac === undefined),
      'broadcasts',
    );
    assert.equal(host.sent.length, 0);
    assert.ok(host.dropped.every((d) => d.cause === 'unresolved'));
    // Held packets are dropped when the host is declared down (t = 5 s), and so is every
    // packet sent during the hold-down [5 s, 25 s).
    const before25 = host.dropped.filter((d) => d.packet.sentAt < 25 * SECOND);
    assert.equal(before25.length, 250);
    const at5 = host.dropped.filter((d) => d.time === 5 * SECOND);
    assert.equal(
      at5.length,
      1 + 16,
      'one pushed out by the packet that found the host down, then the 16 held',
    );
    assert.equal(table.counters()['holdDowns'], 3);
    host.engine.run(75 * SECOND);
    assert.equal(table.state(X), undefined, 'deleted when the last hold-down ends');
    assert.equal(host.held.size, 0);
  });

  test('no requests during the hold-down; the neighbour answering afterwards resolves it', () => {
    const { host, table } = setup();
    const X = ip(1);
    traffic(host, table, X, 0, 40 * SECOND, 100 * MILLISECOND);
    host.engine.at(25.5 * SECOND, () => host.answers.set(X, mac(1)));
    host.engine.run(40 * SECOND);
    assert.deepEqual(seconds(host.requests), [0, 1, 2, 3, 4, 25, 26]);
    assert.equal(table.state(X), 'reachable');
    // Held from 25.0 s to 26.0 s (11 packets), sent in order when the reply came at 26.001 s.
    const flushed = host.sent.filter((s) => s.time === 26 * SECOND + MILLISECOND);
    assert.deepEqual(
      flushed.map((s) => s.packet.sentAt / MILLISECOND),
      Array.from({ length: 11 }, (_, i) => 25_000 + 100 * i),
    );
    assert.ok(host.sent.every((s) => s.mac === mac(1)));
    assert.equal(host.sent.length, 150, 'every packet from 25 s on was delivered');
  });

  test('at most maxhold packets are held; the oldest are dropped; the rest go out in order', () => {
    const { host, table } = setup();
    const X = ip(1);
    traffic(host, table, X, 0, 200 * MILLISECOND, 10 * MILLISECOND);
    host.engine.at(500 * MILLISECOND, () => table.input(arpInput(ArpOp.REPLY, X, mac(1))));
    host.engine.run(SECOND);
    assert.equal(host.requests.length, 1);
    assert.deepEqual(
      host.dropped.map((d) => [d.packet.seq, d.cause]),
      [0, 1, 2, 3].map((seq) => [seq, 'unresolved']),
    );
    assert.deepEqual(
      host.sent.map((s) => s.packet.seq),
      Array.from({ length: 16 }, (_, i) => 4 + i),
    );
    assert.equal(table.counters()['holdOverflows'], 4);
  });

  test('an unresolved entry without traffic is forgotten down_s after its last request', () => {
    const { host, table } = setup();
    const X = ip(1);
    traffic(host, table, X, 0, 2 * SECOND, 500 * MILLISECOND);
    host.engine.run(20 * SECOND);
    assert.equal(table.state(X), 'incomplete');
    host.engine.run(21 * SECOND);
    assert.equal(table.state(X), undefined);
    assert.equal(host.dropped.length, 4, 'the held packets');
    assert.equal(table.counters()['timeouts'], 1);
  });
});

describe('BsdTable: receive rules (FreeBSD in_arpinput)', () => {
  test('an entry is created only by a frame for this host', () => {
    const { host, table } = setup();
    table.input(arpInput(ArpOp.REQUEST, ip(1), mac(1), { forMe: false }));
    table.input(arpInput(ArpOp.REPLY, ip(2), mac(2), { forMe: false }));
    table.input(arpInput(ArpOp.REQUEST, ip(3), mac(3), { gratuitous: true }));
    table.input(arpInput(ArpOp.REPLY, ip(4), mac(4), { gratuitous: true }));
    table.input(arpInput(ArpOp.REQUEST, ip(5), mac(5)));
    table.input(arpInput(ArpOp.REPLY, ip(6), mac(6)));
    table.input(arpInput(ArpOp.REQUEST, 0 as Ipv4, mac(7))); // an RFC 5227 probe
    assert.deepEqual(
      [...host.held].sort((a, b) => a - b),
      [ip(5), ip(6)],
    );
    assert.equal(table.state(ip(5)), 'reachable');
    assert.equal(table.mac(ip(6)), mac(6));
    assert.equal(table.size, 2);
    assert.equal(table.overhearsAll, false);
  });

  test('learn_all_requests (Hirschmann): every request creates an entry, replies do not', () => {
    const { host, table } = setup({ learn_all_requests: true });
    assert.equal(table.overhearsAll, true);
    table.input(arpInput(ArpOp.REQUEST, ip(1), mac(1), { forMe: false }));
    table.input(arpInput(ArpOp.REQUEST, ip(3), mac(3), { gratuitous: true }));
    table.input(arpInput(ArpOp.REPLY, ip(2), mac(2), { forMe: false }));
    assert.deepEqual(
      [...host.held].sort((a, b) => a - b),
      [ip(1), ip(3)],
    );
  });

  test('an overheard frame updates an existing entry: new MAC, new lifetime', () => {
    const { host, table } = setup();
    const A = ip(1);
    table.learn(A, mac(1));
    traffic(host, table, A, 0, 1300 * SECOND, 10 * SECOND);
    host.engine.at(100 * SECOND, () =>
      table.input(arpInput(ArpOp.REQUEST, A, mac(9), { forMe: false })),
    );
    host.engine.run(1294 * SECOND);
    assert.equal(table.mac(A), mac(9));
    assert.equal(host.requests.length, 0, 'the refresh moved from 1195 s to 1295 s');
    assert.equal(host.sent.at(-1)?.mac, mac(9));
    host.engine.run(1296 * SECOND);
    assert.deepEqual(host.requests, [
      { time: 1295 * SECOND, target: A, mac: mac(9) },
      { time: 1296 * SECOND, target: A, mac: mac(9) },
    ]);
    assert.equal(table.state(A), 'probe');
  });

  test('a reply resolves a held-down entry at once', () => {
    const { host, table } = setup();
    const X = ip(1);
    traffic(host, table, X, 0, 6 * SECOND, SECOND);
    host.engine.run(6 * SECOND);
    assert.equal(table.state(X), 'hold-down');
    table.input(arpInput(ArpOp.REPLY, X, mac(1), { gratuitous: true }));
    assert.equal(table.state(X), 'reachable');
    table.output(X, host.packet(X));
    assert.equal(host.sent.length, 1);
  });
});

describe('BsdTable: refresh (FreeBSD arptimer)', () => {
  test('entries learned together send their refresh requests in the same second, max_age − 5 s', () => {
    const { host, table } = setup();
    const n = 100;
    for (let i = 0; i < n; i++)
      host.engine.at(i * 5 * MILLISECOND, () => table.learn(ip(i), mac(i)));
    for (let i = 0; i < n; i++) traffic(host, table, ip(i), 10 * SECOND, 11 * SECOND, SECOND);
    host.engine.run(1194 * SECOND);
    assert.equal(host.requests.length, 0);
    host.engine.run(1196 * SECOND - 1);
    assert.equal(host.requests.length, n, 'one each, all within [1195 s, 1196 s)');
    assert.ok(
      host.requests.every((r) => r.time >= 1195 * SECOND && r.mac === mac(r.target - ip(0))),
    );
    assert.equal(table.state(ip(0)), 'probe');
    host.engine.run(1201 * SECOND);
    assert.equal(host.requests.length, 5 * n, 'maxtries each, unanswered');
    const perEntry = host.requests.filter((r) => r.target === ip(7)).map((r) => r.time);
    assert.deepEqual(
      perEntry,
      [1195, 1196, 1197, 1198, 1199].map((s) => s * SECOND + 35 * MILLISECOND),
    );
    assert.equal(table.size, 0, 'expired at max_age');
    assert.equal(table.counters()['refreshLost'], n);
  });

  test('an answered refresh renews the entry for max_age; it stays usable meanwhile', () => {
    const { host, table } = setup();
    const A = ip(1);
    host.answers.set(A, mac(1));
    table.learn(A, mac(1));
    traffic(host, table, A, 0, 3000 * SECOND, 100 * SECOND);
    host.engine.at(1195 * SECOND, () => {
      assert.equal(table.state(A), 'probe');
      table.output(A, host.packet(A));
    });
    host.engine.run(3000 * SECOND);
    assert.deepEqual(
      host.requests.map((r) => r.time / MILLISECOND),
      [1_195_000, 2_390_001],
    );
    assert.equal(host.dropped.length, 0);
    assert.ok(host.sent.some((s) => s.time === 1195 * SECOND));
    assert.equal(table.state(A), 'reachable');
  });

  test('unused entries expire at max_age without a request', () => {
    const { host, table } = setup();
    for (let i = 0; i < 10; i++) table.learn(ip(i), mac(i));
    host.engine.run(1200 * SECOND - 1);
    assert.equal(table.size, 10);
    assert.equal(table.state(ip(3)), 'reachable');
    host.engine.run(1200 * SECOND);
    assert.equal(table.size, 0);
    assert.equal(host.requests.length, 0);
    assert.equal(table.counters()['expired'], 10);
    assert.equal(host.held.size, 0);
  });

  test('refresh_unicast false broadcasts the refresh requests', () => {
    const { host, table } = setup({ refresh_unicast: false });
    table.learn(ip(1), mac(1));
    table.output(ip(1), host.packet(ip(1)));
    host.engine.run(1196 * SECOND);
    assert.deepEqual(host.requests, [
      { time: 1195 * SECOND, target: ip(1), mac: undefined },
      { time: 1196 * SECOND, target: ip(1), mac: undefined },
    ]);
  });

  test('parameters out of range are refused', () => {
    assert.throws(() => setup({ rexmit_ms: 0 }), /rexmit_ms: 0 is not above 0/);
    assert.throws(() => setup({ maxhold: -1 }), /maxhold: -1 is below 0/);
  });
});

describe('BsdTable: properties', () => {
  test('holds() matches the entries; packets sent or dropped once; requests spaced', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(tableOps([1, 200, 300, 1000, 2500, 6000, 25_000, 40_000]), { maxLength: 80 }),
        (learnAll, ops) => {
          const { host, table } = setup({
            max_age_s: 30,
            down_s: 5,
            maxtries: 2,
            rexmit_ms: 300,
            maxhold: 2,
            learn_all_requests: learnAll,
          });
          runTableOps(host, table, ops, 300 * MILLISECOND);
        },
      ),
    );
  });
});

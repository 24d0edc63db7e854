import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ArpOp } from '../../wire/arp.js';
import type { SentRequest } from '../../testing/neighbour-host.js';
import {
  AnsweringHost,
  arpInput,
  ip,
  mac,
  runTableOps,
  tableOps,
  traffic,
} from '../../testing/neighbour-fixture.js';
import { MILLISECOND, SECOND } from '../units.js';
import { ROUTER_DEFAULTS, type RouterParams, RouterTable } from './router.js';

function setup(
  params: Partial<RouterParams> = {},
  seed = 1,
): { host: AnsweringHost; table: RouterTable } {
  const host = new AnsweringHost(seed);
  const table = new RouterTable(host, { ...ROUTER_DEFAULTS, ...params });
  host.table = table;
  return { host, table };
}

/** Requests per distinct send time, in time order. */
function perInstant(requests: readonly SentRequest[]): [number, number][] {
  const counts = new Map<number, number>();
  for (const r of requests) counts.set(r.time / SECOND, (counts.get(r.time / SECOND) ?? 0) + 1);
  return [...counts];
}

describe('RouterTable: refresh', () => {
  test('each entry is refreshed at its own timeout, unicast, and stays usable meanwhile', () => {
    const { host, table } = setup();
    const A = ip(1);
    table.learn(A, mac(1));
    host.engine.run(14400 * SECOND - 1);
    assert.equal(host.requests.length, 0);
    host.engine.run(14400 * SECOND);
    assert.deepEqual(host.requests, [{ time: 14400 * SECOND, target: A, mac: mac(1) }]);
    assert.equal(table.state(A), 'probe');
    table.output(A, host.packet(A));
    assert.deepEqual(
      host.sent.map((s) => s.mac),
      [mac(1)],
    );
    host.engine.at(14400.5 * SECOND, () => table.input(arpInput(ArpOp.REPLY, A, mac(1))));
    host.engine.run(28800 * SECOND);
    assert.equal(table.state(A), 'reachable');
    host.engine.run(28801 * SECOND);
    assert.deepEqual(
      host.requests.map((r) => r.time / MILLISECOND),
      [14_400_000, 28_800_500],
      'renewed for a full timeout from the reply',
    );
  });

  test('unanswered refreshes delete the entry and count refreshLost', () => {
    const { host, table } = setup({ timeout_s: 1500, refresh_unicast: false });
    table.learn(ip(1), mac(1));
    host.engine.run(1502 * SECOND);
    assert.equal(table.state(ip(1)), 'probe');
    host.engine.run(1503 * SECOND);
    assert.deepEqual(
      host.requests.map((r) => [r.time / SECOND, r.mac]),
      [
        [1500, undefined],
        [1501, undefined],
        [1502, undefined],
      ],
    );
    assert.equal(table.state(ip(1)), undefined);
    assert.equal(host.held.size, 0);
    assert.equal(table.counters()['refreshLost'], 1);
  });

  test('10,000 entries learned at once: refreshed together without jitter, spread with it', () => {
    const n = 10_000;
    const run = (jitter_s: number): SentRequest[] => {
      const { host, table } = setup({ jitter_s });
      host.answerAll = true;
      for (let i = 0; i < n; i++) table.learn(ip(i), mac(i));
      host.engine.run(16_200 * SECOND);
      assert.equal(table.size, n);
      return host.requests;
    };
    assert.deepEqual(perInstant(run(0)), [[14400, n]]);
    const spread = run(1800);
    assert.equal(spread.length, n, 'one refresh each, answered');
    const bins = new Array<number>(18).fill(0);
    const busiest = new Map<number, number>();
    for (const r of spread) {
      const s = r.time / SECOND;
      assert.ok(s >= 14400 && s < 16200, `${s} s is outside the jitter window`);
      bins[Math.floor((s - 14400) / 100)]!++;
      busiest.set(Math.floor(s), (busiest.get(Math.floor(s)) ?? 0) + 1);
    }
    // 555.6 expected per 100 s bin (sd ≈ 23); about 5.6 per second.
    assert.ok(
      bins.every((b) => b > 450 && b < 660),
      `uneven: ${bins.join(' ')}`,
    );
    assert.ok(Math.max(...busiest.values()) < 25);
  });

  test('a 60 s scan over 10,000 entries learned across 300 s refreshes ~2,000 at a time', () => {
    const n = 10_000;
    const { host, table } = setup({ timeout_s: 300, scan_interval_s: 60 });
    host.answerAll = true;
    for (let i = 0; i < n; i++)
      host.engine.at(i * 30 * MILLISECOND, () => table.learn(ip(i), mac(i)));
    host.engine.run(299 * SECOND);
    assert.equal(host.requests.length, 0);
    assert.equal(table.scanned, 0, 'the scans at 60…240 s found nothing due');
    host.engine.run(900 * SECOND);
    assert.deepEqual(perInstant(host.requests), [
      [300, 2000],
      [360, 2000],
      [420, 2000],
      [480, 2000],
      [540, 2000],
      [600, 2000],
      [660, 2000],
      [720, 2000],
      [780, 2000],
      [840, 2000],
      [900, 2000],
    ]);
    assert.equal(table.scanned, host.requests.length, 'a scan touches only the entries due');
    assert.equal(table.size, n);
    assert.ok(host.requests.every((r) => r.mac === mac(r.target - ip(0))));
  });

  test('a scan refreshes entries that expire before the next scan, early', () => {
    const { host, table } = setup({ timeout_s: 100, scan_interval_s: 60 });
    host.engine.at(30 * SECOND, () => table.learn(ip(1), mac(1))); // expires at 130 s
    host.engine.at(50 * SECOND, () => table.learn(ip(2), mac(2))); // expires at 150 s
    host.engine.run(200 * SECOND);
    assert.deepEqual(
      host.requests.map((r) => [r.time / SECOND, r.target]),
      [
        [120, ip(1)],
        [120, ip(2)],
        [121, ip(1)],
        [121, ip(2)],
        [122, ip(1)],
        [122, ip(2)],
      ],
    );
    assert.equal(table.size, 0);
    assert.equal(table.counters()['refreshLost'], 2);
  });
});

describe('RouterTable: resolution', () => {
  test('resolve_tries broadcasts 1 s apart, then a 20 s hold-down, then again', () => {
    const { host, table } = setup();
    const X = ip(1);
    const first = 50 * MILLISECOND;
    traffic(host, table, X, first, 60 * SECOND, 100 * MILLISECOND);
    host.engine.run(10 * SECOND);
    assert.equal(table.state(X), 'hold-down');
    host.engine.run(60 * SECOND);
    assert.deepEqual(
      host.requests.map((r) => Math.round((r.time - first) / MILLISECOND)),
      [0, 1000, 2000, 23_100, 24_100, 25_100, 46_200, 47_200, 48_200],
    );
    assert.ok(host.requests.every((r) => r.mac === undefined));
    assert.equal(host.sent.length, 0);
    assert.ok(host.dropped.every((d) => d.cause === 'unresolved'));
    assert.equal(table.counters()['holdDowns'], 3, 'at 3.05, 26.15 and 49.25 s');
    // The first packet was held, the others dropped at once; it was dropped at the hold-down.
    assert.deepEqual(host.dropped.find((d) => d.packet.seq === 0)?.time, first + 3 * SECOND);
  });

  test('one packet is held while resolving and sent when the reply comes', () => {
    const { host, table } = setup();
    const X = ip(1);
    host.answers.set(X, mac(1));
    table.output(X, host.packet(X));
    table.output(X, host.packet(X));
    table.output(X, host.packet(X));
    assert.equal(table.state(X), 'incomplete');
    assert.deepEqual(
      host.dropped.map((d) => d.packet.seq),
      [1, 2],
    );
    host.engine.run(SECOND);
    assert.deepEqual(
      host.sent.map((s) => [s.packet.seq, s.mac, s.time]),
      [[0, mac(1), MILLISECOND]],
    );
    assert.equal(table.state(X), 'reachable');
  });

  test('max_entries: new entries beyond it fail and count overflows', () => {
    const { host, table } = setup({ max_entries: 2 });
    table.learn(ip(1), mac(1));
    table.output(ip(2), host.packet(ip(2)));
    table.output(ip(3), host.packet(ip(3)));
    table.input(arpInput(ArpOp.REQUEST, ip(4), mac(4)));
    table.learn(ip(5), mac(5));
    assert.equal(table.size, 2);
    assert.deepEqual(
      host.dropped.map((d) => [d.packet.destination, d.cause]),
      [[ip(3), 'unresolved']],
    );
    assert.equal(table.counters()['overflows'], 3);
    table.input(arpInput(ArpOp.REPLY, ip(2), mac(2)));
    assert.equal(table.state(ip(2)), 'reachable', 'existing entries still update');
  });
});

describe('RouterTable: receive rules', () => {
  test('created by a request for me only; any frame from a known sender renews it', () => {
    const { host, table } = setup({ timeout_s: 1500 });
    table.input(arpInput(ArpOp.REPLY, ip(1), mac(1)));
    table.input(arpInput(ArpOp.REQUEST, ip(2), mac(2), { forMe: false }));
    table.input(arpInput(ArpOp.REQUEST, ip(3), mac(3), { gratuitous: true }));
    table.input(arpInput(ArpOp.REQUEST, ip(4), mac(4)));
    assert.deepEqual([...host.held], [ip(4)]);
    assert.equal(table.overhearsAll, false);
    host.engine.at(1000 * SECOND, () =>
      table.input(arpInput(ArpOp.REQUEST, ip(4), mac(44), { forMe: false })),
    );
    host.engine.run(2499 * SECOND);
    assert.equal(host.requests.length, 0);
    assert.equal(table.mac(ip(4)), mac(44));
    host.engine.run(2500 * SECOND);
    assert.deepEqual(host.requests, [{ time: 2500 * SECOND, target: ip(4), mac: mac(44) }]);
  });

  test('gratuitous_arp_reply false (Junos QFX): GARP replies are ignored, GARP requests are not', () => {
    for (const accept of [true, false]) {
      const { table } = setup({ gratuitous_arp_reply: accept });
      table.learn(ip(1), mac(1));
      table.input(arpInput(ArpOp.REPLY, ip(1), mac(2), { gratuitous: true }));
      assert.equal(table.mac(ip(1)), accept ? mac(2) : mac(1));
      assert.equal(table.counters()['garpIgnored'], accept ? 0 : 1);
      table.input(arpInput(ArpOp.REQUEST, ip(1), mac(3), { gratuitous: true }));
      assert.equal(table.mac(ip(1)), mac(3));
    }
  });

  test('parameters out of range are refused', () => {
    assert.throws(() => setup({ retry_ms: 0 }), /retry_ms: 0 is not above 0/);
    assert.throws(() => setup({ scan_interval_s: -60 }), /scan_interval_s: -60 is below 0/);
  });
});

describe('RouterTable: properties', () => {
  test('holds() matches the entries; packets sent or dropped once; requests spaced', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0, 20),
        fc.constantFrom(0, 3),
        fc.array(tableOps([1, 200, 300, 1000, 2500, 6000, 25_000, 40_000, 70_000]), {
          maxLength: 80,
        }),
        (scan, max, ops) => {
          const { host, table } = setup({
            timeout_s: 60,
            jitter_s: 10,
            scan_interval_s: scan,
            down_s: 5,
            max_entries: max,
          });
          runTableOps(host, table, ops, ROUTER_DEFAULTS.retry_ms * MILLISECOND, () => {
            if (max > 0) assert.ok(table.size <= max);
          });
        },
      ),
    );
  });

  test('the same seed gives the same run; another seed another', () => {
    const run = (seed: number): SentRequest[] => {
      const { host, table } = setup({ timeout_s: 1500, jitter_s: 600, scan_interval_s: 60 }, seed);
      host.answerAll = true;
      for (let i = 0; i < 1000; i++) table.learn(ip(i), mac(i));
      host.engine.run(5000 * SECOND);
      return host.requests;
    };
    assert.deepEqual(run(7), run(7));
    assert.notDeepEqual(run(7), run(8));
  });
});

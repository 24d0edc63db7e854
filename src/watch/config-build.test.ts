import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { AnnounceIp } from '../announce/plan.js';
import { parseIpv4 } from '../wire/ipv4.js';
import { parseIpv6 } from '../wire/ipv6.js';
import { buildWatchConfig, type InputPath, type WatchInput } from './config-build.js';
import type { TriggerKind, WatchConfig } from './watch-config.js';

/** What the test's `fail` throws: the path and message the builder gave. */
class Failed extends Error {
  constructor(
    readonly path: InputPath,
    readonly reason: string,
  ) {
    super(`${path.join('.')}: ${reason}`);
  }
}

function build(input: WatchInput): WatchConfig {
  return buildWatchConfig(input, (path, message) => {
    throw new Failed(path, message);
  });
}

/** Asserts that building `input` fails at `path` with exactly `message`. */
function fails(input: WatchInput, path: InputPath, message: string): void {
  assert.throws(
    () => build(input),
    (error: unknown) => {
      assert.ok(error instanceof Failed, String(error));
      assert.deepEqual([error.path, error.reason], [path, message]);
      return true;
    },
  );
}

const v4 = (text: string): AnnounceIp => ({ family: 'ipv4', ip: parseIpv4(text) });
const v6 = (text: string): AnnounceIp => ({ family: 'ipv6', ip: parseIpv6(text) });
const NOTHING_TO_WATCH =
  'nothing to watch: name a bond, link, bridge or address to watch, or an iface, ip or guests to announce';
const NO_TRIGGER_WATCHES =
  'nothing to watch: no trigger that is on uses the bonds, links, bridges or addresses watched ' +
  '(bond-failover uses bonds; carrier-up and mac-change bonds, links and bridges; ' +
  'port-change and guest-learned bridges; address-added addresses)';
const DEFAULT_ON: [TriggerKind, number[]][] = [
  ['start', [0, 1100, 5000]],
  ['bond-failover', [0, 1100, 5000]],
  ['carrier-up', [0, 1100, 5000, 15_000]],
  ['port-change', [0, 1100, 5000]],
  ['mac-change', [0, 1100, 5000]],
  ['address-added', [0, 1100, 5000]],
];

describe('buildWatchConfig', () => {
  test('defaults: announce every link, every kind on but guest-learned and refresh', () => {
    const config = build({ bonds: ['bond0'] });
    assert.deepEqual(config, {
      announce: {
        options: {
          ifaces: [],
          all: true,
          guests: undefined,
          ips: [],
          uplinks: [],
          macFrame: 'rarp',
          force: false,
        },
        rate: 1000,
      },
      watch: { bonds: ['bond0'], links: [], bridges: [], addresses: [] },
      schedules: new Map(DEFAULT_ON),
      coalesceMs: 50,
      refreshMs: undefined,
    });
  });

  test('every key given', () => {
    const config = build({
      iface: ['br0'],
      all: true,
      guests: ['br0'],
      ip: ['192.0.2.10', '2001:db8::10'],
      uplink: ['bond0'],
      macFrame: 'learn',
      rate: 0,
      bonds: ['bond0'],
      links: ['eth0'],
      bridges: ['br1'],
      addresses: ['192.0.2.20'],
      triggers: {
        start: false,
        'bond-failover': true,
        'carrier-up': [0, '1.1s', '5s', 15],
        'guest-learned': true,
      },
      coalesce: '200ms',
      refresh: '100s',
    });
    assert.deepEqual(config.announce, {
      options: {
        ifaces: ['br0'],
        all: true,
        guests: ['br0'],
        ips: [v4('192.0.2.10'), v6('2001:db8::10')],
        uplinks: ['bond0'],
        macFrame: 'learn',
        force: false,
      },
      rate: 0,
    });
    assert.deepEqual(config.watch, {
      bonds: ['bond0'],
      links: ['eth0', 'br0'],
      bridges: ['br1', 'br0'],
      addresses: [v4('192.0.2.20'), v4('192.0.2.10'), v6('2001:db8::10')],
    });
    assert.deepEqual(
      config.schedules,
      new Map<TriggerKind, number[]>([
        ['bond-failover', [0, 1100, 5000]],
        ['carrier-up', [0, 1100, 5000, 15_000]],
        ['port-change', [0, 1100, 5000]],
        ['mac-change', [0, 1100, 5000]],
        ['address-added', [0, 1100, 5000]],
        ['guest-learned', [0]],
        ['refresh', [0]],
      ]),
    );
    assert.equal(config.coalesceMs, 200);
    assert.equal(config.refreshMs, 100_000);
  });

  test('a selector replaces the default all; an empty guests list is none', () => {
    assert.equal(build({ iface: ['eth0'] }).announce.options.all, false);
    assert.equal(build({ ip: ['192.0.2.1'] }).announce.options.all, false);
    assert.equal(build({ guests: ['br0'] }).announce.options.all, false);
    const empty = build({ guests: [], bonds: ['bond0'] }).announce.options;
    assert.deepEqual([empty.guests, empty.all], [undefined, true]);
  });

  test('guests: true announces and watches every bridge', () => {
    const config = build({ guests: true, bridges: ['br0'] });
    assert.equal(config.announce.options.guests, 'all');
    assert.equal(config.watch.bridges, 'all');
    assert.equal(build({ bridges: 'all', guests: ['br0'] }).watch.bridges, 'all');
  });

  test('derived targets are deduplicated, first kept, in order', () => {
    const config = build({
      iface: ['eth1', 'eth0', 'eth1'],
      links: ['eth0', 'eth2'],
      guests: ['br1', 'br0'],
      bridges: ['br0', 'br0'],
      bonds: ['bond0', 'bond0'],
      ip: ['192.0.2.1', '2001:DB8::1', '192.0.2.1'],
      addresses: ['2001:db8:0::1', '192.0.2.2'],
    });
    assert.deepEqual(config.watch, {
      bonds: ['bond0'],
      links: ['eth0', 'eth2', 'eth1'],
      bridges: ['br0', 'br1'],
      addresses: [v6('2001:db8::1'), v4('192.0.2.2'), v4('192.0.2.1')],
    });
    assert.equal(build({ addresses: 'any', ip: ['192.0.2.1'] }).watch.addresses, 'any');
  });

  test('durations: numbers are seconds, text as the command line, without float noise', () => {
    const config = build({
      bonds: ['b'],
      triggers: { start: [0, 1.005, '1.5s', '2m', '1h'] },
      coalesce: 0.2,
      refresh: 1,
    });
    assert.deepEqual(config.schedules.get('start'), [0, 1005, 1500, 120_000, 3_600_000]);
    assert.equal(config.coalesceMs, 200);
    assert.equal(config.refreshMs, 1000);
    assert.equal(build({ bonds: ['b'], refresh: '24h' }).refreshMs, 86_400_000);
    assert.equal(build({ bonds: ['b'], refresh: false }).schedules.has('refresh'), false);
    assert.equal(build({ bonds: ['b'], coalesce: 0 }).coalesceMs, 0);
    assert.equal(build({ bonds: ['b'], coalesce: '10s' }).coalesceMs, 10_000);
    const hundred = Array.from({ length: 100 }, (_, i) => `${i}s`);
    assert.equal(
      build({ bonds: ['b'], triggers: { start: hundred } }).schedules.get('start')?.length,
      100,
    );
  });

  test('a default schedule is a copy', () => {
    const a = build({ bonds: ['b'] }).schedules.get('start') as number[];
    a.push(99);
    assert.deepEqual(build({ bonds: ['b'] }).schedules.get('start'), [0, 1100, 5000]);
  });

  test('errors name the key and what was expected', () => {
    const b = { bonds: ['bond0'] } as const;
    const table: [WatchInput, InputPath, string][] = [
      [
        { ...b, ip: ['192.0.2.1', '192.0.2.256'] },
        ['ip', 1],
        '"192.0.2.256" is not an IPv4 address (e.g. 192.0.2.1)',
      ],
      [
        { ...b, ip: ['2001:db8::g'] },
        ['ip', 0],
        '"2001:db8::g" is not an IPv6 address (e.g. 2001:db8::1)',
      ],
      [{ ...b, addresses: ['x'] }, ['addresses', 0], '"x" is not an IPv4 address (e.g. 192.0.2.1)'],
      [
        { ...b, addresses: 'every' as 'any' },
        ['addresses'],
        '"every" is not a list of IP addresses or any',
      ],
      [
        { ...b, bridges: 'any' as 'all' },
        ['bridges'],
        '"any" is not a list of bridge names (e.g. [br0]) or all',
      ],
      [{ ...b, rate: 1.5 }, ['rate'], '1.5 is not a whole number from 0 to 10000000'],
      [{ ...b, rate: -1 }, ['rate'], '-1 is not a whole number from 0 to 10000000'],
      [{ ...b, rate: 10_000_001 }, ['rate'], '10000001 is not a whole number from 0 to 10000000'],
      [
        { ...b, all: false },
        ['all'],
        'nothing to announce: all is false and no iface, guests or ip is given',
      ],
      [
        { ...b, triggers: { 'carrier-up': [0, '1.1x'] } },
        ['triggers', 'carrier-up', 1],
        '"1.1x" is not a duration (e.g. 200ms, 1.1s, 2m)',
      ],
      [
        { ...b, triggers: { start: [0, -1] } },
        ['triggers', 'start', 1],
        '-1 is not a duration (e.g. 200ms, 1.1s, 2m)',
      ],
      [
        { ...b, triggers: { start: [0, Infinity] } },
        ['triggers', 'start', 1],
        'Infinity is not a duration (e.g. 200ms, 1.1s, 2m)',
      ],
      [
        { ...b, triggers: { start: ['1s', '2s'] } },
        ['triggers', 'start', 0],
        '"1s" is not 0: a schedule starts at 0, the trigger (e.g. [0, 1.1s, 5s])',
      ],
      [
        { ...b, triggers: { start: [0, '5s', 5] } },
        ['triggers', 'start', 2],
        '5 is not after the round before it ("5s"); expected rising times',
      ],
      [
        { ...b, triggers: { start: [0, '61m'] } },
        ['triggers', 'start', 1],
        '"61m" is later than 1h; expected rounds within an hour of the trigger',
      ],
      [
        { ...b, triggers: { start: [] } },
        ['triggers', 'start'],
        'an empty list is not a schedule (e.g. [0, 1.1s, 5s]; false turns it off)',
      ],
      [
        { ...b, triggers: { start: Array.from({ length: 101 }, (_, i) => i) } },
        ['triggers', 'start'],
        'a schedule of 101 rounds is too long; expected at most 100',
      ],
      [
        { ...b, coalesce: '10.5s' },
        ['coalesce'],
        '"10.5s" is not a coalescing window from 0 to 10s (e.g. 50ms)',
      ],
      [{ ...b, coalesce: 'soon' }, ['coalesce'], '"soon" is not a duration (e.g. 200ms, 1.1s, 2m)'],
      [
        { ...b, refresh: '999ms' },
        ['refresh'],
        '"999ms" is not a refresh interval from 1s to 24h (e.g. 100s)',
      ],
      [
        { ...b, refresh: 86_401 },
        ['refresh'],
        '86401 is not a refresh interval from 1s to 24h (e.g. 100s)',
      ],
      [{}, [], NOTHING_TO_WATCH],
      [{ all: true, refresh: '1m' }, [], NOTHING_TO_WATCH],
      [
        { ...b, triggers: { 'bond-failover': false, 'carrier-up': false, 'mac-change': false } },
        ['triggers'],
        NO_TRIGGER_WATCHES,
      ],
      [
        { addresses: 'any', triggers: { 'address-added': false } },
        ['triggers'],
        NO_TRIGGER_WATCHES,
      ],
      [
        { links: ['eth0'], triggers: { 'carrier-up': false, 'mac-change': false } },
        ['triggers'],
        NO_TRIGGER_WATCHES,
      ],
    ];
    for (const [input, path, message] of table) fails(input, path, message);
  });

  test('each target is enough with its own triggers on', () => {
    build({
      bridges: ['br0'],
      triggers: { 'carrier-up': false, 'port-change': false, 'guest-learned': true },
    });
    build({ links: ['eth0'], triggers: { 'carrier-up': false } });
    build({ iface: ['eth0'] });
    build({ ip: ['192.0.2.1'] });
    build({ guests: true });
  });

  test('property: a rising schedule, however written, is the right ms', () => {
    /** Ways to write `ms`: as ms, as seconds in text or as a number, in minutes or hours. */
    const written = (ms: number): fc.Arbitrary<string | number> => {
      const ways: (string | number)[] = [`${ms}ms`, `${ms / 1000}s`, ms / 1000, `${ms / 1000}`];
      if (ms % 60_000 === 0) ways.push(`${ms / 60_000}m`);
      if (ms % 3_600_000 === 0) ways.push(`${ms / 3_600_000}h`);
      return fc.constantFrom(...ways);
    };
    const schedule = fc
      .uniqueArray(fc.integer({ min: 1, max: 3_600_000 }), { maxLength: 99 })
      .map((rest) => [0, ...rest.sort((a, b) => a - b)]);
    fc.assert(
      fc.property(
        schedule.chain((ms) => fc.tuple(fc.constant(ms), fc.tuple(...ms.map(written)))),
        ([ms, rounds]) => {
          const config = build({ bonds: ['b'], triggers: { 'mac-change': rounds } });
          assert.deepEqual(config.schedules.get('mac-change'), ms);
        },
      ),
    );
  });

  test('property: any values of the right types build or fail, never throw otherwise', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 8 }),
      fc.constantFrom('0', '1s', '::1', 'all', 'any'),
    );
    const texts = fc.array(text, { maxLength: 4 });
    const rounds = fc.oneof(fc.boolean(), fc.array(fc.oneof(text, fc.double()), { maxLength: 4 }));
    const input = fc.record(
      {
        iface: texts,
        all: fc.boolean(),
        guests: fc.oneof(fc.constant(true as const), texts),
        ip: texts,
        uplink: texts,
        macFrame: fc.constantFrom('rarp' as const, 'learn' as const),
        rate: fc.oneof(fc.integer(), fc.double()),
        bonds: texts,
        links: texts,
        bridges: fc.oneof(texts, text) as fc.Arbitrary<string[] | 'all'>,
        addresses: fc.oneof(texts, text) as fc.Arbitrary<string[] | 'any'>,
        triggers: fc.record({ start: rounds, 'carrier-up': rounds }, { requiredKeys: [] }),
        coalesce: fc.oneof(text, fc.double()),
        refresh: fc.oneof(text, fc.double(), fc.constant(false as const)),
      },
      { requiredKeys: [], noNullPrototype: true },
    );
    fc.assert(
      fc.property(input, (value) => {
        try {
          build(value as WatchInput);
        } catch (error) {
          assert.ok(error instanceof Failed, String(error));
        }
      }),
    );
  });
});

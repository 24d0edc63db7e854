import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { BatchEvent, FailureEvent } from '../announce/announcer.js';
import type { PlannedFrame } from '../announce/plan.js';
import { type SendSpec, sendFrame } from '../announce/send-frame.js';
import { parseIpv4 } from '../wire/ipv4.js';
import { parseIpv6 } from '../wire/ipv6.js';
import { parseMac } from '../wire/mac.js';
import { serveMetrics } from '../io/metrics-server.js';
import {
  ANNOUNCE_BUCKETS,
  FIRST_FRAME_BUCKETS,
  LEFT_OUT_DEFAULT_METRICS,
  METRIC_PREFIX,
  WatchMetrics,
} from './metrics.js';
import { TRIGGER_KINDS } from './watch-config.js';

/** What a scrape says: each sample by `name{label="value",…}` (labels sorted), and each type. */
interface Exposition {
  readonly samples: ReadonlyMap<string, number>;
  readonly types: ReadonlyMap<string, string>;
}

/** A sample's key: its name and its labels sorted by name, as `parseExposition` keys them. */
function key(name: string, labels: Readonly<Record<string, string>> = {}): string {
  const pairs = Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([label, value]) => `${label}=${JSON.stringify(value)}`);
  return pairs.length === 0 ? name : `${name}{${pairs.join(',')}}`;
}

/**
 * Parses the text exposition format 0.0.4: `# TYPE` lines, and samples `name{labels} value`
 * whose label values escape `\\`, `\"` and `\n`. Fails on any other line.
 */
function parseExposition(text: string): Exposition {
  const samples = new Map<string, number>();
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ')) continue;
    const type =
      /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type !== null) {
      types.set(type[1]!, type[2]!);
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(sample !== null, `not a sample: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    const pairs = sample[2] ?? '';
    const pair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/gy;
    let match: RegExpExecArray | null;
    let end = 0;
    while ((match = pair.exec(pairs)) !== null) {
      labels[match[1]!] = match[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      end = pair.lastIndex;
    }
    assert.equal(end, pairs.length, `labels of ${line}`);
    const value = sample[3]!;
    const number = value === '+Inf' ? Infinity : value === '-Inf' ? -Infinity : Number(value);
    assert.ok(!Number.isNaN(number) || value === 'NaN', `value of ${line}`);
    samples.set(key(sample[1]!, labels), number);
  }
  return { samples, types };
}

/** The value of one sample, which must be there. */
function valueOf(
  exposition: Exposition,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number {
  const value = exposition.samples.get(key(name, labels));
  assert.ok(value !== undefined, `no sample ${key(name, labels)}`);
  return value;
}

/** The keys of the samples of `metric` (with its `_bucket`, `_sum` and `_count`). */
function samplesOf(exposition: Exposition, metric: string): string[] {
  const names = new Set([metric, `${metric}_bucket`, `${metric}_sum`, `${metric}_count`]);
  return [...exposition.samples.keys()].filter((k) => names.has(k.split('{', 1)[0]!));
}

/** Parses what `metrics` exposes now. */
async function scrape(metrics: WatchMetrics): Promise<Exposition> {
  return parseExposition(await metrics.text());
}

const MAC = parseMac('52:54:00:aa:bb:01');

/** A frame planned on `egress` for `spec`. */
function planned(egress: string, spec: SendSpec): PlannedFrame {
  return { egress, spec, frame: sendFrame(spec), source: 'ip' };
}

const V4 = parseIpv4('192.0.2.10');
const V6 = parseIpv6('2001:db8::10');

/** A batch of `frames` on `egress`. */
function batch(egress: string, frames: readonly PlannedFrame[], round = 0): BatchEvent {
  return { egress, round, frames, timeMs: 1_700_000_000_000 };
}

describe('WatchMetrics', () => {
  test('every series exists from the start, at zero', async () => {
    const exposition = await scrape(new WatchMetrics());
    for (const kind of TRIGGER_KINDS) {
      assert.equal(valueOf(exposition, 'arpkit_watch_triggers_total', { kind }), 0);
    }
    assert.equal(valueOf(exposition, 'arpkit_watch_config_reloads_total', { result: 'ok' }), 0);
    assert.equal(valueOf(exposition, 'arpkit_watch_config_reloads_total', { result: 'failed' }), 0);
    assert.equal(valueOf(exposition, 'arpkit_watch_netlink_overruns_total'), 0);
    assert.equal(valueOf(exposition, 'arpkit_watch_malformed_events_total'), 0);
    assert.equal(valueOf(exposition, 'arpkit_watch_announcing'), 0);
    for (const name of ['announce_duration_seconds', 'event_to_first_frame_seconds']) {
      assert.equal(valueOf(exposition, `arpkit_watch_${name}_count`), 0);
      assert.equal(valueOf(exposition, `arpkit_watch_${name}_sum`), 0);
    }
    assert.deepEqual(samplesOf(exposition, 'arpkit_watch_frames_sent_total'), []);
    assert.deepEqual(samplesOf(exposition, 'arpkit_watch_send_errors_total'), []);
  });

  test('each series has its type and the prefix', async () => {
    const { types } = await scrape(new WatchMetrics());
    const ours = new Map([...types].filter(([name]) => name.startsWith(METRIC_PREFIX)));
    assert.deepEqual(
      ours,
      new Map([
        ['arpkit_watch_triggers_total', 'counter'],
        ['arpkit_watch_frames_sent_total', 'counter'],
        ['arpkit_watch_send_errors_total', 'counter'],
        ['arpkit_watch_announce_duration_seconds', 'histogram'],
        ['arpkit_watch_event_to_first_frame_seconds', 'histogram'],
        ['arpkit_watch_netlink_overruns_total', 'counter'],
        ['arpkit_watch_malformed_events_total', 'counter'],
        ['arpkit_watch_config_reloads_total', 'counter'],
        ['arpkit_watch_announcing', 'gauge'],
      ]),
    );
  });

  test("prom-client's process metrics are there, but not those of the periodic monitor", async () => {
    const { types, samples } = await scrape(new WatchMetrics());
    for (const name of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'process_open_fds',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_gc_duration_seconds',
    ]) {
      assert.ok(types.has(name), `no ${name}`);
    }
    for (const name of LEFT_OUT_DEFAULT_METRICS) {
      assert.equal(types.has(name), false, `${name} is exposed`);
      assert.deepEqual(samplesOf({ samples, types }, name), []);
    }
  });

  test('counts triggers, frames per link and kind, errors, reloads; the gauge follows', async () => {
    const metrics = new WatchMetrics();
    metrics.triggered('bond-failover');
    metrics.triggered('bond-failover');
    metrics.triggered('carrier-up');
    const request = planned('eth0', { kind: 'request', mac: MAC, ip: V4 });
    const reply = planned('eth0', { kind: 'reply', mac: MAC, ip: V4 });
    const na = planned('eth0', { kind: 'na', mac: MAC, ip: V6 });
    metrics.sent(batch('eth0', [request, reply, na]));
    metrics.sent(batch('eth0', [request, reply], 1));
    metrics.sent(batch('eth1', [{ ...na, egress: 'eth1' }]));
    const failure: FailureEvent = {
      ...batch(
        'eth1',
        [
          { ...request, egress: 'eth1' },
          { ...reply, egress: 'eth1' },
        ],
        1,
      ),
      message: 'eth1: sent 0 of 2 frames',
    };
    metrics.failed(failure);
    metrics.overrun();
    metrics.malformed(3);
    metrics.malformed(0);
    metrics.reloaded(true);
    metrics.reloaded(false);
    metrics.reloaded(false);
    metrics.announcing(true);

    const exposition = await scrape(metrics);
    const triggers = (kind: string) => valueOf(exposition, 'arpkit_watch_triggers_total', { kind });
    assert.equal(triggers('bond-failover'), 2);
    assert.equal(triggers('carrier-up'), 1);
    assert.equal(triggers('start'), 0);
    const frames = (link: string, kind: string) =>
      valueOf(exposition, 'arpkit_watch_frames_sent_total', { link, kind });
    assert.equal(frames('eth0', 'request'), 2);
    assert.equal(frames('eth0', 'reply'), 2);
    assert.equal(frames('eth0', 'na'), 1);
    assert.equal(frames('eth1', 'na'), 1);
    assert.equal(samplesOf(exposition, 'arpkit_watch_frames_sent_total').length, 4);
    assert.equal(valueOf(exposition, 'arpkit_watch_send_errors_total', { link: 'eth0' }), 0);
    assert.equal(valueOf(exposition, 'arpkit_watch_send_errors_total', { link: 'eth1' }), 2);
    assert.equal(valueOf(exposition, 'arpkit_watch_netlink_overruns_total'), 1);
    assert.equal(valueOf(exposition, 'arpkit_watch_malformed_events_total'), 3);
    assert.equal(valueOf(exposition, 'arpkit_watch_config_reloads_total', { result: 'ok' }), 1);
    assert.equal(valueOf(exposition, 'arpkit_watch_config_reloads_total', { result: 'failed' }), 2);
    assert.equal(valueOf(exposition, 'arpkit_watch_announcing'), 1);

    metrics.announcing(false);
    assert.equal(valueOf(await scrape(metrics), 'arpkit_watch_announcing'), 0);
  });

  test('histograms put each duration in its buckets', async () => {
    const metrics = new WatchMetrics();
    metrics.announced(5.012); // the default schedule, on time
    metrics.announced(0.004);
    metrics.firstFrame(0.0042);
    metrics.firstFrame(0.018);
    metrics.firstFrame(0.031);
    const exposition = await scrape(metrics);

    const announce = 'arpkit_watch_announce_duration_seconds';
    const cumulative = (name: string, le: string) => valueOf(exposition, `${name}_bucket`, { le });
    assert.equal(cumulative(announce, '0.01'), 1);
    assert.equal(cumulative(announce, '5'), 1);
    assert.equal(cumulative(announce, '5.5'), 2);
    assert.equal(cumulative(announce, '+Inf'), 2);
    assert.equal(valueOf(exposition, `${announce}_count`), 2);
    assert.ok(Math.abs(valueOf(exposition, `${announce}_sum`) - 5.016) < 1e-9);

    const first = 'arpkit_watch_event_to_first_frame_seconds';
    assert.equal(cumulative(first, '0.0005'), 0);
    assert.equal(cumulative(first, '0.003'), 0);
    assert.equal(cumulative(first, '0.005'), 1);
    assert.equal(cumulative(first, '0.0175'), 1);
    assert.equal(cumulative(first, '0.02'), 2);
    assert.equal(cumulative(first, '0.025'), 2);
    assert.equal(cumulative(first, '0.05'), 3);
    assert.equal(cumulative(first, '1'), 3);
    assert.equal(valueOf(exposition, `${first}_count`), 3);
  });

  test('bucket bounds are the ones documented, rising, over the asked range', async () => {
    const exposition = await scrape(new WatchMetrics());
    const bounds = (name: string) =>
      [...exposition.samples.keys()]
        .filter((k) => k.startsWith(`${name}_bucket{`))
        .map((k) => /le="([^"]+)"/.exec(k)![1]!)
        .filter((le) => le !== '+Inf')
        .map(Number);
    for (const [name, expected, low, high] of [
      ['arpkit_watch_announce_duration_seconds', ANNOUNCE_BUCKETS, 0.01, 60],
      ['arpkit_watch_event_to_first_frame_seconds', FIRST_FRAME_BUCKETS, 0.0005, 1],
    ] as const) {
      assert.deepEqual(bounds(name), expected);
      assert.equal(expected[0], low);
      assert.equal(expected.at(-1), high);
      assert.ok(expected.every((b, i) => i === 0 || b > expected[i - 1]!));
    }
    assert.ok(FIRST_FRAME_BUCKETS.includes(0.02), 'the 20 ms target is a bound');
  });

  test('a duration that is not a number is dropped, a negative one counts as 0', async () => {
    const metrics = new WatchMetrics();
    metrics.firstFrame(Number.NaN);
    metrics.announced(Number.POSITIVE_INFINITY);
    metrics.firstFrame(-0.002);
    const exposition = await scrape(metrics);
    assert.equal(valueOf(exposition, 'arpkit_watch_announce_duration_seconds_count'), 0);
    const first = 'arpkit_watch_event_to_first_frame_seconds';
    assert.equal(valueOf(exposition, `${first}_count`), 1);
    assert.equal(valueOf(exposition, `${first}_bucket`, { le: '0.0005' }), 1);
    assert.equal(valueOf(exposition, `${first}_sum`), 0);
  });

  test('two instances keep their own registries', async () => {
    const one = new WatchMetrics();
    const two = new WatchMetrics();
    one.triggered('start');
    one.overrun();
    const exposition = await scrape(two);
    assert.equal(valueOf(exposition, 'arpkit_watch_triggers_total', { kind: 'start' }), 0);
    assert.equal(valueOf(exposition, 'arpkit_watch_netlink_overruns_total'), 0);
    assert.equal(valueOf(await scrape(one), 'arpkit_watch_triggers_total', { kind: 'start' }), 1);
  });
});

describe('WatchMetrics over HTTP', () => {
  test('a scrape on 127.0.0.1 gives the series and values the daemon reported', async () => {
    const metrics = new WatchMetrics();
    const server = await serveMetrics({ host: '127.0.0.1', port: 0 }, metrics);
    try {
      metrics.triggered('mac-change');
      metrics.sent(batch('bond0', [planned('bond0', { kind: 'rarp', mac: MAC })]));
      metrics.firstFrame(0.0012);
      const response = await fetch(`http://${server.address}/metrics`);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), metrics.contentType);
      assert.match(metrics.contentType, /^text\/plain; version=0\.0\.4; charset=utf-8$/);
      const exposition = parseExposition(await response.text());
      assert.equal(valueOf(exposition, 'arpkit_watch_triggers_total', { kind: 'mac-change' }), 1);
      assert.equal(
        valueOf(exposition, 'arpkit_watch_frames_sent_total', { link: 'bond0', kind: 'rarp' }),
        1,
      );
      const first = 'arpkit_watch_event_to_first_frame_seconds';
      assert.equal(valueOf(exposition, `${first}_bucket`, { le: '0.001' }), 0);
      assert.equal(valueOf(exposition, `${first}_bucket`, { le: '0.002' }), 1);
      assert.ok(valueOf(exposition, 'process_cpu_seconds_total') > 0);
    } finally {
      await server.close();
    }
  });
});

/**
 * Idles a child process for `IDLE_MS` with `WatchMetrics` and its server (scraped once, so every
 * collector ran) and counts how often its main thread went to sleep and woke: prom-client's
 * default 10 ms event-loop monitor alone makes about 100 a second.
 */
const IDLE_SCRIPT = `
import { readFileSync } from 'node:fs';
const { WatchMetrics } = await import(process.argv[1]);
const { serveMetrics } = await import(process.argv[2]);
const metrics = new WatchMetrics();
const server = await serveMetrics({ host: '127.0.0.1', port: 0 }, metrics);
await (await fetch('http://' + server.address + '/metrics')).text();
await new Promise((resolve) => setTimeout(resolve, 200));
const switches = () =>
  Number(/^voluntary_ctxt_switches:\\s+(\\d+)$/m.exec(readFileSync('/proc/thread-self/status', 'utf8'))[1]);
const before = switches();
await new Promise((resolve) => setTimeout(resolve, Number(process.argv[3])));
const after = switches();
await server.close();
console.log(after - before);
`;
const IDLE_MS = 2000;

describe('WatchMetrics at idle', () => {
  test('no timer wakes the process while nothing happens', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [
      '--input-type=module',
      '--eval',
      IDLE_SCRIPT,
      new URL('./metrics.js', import.meta.url).href,
      new URL('../io/metrics-server.js', import.meta.url).href,
      String(IDLE_MS),
    ]);
    const wakeUps = Number(stdout.trim());
    // One for the timer ending the wait; the margin is for the kernel, not for a timer (which
    // at prom-client's default would make ~200 here).
    assert.ok(wakeUps < 20, `${wakeUps} wake-ups in ${IDLE_MS} ms of idling`);
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FindingKind } from './finding.js';
import { FRAME_CLASSES, type InterfaceFigures, MonitorMetrics } from './monitor-metrics.js';

/** A monitor's numbers that the test moves on between scrapes. */
function figures() {
  const eth0 = {
    frames: FRAME_CLASSES.map(() => 0),
    arpRate: 0,
    kernel: { packets: 0, drops: 0 },
  };
  const findings = new Map<FindingKind, number>();
  const evicted = { bindings: 0 };
  return {
    eth0,
    findings,
    evicted,
    source: {
      interfaces: () => new Map<string, InterfaceFigures>([['eth0', eth0]]),
      findings: () => findings,
      evicted: () => evicted,
    },
  };
}

/** The value of one series in the exposition text. */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('series follow the numbers at each scrape; every finding kind is there from the start', async () => {
  const f = figures();
  const metrics = new MonitorMetrics(f.source);
  let text = await metrics.text();
  assert.equal(value(text, 'arpkit_monitor_findings_total{kind="ip-conflict"}'), 0);
  assert.equal(value(text, 'arpkit_monitor_findings_total{kind="unsolicited-na"}'), 0);
  assert.equal(value(text, 'arpkit_monitor_frames_total{iface="eth0",class="arp-request"}'), 0);

  f.eth0.frames[FRAME_CLASSES.indexOf('arp-request')] = 120;
  f.eth0.frames[FRAME_CLASSES.indexOf('malformed')] = 2;
  f.eth0.arpRate = 37;
  f.eth0.kernel = { packets: 125, drops: 3 };
  f.findings.set('ip-conflict', 4);
  f.evicted.bindings = 9;
  text = await metrics.text();
  assert.equal(value(text, 'arpkit_monitor_frames_total{iface="eth0",class="arp-request"}'), 120);
  assert.equal(value(text, 'arpkit_monitor_frames_total{iface="eth0",class="malformed"}'), 2);
  assert.equal(value(text, 'arpkit_monitor_arp_rate{iface="eth0"}'), 37);
  assert.equal(value(text, 'arpkit_monitor_kernel_packets_total{iface="eth0"}'), 125);
  assert.equal(value(text, 'arpkit_monitor_kernel_drops_total{iface="eth0"}'), 3);
  assert.equal(value(text, 'arpkit_monitor_findings_total{kind="ip-conflict"}'), 4);
  assert.equal(value(text, 'arpkit_monitor_evicted_entries{table="bindings"}'), 9);

  // Counters only add what changed since the last scrape, however often it is scraped.
  f.eth0.frames[FRAME_CLASSES.indexOf('arp-request')] = 150;
  f.eth0.arpRate = 0;
  await metrics.text();
  text = await metrics.text();
  assert.equal(value(text, 'arpkit_monitor_frames_total{iface="eth0",class="arp-request"}'), 150);
  assert.equal(value(text, 'arpkit_monitor_arp_rate{iface="eth0"}'), 0);
  assert.match(metrics.contentType, /^text\/plain/);
});

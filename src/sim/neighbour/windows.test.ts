import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RecordingHost } from '../../testing/neighbour-host.js';
import { ArpOp } from '../../wire/arp.js';
import type { Ipv4 } from '../../wire/ipv4.js';
import type { Mac } from '../../wire/mac.js';
import { fromSeconds, type Nanos, SECOND } from '../units.js';
import { LinuxTable } from './linux.js';
import { LINUX_DEFAULTS } from './linux-params.js';
import type { ArpInput, NeighbourTable } from './table.js';
import { WINDOWS_DEFAULTS, WindowsTable } from './windows.js';

const ip = (n: number): Ipv4 => (0x0a00_0000 + n) as Ipv4;
const A = 0x0200_0000_000a as Mac;
const B = 0x0200_0000_000b as Mac;
const PEER = ip(1);

/** A unicast reply to me from `sender`. */
function reply(sender: Ipv4, mac: Mac, more: Partial<ArpInput> = {}): ArpInput {
  return {
    op: ArpOp.REPLY,
    senderMac: mac,
    senderIp: sender,
    targetMac: 0x0200_0000_ffff as Mac,
    targetIp: ip(0xffff),
    broadcast: false,
    forMe: true,
    gratuitous: false,
    ...more,
  };
}

/**
 * Learns `count` entries at time 0 and samples every 10 ms until 46 s: the time (s) each one
 * stopped being REACHABLE.
 */
function expiries(make: (host: RecordingHost) => NeighbourTable, count: number): number[] {
  const host = new RecordingHost(11);
  const table = make(host);
  for (let i = 0; i < count; i++) table.learn(ip(100 + i), A);
  const ended: (number | undefined)[] = new Array<number | undefined>(count);
  for (let t: Nanos = 0; t <= fromSeconds(46); t += 10_000_000) {
    host.engine.run(t);
    for (let i = 0; i < count; i++)
      if (ended[i] === undefined && table.state(ip(100 + i)) !== 'reachable') ended[i] = t / SECOND;
  }
  return ended.map((e) => e ?? Infinity);
}

describe('WindowsTable', () => {
  test('the preset: per-entry draw, no locktime, no creation from unsolicited ARP', () => {
    assert.ok(Object.isFrozen(WINDOWS_DEFAULTS));
    assert.equal(WINDOWS_DEFAULTS.reachable_draw, 'per-entry');
    assert.equal(WINDOWS_DEFAULTS.locktime_ms, 0);
    assert.equal(WINDOWS_DEFAULTS.arp_accept, 0);
    assert.equal(WINDOWS_DEFAULTS.mcast_solicit, 3);
    assert.equal(WINDOWS_DEFAULTS.ucast_solicit, 3);
    assert.equal(WINDOWS_DEFAULTS.delay_first_probe_time_ms, 5_000);
    assert.equal(new WindowsTable(new RecordingHost()).overhearsAll, false);
  });

  test('REACHABLE lasts 15–45 s, drawn per entry (Linux: one value per table)', () => {
    const windows = expiries((host) => new WindowsTable(host), 300);
    assert.ok(
      windows.every((t) => t >= 15 && t <= 45),
      'all within [15, 45] s',
    );
    assert.ok(Math.min(...windows) < 17 && Math.max(...windows) > 43, 'spread over the range');
    assert.ok(new Set(windows).size > 150, `${new Set(windows).size} distinct expiries`);
    const mean = windows.reduce((a, b) => a + b, 0) / windows.length;
    assert.ok(mean > 28 && mean < 32, `mean ${mean}`);
    const linux = expiries((host) => new LinuxTable(host, LINUX_DEFAULTS), 300);
    assert.equal(new Set(linux).size, 1, 'Linux expires them together');
  });

  test('each new REACHABLE period draws again', () => {
    const host = new RecordingHost(5);
    const table = new WindowsTable(host);
    const periods: number[] = [];
    for (let round = 0; round < 4; round++) {
      const start = host.engine.now;
      table.learn(PEER, A);
      let t = start;
      while (table.state(PEER) === 'reachable') host.engine.run((t += 1_000_000));
      periods.push((t - start) / SECOND);
      host.engine.run(host.engine.now + 10 * SECOND);
    }
    assert.ok(periods.every((p) => p >= 15 && p <= 45));
    assert.equal(new Set(periods).size, 4, `${periods.join(', ')}`);
  });

  test('3 broadcasts 1 s apart, then FAILED; DELAY 5 s, then 3 unicast probes', () => {
    const host = new RecordingHost();
    const table = new WindowsTable(host);
    table.output(PEER, host.packet(PEER));
    host.engine.run(fromSeconds(3));
    assert.equal(table.state(PEER), 'failed');
    table.input(reply(PEER, A, { op: ArpOp.REQUEST, broadcast: true })); // for me: STALE
    table.output(PEER, host.packet(PEER));
    assert.equal(table.state(PEER), 'delay');
    host.engine.run(fromSeconds(20));
    assert.deepEqual(
      host.requests.map((r) => [r.time / SECOND, r.mac]),
      [
        [0, undefined],
        [1, undefined],
        [2, undefined],
        [8, A],
        [9, A],
        [10, A],
      ],
    );
  });

  test('no locktime: the last answer wins, even at the same instant (Linux: the first)', () => {
    for (const [make, expected] of [
      [(h: RecordingHost) => new WindowsTable(h), B],
      [(h: RecordingHost) => new LinuxTable(h, LINUX_DEFAULTS), A],
    ] as const) {
      const host = new RecordingHost();
      const table = make(host);
      table.output(PEER, host.packet(PEER));
      host.engine.run(fromSeconds(0.5));
      table.input(reply(PEER, A));
      table.input(reply(PEER, B));
      assert.equal(table.mac(PEER), expected);
    }
  });

  test('an unsolicited GARP or reply creates nothing; a known entry is updated', () => {
    const host = new RecordingHost();
    const table = new WindowsTable(host);
    const garp = reply(PEER, A, { op: ArpOp.REQUEST, targetIp: PEER, forMe: false });
    table.input({ ...garp, broadcast: true, gratuitous: true });
    table.input(reply(PEER, A));
    assert.equal(table.size, 0);
    table.learn(PEER, A);
    table.input({ ...garp, senderMac: B, broadcast: true, gratuitous: true });
    assert.deepEqual([table.state(PEER), table.mac(PEER)], ['stale', B]);
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Finding } from '../monitor/finding.js';
import { Observation } from '../monitor/observation.js';
import { type Ipv4, parseIpv4 } from '../wire/ipv4.js';
import { parseMac } from '../wire/mac.js';
import { BindingStore, type StoredBinding } from './binding-store.js';

const T0 = 1_700_000_000_000;
const MAC_A = '02:00:00:00:00:0a';
const MAC_B = '02:00:00:00:00:0b';

let dir: string;
let files = 0;
before(() => (dir = mkdtempSync(join(tmpdir(), 'arpkit-store-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A new database file's path in the test directory. */
function fresh(): string {
  return join(dir, `store-${++files}.db`);
}

interface Seen {
  readonly ip: string;
  readonly mac: string;
  readonly at: number;
  readonly segment?: number;
  readonly source?: string;
  readonly vlans?: readonly number[];
}

const shared = new Observation();

/** Feeds one sighting through the one shared observation, as the engine does. */
function see(store: BindingStore, s: Seen): void {
  shared.spa = parseIpv4(s.ip);
  shared.sha = parseMac(s.mac);
  shared.timeMs = s.at;
  shared.segment = s.segment ?? 0;
  shared.source = s.source ?? 'eth0';
  shared.vlans = s.vlans ?? [];
  store.sighting(shared);
}

function finding(over: Partial<Finding> & Pick<Finding, 'timeMs'>): Finding {
  return {
    kind: 'changed-mac',
    source: 'eth0',
    vlans: [],
    key: '192.0.2.1',
    ip: '192.0.2.1',
    mac: MAC_B,
    frames: [3, 7],
    text: `192.0.2.1 is-at ${MAC_B} was ${MAC_A}`,
    fields: { oldMac: MAC_A },
    ...over,
  };
}

function ip(text: string): Ipv4 {
  return parseIpv4(text);
}

function brief(b: StoredBinding): string {
  return `${b.ip} ${b.mac} [${b.vlans.join('.')}] ${b.iface} ${b.firstMs - T0}..${b.lastMs - T0} x${b.count}`;
}

describe('BindingStore ingestion', () => {
  test('sightings aggregate per binding in memory and reach the file only at commit', () => {
    const path = fresh();
    const store = BindingStore.open(path);
    see(store, { ip: '192.0.2.1', mac: MAC_A, at: T0 + 500 });
    see(store, { ip: '192.0.2.1', mac: MAC_A, at: T0 + 100 });
    see(store, { ip: '192.0.2.1', mac: MAC_A, at: T0 + 900 });
    see(store, { ip: '192.0.2.1', mac: MAC_B, at: T0 + 200 });
    assert.deepEqual(store.buffered, { bindings: 2, findings: 0 });
    const reader = BindingStore.open(path, { create: false });
    assert.deepEqual(reader.whoHas(ip('192.0.2.1')), []);
    assert.deepEqual(store.commit(), { bindings: 2, findings: 0 });
    assert.deepEqual(store.buffered, { bindings: 0, findings: 0 });
    assert.deepEqual(reader.whoHas(ip('192.0.2.1')).map(brief), [
      `192.0.2.1 ${MAC_A} [] eth0 100..900 x3`,
      `192.0.2.1 ${MAC_B} [] eth0 200..200 x1`,
    ]);
    reader.close();
    store.close();
  });

  test('commits upsert: first seen the minimum, last seen the maximum, counts added', () => {
    const store = BindingStore.open(fresh());
    see(store, { ip: '192.0.2.1', mac: MAC_A, at: T0 + 1000 });
    see(store, { ip: '192.0.2.1', mac: MAC_A, at: T0 + 2000 });
    store.commit();
    see(store, { ip: '192.0.2.1', mac: MAC_A, at: T0 + 3000 });
    store.commit();
    // A late frame (an earlier capture file analysed after): only the first seen moves.
    see(store, { ip: '192.0.2.1', mac: MAC_A, at: T0 + 10 });
    store.commit();
    assert.deepEqual(store.whoHas(ip('192.0.2.1')).map(brief), [
      `192.0.2.1 ${MAC_A} [] eth0 10..3000 x4`,
    ]);
    store.close();
  });

  test('each segment keeps its own binding, labelled with its interface and VLAN tags', () => {
    const store = BindingStore.open(fresh());
    see(store, { ip: '192.0.2.1', mac: MAC_A, at: T0, segment: 0, source: 'eth0' });
    see(store, {
      ip: '192.0.2.1',
      mac: MAC_A,
      at: T0 + 1,
      segment: 1,
      source: 'eth0',
      vlans: [100],
    });
    see(store, {
      ip: '192.0.2.1',
      mac: MAC_A,
      at: T0 + 2,
      segment: 2,
      source: 'eth1',
      vlans: [200, 2001],
    });
    store.commit();
    assert.deepEqual(store.whoHas(ip('192.0.2.1')).map(brief), [
      `192.0.2.1 ${MAC_A} [200.2001] eth1 2..2 x1`,
      `192.0.2.1 ${MAC_A} [100] eth0 1..1 x1`,
      `192.0.2.1 ${MAC_A} [] eth0 0..0 x1`,
    ]);
    store.close();
  });

  test('many distinct bindings in one interval all arrive (the table grows)', () => {
    const store = BindingStore.open(fresh());
    for (let i = 0; i < 5000; i++) {
      shared.spa = (0xc0000200 + (i % 2500)) as Ipv4;
      shared.sha = 0x0200_0000_0000 + i;
      shared.timeMs = T0 + i;
      shared.segment = 0;
      store.sighting(shared);
    }
    assert.deepEqual(store.commit(), { bindings: 5000, findings: 0 });
    const rows = store.whoHas(ip('192.0.2.7'));
    assert.deepEqual(
      rows.map((b) => b.mac),
      ['02:00:00:00:09:cb', '02:00:00:00:00:07'],
    );
    store.close();
  });

  test('findings are kept until commit and read back whole', () => {
    const path = fresh();
    const store = BindingStore.open(path);
    store.finding(finding({ timeMs: T0 + 1.5, vlans: [100], frames: [1, 2, 3] }));
    store.finding(finding({ timeMs: T0 + 2, kind: 'storm', ip: undefined as never, mac: MAC_A }));
    assert.deepEqual(store.buffered, { bindings: 0, findings: 2 });
    assert.deepEqual(store.commit(), { bindings: 0, findings: 2 });
    const [entry] = store.history({ ip: ip('192.0.2.1') });
    assert.equal(entry?.type, 'finding');
    assert.deepEqual(entry.type === 'finding' && entry.finding, {
      ...finding({ timeMs: T0 + 1.5, vlans: [100], frames: [1, 2, 3] }),
    });
    store.close();
  });

  test('close commits what is buffered; a closed store refuses work', () => {
    const path = fresh();
    const store = BindingStore.open(path);
    see(store, { ip: '192.0.2.1', mac: MAC_A, at: T0 });
    store.close();
    store.close();
    assert.throws(() => store.commit(), /the store is closed/);
    const again = BindingStore.open(path);
    assert.equal(again.whoHas(ip('192.0.2.1')).length, 1);
    again.close();
  });
});

describe('BindingStore.whoHas at a moment', () => {
  // MAC_A held the IP from 1 s to 5 s, MAC_B from 10 s to 20 s; on VLAN 7, MAC_A from 0 s to 30 s.
  let store: BindingStore;
  before(() => {
    store = BindingStore.open(fresh());
    for (const [mac, at] of [
      [MAC_A, 1000],
      [MAC_A, 5000],
      [MAC_B, 10_000],
      [MAC_B, 20_000],
    ] as const) {
      see(store, { ip: '192.0.2.1', mac, at: T0 + at });
    }
    store.commit();
  });
  after(() => store.close());

  const at = (ms: number) => store.whoHas(ip('192.0.2.1'), T0 + ms).map((b) => b.mac);

  test('without a moment: every binding, latest first', () => {
    assert.deepEqual(
      store.whoHas(ip('192.0.2.1')).map((b) => b.mac),
      [MAC_B, MAC_A],
    );
  });

  test('before the first sighting: nobody', () => {
    assert.deepEqual(at(999), []);
  });

  test('first and last seen both belong to the binding', () => {
    assert.deepEqual(at(1000), [MAC_A]);
    assert.deepEqual(at(3000), [MAC_A]);
    assert.deepEqual(at(5000), [MAC_A]);
    assert.deepEqual(at(10_000), [MAC_B]);
    assert.deepEqual(at(20_000), [MAC_B]);
  });

  test('between two bindings: the last one seen before', () => {
    assert.deepEqual(at(5001), [MAC_A]);
    assert.deepEqual(at(9999), [MAC_A]);
    assert.deepEqual(at(20_001), [MAC_B]);
  });

  test('two bindings over one moment (a conflict): both, down to their first and last sighting', () => {
    // MAC_A from 1 s to 5 s and MAC_B from 3 s to 4 s on 192.0.2.5.
    for (const [mac, ms] of [
      [MAC_A, 1000],
      [MAC_A, 5000],
      [MAC_B, 3000],
      [MAC_B, 4000],
    ] as const) {
      see(store, { ip: '192.0.2.5', mac, at: T0 + ms });
    }
    store.commit();
    const at5 = (ms: number) => store.whoHas(ip('192.0.2.5'), T0 + ms).map((b) => b.mac);
    assert.deepEqual(at5(2999), [MAC_A]);
    assert.deepEqual(at5(3000), [MAC_A, MAC_B]);
    assert.deepEqual(at5(4000), [MAC_A, MAC_B]);
    assert.deepEqual(at5(4001), [MAC_A]);
  });

  test('each segment answers for itself', () => {
    see(store, { ip: '192.0.2.1', mac: MAC_A, at: T0, segment: 1, vlans: [7] });
    see(store, { ip: '192.0.2.1', mac: MAC_A, at: T0 + 30_000, segment: 1, vlans: [7] });
    store.commit();
    const answer = store
      .whoHas(ip('192.0.2.1'), T0 + 7000)
      .map((b) => `${b.mac}/${b.vlans.join('.')}`);
    assert.deepEqual(answer, [`${MAC_A}/7`, `${MAC_A}/`]);
  });

  test('an unknown IP: nothing', () => {
    assert.deepEqual(store.whoHas(ip('192.0.2.99')), []);
  });
});

describe('BindingStore.history', () => {
  test('bindings and findings of an IP in time order, a binding before a finding of its moment', () => {
    const store = BindingStore.open(fresh());
    see(store, { ip: '192.0.2.1', mac: MAC_B, at: T0 + 3000 });
    see(store, { ip: '192.0.2.1', mac: MAC_A, at: T0 + 1000 });
    see(store, { ip: '192.0.2.1', mac: MAC_A, at: T0 + 9000 });
    see(store, { ip: '192.0.2.2', mac: MAC_A, at: T0 + 2000 });
    store.finding(finding({ timeMs: T0 + 3000 }));
    store.finding(finding({ timeMs: T0 + 500, kind: 'ip-conflict' }));
    store.finding(finding({ timeMs: T0 + 100, ip: '192.0.2.9', key: '192.0.2.9', mac: MAC_A }));
    store.commit();
    const line = (e: ReturnType<BindingStore['history']>[number]) =>
      e.type === 'binding'
        ? `${e.timeMs - T0} binding ${e.binding.ip} ${e.binding.mac}`
        : `${e.timeMs - T0} ${e.finding.kind} ${e.finding.ip ?? '-'}`;
    assert.deepEqual(store.history({ ip: ip('192.0.2.1') }).map(line), [
      '500 ip-conflict 192.0.2.1',
      `1000 binding 192.0.2.1 ${MAC_A}`,
      `3000 binding 192.0.2.1 ${MAC_B}`,
      '3000 changed-mac 192.0.2.1',
    ]);
    // By MAC: its bindings on every IP, and the findings that name it.
    assert.deepEqual(store.history({ mac: parseMac(MAC_A) }).map(line), [
      '100 changed-mac 192.0.2.9',
      `1000 binding 192.0.2.1 ${MAC_A}`,
      `2000 binding 192.0.2.2 ${MAC_A}`,
    ]);
    assert.deepEqual(store.history({ ip: ip('198.51.100.1') }), []);
    store.close();
  });
});

describe('BindingStore.importArpwatch', () => {
  const ARP_DAT = [
    `02:0a:00:0b:0c:02\t10.99.0.2\t1700000100\t\teth0`,
    `0:1b:21:a:b:c\t10.99.0.3\t1700000200\tprinter`,
    'garbage',
    '',
  ].join('\n');

  test('imports good lines, returns the bad ones, and counts each line once however often imported', () => {
    const store = BindingStore.open(fresh());
    const result = store.importArpwatch(ARP_DAT, 'br0');
    assert.equal(result.imported, 2);
    assert.deepEqual(
      result.bad.map((b) => b.line),
      [3],
    );
    store.importArpwatch(ARP_DAT, 'br0');
    const brief2 = (b: StoredBinding) =>
      `${b.mac} ${b.iface} ${b.firstMs}..${b.lastMs} x${b.count}`;
    assert.deepEqual(store.whoHas(ip('10.99.0.2')).map(brief2), [
      '02:0a:00:0b:0c:02 eth0 1700000100000..1700000100000 x1',
    ]);
    // No interface on the line: the one given.
    assert.deepEqual(store.whoHas(ip('10.99.0.3')).map(brief2), [
      '00:1b:21:0a:0b:0c br0 1700000200000..1700000200000 x1',
    ]);
    store.close();
  });

  test('an arpwatch line widens a binding arpkit saw, without adding to its count', () => {
    const store = BindingStore.open(fresh());
    see(store, { ip: '10.99.0.3', mac: '00:1b:21:0a:0b:0c', at: 1_700_000_150_000, source: 'br0' });
    see(store, { ip: '10.99.0.3', mac: '00:1b:21:0a:0b:0c', at: 1_700_000_160_000, source: 'br0' });
    store.commit();
    store.importArpwatch(ARP_DAT, 'br0');
    const [binding] = store.whoHas(ip('10.99.0.3'));
    assert.deepEqual(
      binding && [binding.firstMs, binding.lastMs, binding.count],
      [1_700_000_150_000, 1_700_000_200_000, 2],
    );
    store.close();
  });
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DUMP_FILES, TOOL_FILES } from '../testing/record-netlink.js';
import {
  addressJson,
  type IprouteOutput,
  iprouteJson,
  snapshotJson,
} from '../testing/host-json.js';
import { formatMac } from '../wire/mac.js';
import { type HostDumps, snapshotFromDumps } from './discover.js';
import type { HostSnapshot } from './snapshot.js';

// Recorded from a 6.18 kernel by src/testing/record-netlink.ts (see fixtures/README.md): the raw
// reply datagrams of the four dumps, and what ip/bridge printed of the same moment.
const FIXTURES = fileURLToPath(new URL('../../../src/host/fixtures/', import.meta.url));

function fixture(name: string): Buffer {
  return readFileSync(`${FIXTURES}${name}`);
}

function recordedDumps(): HostDumps {
  const read = (key: keyof HostDumps) => [new Uint8Array(fixture(DUMP_FILES[key]))];
  return {
    links: read('links'),
    bridgeVlans: read('bridgeVlans'),
    addresses: read('addresses'),
    fdb: read('fdb'),
  };
}

function recordedTools(): IprouteOutput {
  const json = (file: string) => JSON.parse(fixture(file).toString('utf8'));
  return {
    link: json(TOOL_FILES.link.file),
    addr: json(TOOL_FILES.addr.file),
    fdb: json(TOOL_FILES.fdb.file),
    vlan: json(TOOL_FILES.vlan.file),
  };
}

describe('recorded rtnetlink dumps against ip/bridge of the same moment', () => {
  const snapshot: HostSnapshot = snapshotFromDumps(recordedDumps());
  const actual = snapshotJson(snapshot);
  const expected = iprouteJson(recordedTools());

  test('every link, field by field', () => {
    assert.deepEqual(
      actual.links.map((link) => link.name),
      expected.links.map((link) => link.name),
    );
    for (const [i, link] of expected.links.entries()) assert.deepEqual(actual.links[i], link);
  });

  test('every address with its flags', () => {
    assert.deepEqual(actual.addresses, expected.addresses);
  });

  test('every bridge FDB entry and its state, in the kernel’s order', () => {
    assert.deepEqual(actual.fdb, expected.fdb);
  });

  test('port VLANs as bridge vlan show lists them', () => {
    for (const [i, link] of expected.links.entries()) {
      assert.deepEqual(actual.links[i]?.portVlans, link.portVlans, link.name);
    }
  });

  test('the scenario is what it was built to be', () => {
    const link = (name: string) => {
      const found = snapshot.linkNamed(name);
      assert.ok(found, name);
      return found;
    };
    const br0 = link('br0');
    assert.equal(br0.kind, 'bridge');
    assert.deepEqual(
      snapshot.slavesOf(br0.index).map((l) => l.name),
      ['p0', 'p1', 'tap0'],
    );
    assert.deepEqual(
      [link('tap0').tap, link('tun0').tap, link('tun0').mac, link('tap0').carrier],
      [true, false, undefined, false],
    );
    assert.equal(link('h0').parent, undefined, 'a veth’s IFLA_LINK is its peer, not a parent');
    assert.equal(link('mv0').parent, link('h0').index);
    assert.equal(link('mvt0').parent, link('h1').index);
    assert.equal(link('lo').kind, 'loopback');
    assert.equal(link('lo').hardwareType, 772);
    const state = (mac: string) =>
      snapshot.fdbOf(br0.index).find((entry) => formatMac(entry.mac) === mac)?.state;
    assert.equal(state('02:00:00:20:00:01'), 'static');
    assert.equal(state('02:00:00:20:00:03'), 'static');
    assert.equal(state('02:00:00:20:00:04'), 'local', 'added as permanent');
    assert.equal(state('02:00:00:20:00:05'), 'learned', 'added as dynamic');
    assert.equal(state('02:00:00:30:00:01'), 'learned');
    assert.equal(state('02:00:00:10:00:01'), 'local', 'the bridge’s own address');
    assert.equal(state('02:00:00:10:01:00'), 'local', 'a port’s own address');
    assert.ok(
      snapshot.fdb.every((entry) => entry.bridge === br0.index),
      'no NTF_SELF entry of a device',
    );
    const addresses = snapshot.addresses.map((address) => {
      const json = addressJson(address);
      const flags = (['tentative', 'deprecated', 'secondary'] as const).filter((f) => json[f]);
      return [snapshot.link(address.index)?.name, json.ip, ...flags].join(' ');
    });
    assert.ok(addresses.includes('tap0 2001:db8:10::100 tentative'));
    assert.ok(addresses.includes('br0 10.10.0.2 secondary'));
    assert.ok(addresses.includes('br0 2001:db8:10::2 deprecated'));
    assert.ok(addresses.includes('tun0 10.10.9.1'), 'IFA_LOCAL, not the peer');
    assert.ok(addresses.includes('tun0 2001:db8:99::1'), 'IFA_LOCAL, not the peer');
  });

  test('datagram boundaries do not matter: one message per datagram reads the same', () => {
    const split = (datagram: Uint8Array): Uint8Array[] => {
      const parts: Uint8Array[] = [];
      const view = new DataView(datagram.buffer, datagram.byteOffset, datagram.byteLength);
      for (let at = 0; at < datagram.length;) {
        const length = view.getUint32(at, true);
        parts.push(datagram.slice(at, at + length));
        at += (length + 3) & ~3;
      }
      return parts;
    };
    const dumps = recordedDumps();
    const again = snapshotFromDumps({
      links: dumps.links.flatMap(split),
      bridgeVlans: dumps.bridgeVlans.flatMap(split),
      addresses: dumps.addresses.flatMap(split),
      fdb: dumps.fdb.flatMap(split),
    });
    assert.deepEqual(snapshotJson(again), actual);
  });
});

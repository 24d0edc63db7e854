import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { HostEvent } from '../host/events.js';
import { AddressScope, type HostAddress, HostSnapshot } from '../host/snapshot.js';
import { hypervisor } from '../testing/snapshots.js';
import { linkEvent, linkGone, watchConfig } from '../testing/watch.js';
import type { WatchInput } from './config-build.js';
import { parseIpv4 } from '../wire/ipv4.js';
import { parseIpv6 } from '../wire/ipv6.js';
import { parseMac } from '../wire/mac.js';
import { type Trigger, TriggerDetector } from './triggers.js';

const HOST = hypervisor().build();

/** A detector that knows HOST and watches by `input`. */
function detector(input: WatchInput): TriggerDetector {
  const found = new TriggerDetector(watchConfig(input));
  found.reset(HOST);
  return found;
}

/** `kind: text` of every trigger of `events`, in order. */
function run(found: TriggerDetector, ...events: HostEvent[]): string[] {
  return events.flatMap((event) => found.apply(event)).map(lineOf);
}

function lineOf(trigger: Trigger): string {
  return `${trigger.kind}: ${trigger.text}`;
}

function address(link: number, ip: string, options: Partial<HostAddress> = {}): HostAddress {
  const base = { index: link, prefixLength: 24, scope: AddressScope.GLOBAL };
  const flags = { tentative: false, deprecated: false, secondary: false };
  const parsed = ip.includes(':')
    ? { family: 'ipv6' as const, ip: parseIpv6(ip) }
    : { family: 'ipv4' as const, ip: parseIpv4(ip) };
  return { ...base, ...flags, ...parsed, ...options } as HostAddress;
}

const BR0 = HOST.linkNamed('br0')!.index;
const ETH0 = HOST.linkNamed('eth0')!.index;
const ETH1 = HOST.linkNamed('eth1')!.index;
const BR1 = HOST.linkNamed('br1')!.index;

describe('TriggerDetector', () => {
  describe('bond-failover', () => {
    it("triggers on a watched bond's failover event and on a change of its active slave", () => {
      const found = detector({ bonds: ['bond0'] });
      assert.deepEqual(
        run(
          found,
          linkEvent(HOST, 'bond0', {}, 'bonding-failover'),
          linkEvent(HOST, 'bond0', { bond: { mode: 'active-backup', activeSlave: ETH1 } }),
          linkEvent(HOST, 'bond0', { bond: { mode: 'active-backup', activeSlave: ETH1 } }),
          linkEvent(HOST, 'bond0', {}, 'notify-peers'),
        ),
        [
          'bond-failover: bond0: bonding-failover event',
          'bond-failover: bond0: active slave eth0 -> eth1',
          'bond-failover: bond0: notify-peers event',
        ],
      );
    });

    it('ignores a bond that is not watched and other link events', () => {
      const found = detector({ links: ['eth3'] });
      assert.deepEqual(
        run(
          found,
          linkEvent(HOST, 'bond0', {}, 'bonding-failover'),
          linkEvent(HOST, 'bond0', { bond: { mode: 'active-backup', activeSlave: ETH1 } }),
        ),
        [],
      );
      const bonds = detector({ bonds: ['bond0'] });
      assert.deepEqual(run(bonds, linkEvent(HOST, 'bond0', {}, 'features')), []);
    });

    it('is silent when the kind is off', () => {
      const found = detector({
        bonds: ['bond0'],
        links: ['eth3'],
        triggers: { 'bond-failover': false },
      });
      assert.deepEqual(run(found, linkEvent(HOST, 'bond0', {}, 'bonding-failover')), []);
    });
  });

  describe('carrier-up', () => {
    it('triggers once when a watched link gets its carrier back, not for repeats', () => {
      const found = detector({ links: ['eth3'] });
      assert.deepEqual(
        run(
          found,
          linkEvent(HOST, 'eth3', { carrier: true }),
          linkEvent(HOST, 'eth3', { carrier: true }),
          linkEvent(HOST, 'eth3', { carrier: false }),
          linkEvent(HOST, 'eth3', { carrier: true, up: false }),
          linkEvent(HOST, 'eth3', { carrier: true }),
        ),
        ['carrier-up: eth3: carrier up', 'carrier-up: eth3: carrier up'],
      );
    });

    it("triggers for a watched bridge's uplink ports, not for its guests' taps", () => {
      const found = detector({ bridges: ['br0'] });
      assert.deepEqual(
        run(
          found,
          linkEvent(HOST, 'bond0', { carrier: false }),
          linkEvent(HOST, 'bond0', { carrier: true }),
          linkEvent(HOST, 'vnet0', { carrier: false }),
          linkEvent(HOST, 'vnet0', { carrier: true }),
        ),
        ['carrier-up: bond0: carrier up'],
      );
    });

    it('counts a port named with --uplink as an uplink whatever its kind', () => {
      const found = detector({ bridges: ['br0'], uplink: ['veth0'] });
      assert.deepEqual(
        run(
          found,
          linkEvent(HOST, 'veth0', { carrier: false }),
          linkEvent(HOST, 'veth0', { carrier: true }),
        ),
        ['carrier-up: veth0: carrier up'],
      );
    });

    it('finds a watched link again by name after it was deleted and created anew', () => {
      const found = detector({ links: ['eth3'] });
      const again = { index: 99, carrier: false };
      assert.deepEqual(
        run(
          found,
          linkGone(HOST, 'eth3'),
          linkEvent(HOST, 'eth3', again),
          linkEvent(HOST, 'eth3', { ...again, carrier: true }),
        ),
        ['carrier-up: eth3: carrier up'],
      );
    });
  });

  describe('port-change', () => {
    it('triggers when a port joins or leaves a watched bridge, or is deleted from it', () => {
      const found = detector({ bridges: ['br0'] });
      assert.deepEqual(
        run(
          found,
          linkEvent(HOST, 'eth3', { master: BR0, carrier: false }),
          linkEvent(HOST, 'vnet1', { master: undefined }),
          linkGone(HOST, 'vnet0'),
          linkEvent(HOST, 'eth2', { master: undefined }),
        ),
        [
          'port-change: eth3 joined br0',
          'port-change: vnet1 left br0',
          'port-change: vnet0 left br0 (deleted)',
        ],
      );
    });

    it('watches every bridge when told all', () => {
      const found = detector({ bridges: 'all' });
      assert.deepEqual(run(found, linkEvent(HOST, 'eth2', { master: undefined })), [
        'port-change: eth2 left br1',
      ]);
    });
  });

  describe('mac-change', () => {
    it('triggers when a watched link, bond or bridge changes its MAC', () => {
      const found = detector({ links: ['eth3'], bridges: ['br0'] });
      const mac = parseMac('02:00:00:00:00:99');
      assert.deepEqual(
        run(
          found,
          linkEvent(HOST, 'eth3', { mac }),
          linkEvent(HOST, 'br0', { mac }),
          linkEvent(HOST, 'eth2', { mac }),
        ),
        [
          'mac-change: eth3: MAC 52:54:00:00:03:00 -> 02:00:00:00:00:99',
          'mac-change: br0: MAC 52:54:00:00:00:10 -> 02:00:00:00:00:99',
        ],
      );
    });
  });

  describe('address-added', () => {
    const added = (a: HostAddress): HostEvent => ({ type: 'address', op: 'new', address: a });
    const removed = (a: HostAddress): HostEvent => ({ type: 'address', op: 'del', address: a });

    it('triggers when a watched address appears, once DAD is done, again after a removal', () => {
      const found = detector({ addresses: ['192.0.2.50', '2001:db8::50'] });
      const vip = address(BR0, '192.0.2.50');
      const v6 = address(BR0, '2001:db8::50');
      assert.deepEqual(
        run(
          found,
          added(vip),
          added(vip),
          added(address(BR0, '192.0.2.51')),
          added({ ...v6, tentative: true }),
          added(v6),
          removed(vip),
          added(vip),
        ),
        [
          'address-added: 192.0.2.50 added on br0',
          'address-added: 2001:db8::50 added on br0',
          'address-added: 192.0.2.50 added on br0',
        ],
      );
    });

    it('with any, watches global addresses but not link-local or host ones', () => {
      const found = detector({ addresses: 'any' });
      assert.deepEqual(
        run(
          found,
          added(address(BR0, 'fe80::1', { scope: AddressScope.LINK })),
          added(address(1, '127.0.0.2', { scope: AddressScope.HOST })),
          added(address(ETH0, '198.51.100.7')),
        ),
        ['address-added: 198.51.100.7 added on eth0'],
      );
    });

    it('an address already there at start is not a trigger', () => {
      const found = detector({ addresses: ['192.0.2.10'] });
      assert.deepEqual(run(found, added(address(BR0, '192.0.2.10'))), []);
    });
  });

  describe('guest-learned', () => {
    const learned = (port: string, mac: string): HostEvent => ({
      type: 'fdb',
      op: 'new',
      entry: {
        mac: parseMac(mac),
        bridge: BR0,
        port: HOST.linkNamed(port)!.index,
        vlan: undefined,
        state: 'learned',
      },
    });

    it('triggers for a new or moved guest MAC on a watched bridge, with the MAC', () => {
      const found = detector({ bridges: ['br0'], triggers: { 'guest-learned': true } });
      const events = [
        learned('vnet0', '52:54:00:aa:00:01'), // known from the start
        learned('vnet1', '52:54:00:aa:00:07'),
        learned('vnet1', '52:54:00:aa:00:07'),
        learned('vnet0', '52:54:00:aa:00:07'),
        learned('bond0', '00:00:5e:00:01:99'), // the network's side: not a guest
      ];
      const triggers = events.flatMap((event) => found.apply(event));
      assert.deepEqual(triggers.map(lineOf), [
        'guest-learned: 52:54:00:aa:00:07 learned on vnet1 (br0)',
        'guest-learned: 52:54:00:aa:00:07 learned on vnet0 (br0)',
      ]);
      assert.deepEqual(triggers[0]!.guest, { mac: parseMac('52:54:00:aa:00:07'), bridge: 'br0' });
    });

    it('is off by default', () => {
      const found = detector({ bridges: ['br0'] });
      assert.deepEqual(run(found, learned('vnet1', '52:54:00:aa:00:07')), []);
    });
  });

  describe('resync', () => {
    it('triggers on what changed while events were lost, then knows the new state', () => {
      const found = detector({ bonds: ['bond0'], links: ['eth3'], addresses: ['192.0.2.50'] });
      const after = hypervisor().ipv4('br0', '192.0.2.50/24').build();
      const snapshot = new HostSnapshot({
        links: after.links.map((link) =>
          link.name === 'eth3'
            ? { ...link, carrier: true }
            : link.bond === undefined
              ? link
              : { ...link, bond: { ...link.bond, activeSlave: ETH1 } },
        ),
        addresses: after.addresses,
        fdb: after.fdb,
      });
      assert.deepEqual(found.resync(snapshot).map(lineOf), [
        'bond-failover: bond0: active slave eth0 -> eth1',
        'carrier-up: eth3: carrier up',
        'address-added: 192.0.2.50 added on br0',
      ]);
      assert.deepEqual(found.resync(snapshot), []);
    });
  });

  it('never triggers on a link, bridge or address it does not watch (property)', () => {
    const names = HOST.links.map((link) => link.name);
    const event = fc.oneof(
      fc.record({
        name: fc.constantFrom(...names),
        carrier: fc.boolean(),
        master: fc.constantFrom(undefined, BR0, BR1),
        activeSlave: fc.constantFrom(undefined, ETH0, ETH1),
        linkEvent: fc.constantFrom(undefined, 'bonding-failover' as const),
      }),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), (changes) => {
        const found = detector({ bonds: ['bond0'], links: ['eth3'], bridges: ['br1'] });
        // Names that were a port of br1 at some point: their carrier and moves are watched.
        const ports = new Set(['eth2', 'vnet2', 'vnet3']);
        for (const change of changes) {
          const link = HOST.linkNamed(change.name)!;
          const master = link.kind === 'bridge' ? undefined : change.master;
          if (master === BR1) ports.add(change.name);
          const bond =
            link.bond === undefined ? undefined : { ...link.bond, activeSlave: change.activeSlave };
          const event = linkEvent(
            HOST,
            change.name,
            { carrier: change.carrier, master, bond },
            change.linkEvent,
          );
          for (const trigger of found.apply(event)) {
            const about = trigger.text.split(/[: ]/)[0]!;
            assert.ok(
              ['bond0', 'eth3', 'br1'].includes(about) || ports.has(about),
              `${lineOf(trigger)} is about nothing watched`,
            );
          }
        }
      }),
    );
  });
});

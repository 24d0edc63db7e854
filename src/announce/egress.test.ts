import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HostSnapshot } from '../host/snapshot.js';
import { hypervisor, SnapshotBuilder } from '../testing/snapshots.js';
import { announceRefusal, type Exit, Topology, UPLINK_KINDS } from './egress.js';

/** Exits as `link[.vid]`, or `link: why` when blocked. */
function names(exits: readonly Exit[]): string[] {
  return exits.map((exit) =>
    exit.blocked !== undefined
      ? `${exit.link.name}: ${exit.blocked}`
      : `${exit.link.name}${exit.vid === undefined ? '' : `.${exit.vid}`}`,
  );
}

/** A bridge with a port of every kind that matters. */
function kinds(): HostSnapshot {
  const builder = new SnapshotBuilder().link('br0', 'bridge');
  for (const kind of ['physical', 'bond', 'team', 'vlan', 'vxlan', 'veth', 'tun', 'macvlan']) {
    builder.link(`${kind}0`, kind, { master: 'br0' });
  }
  return builder.build();
}

describe('egress', () => {
  test('uplinks by kind: physical, bond, team, vlan, vxlan; veths and taps are guest ports', () => {
    const snapshot = kinds();
    const topology = new Topology(snapshot, []);
    const br0 = snapshot.linkNamed('br0')!;
    assert.deepEqual(
      topology.uplinksOf(br0).map((link) => link.name),
      ['physical0', 'bond0', 'team0', 'vlan0', 'vxlan0'],
    );
    assert.deepEqual([...UPLINK_KINDS], ['physical', 'bond', 'team', 'vlan', 'vxlan']);
    assert.equal(topology.isUplink(snapshot.linkNamed('vxlan0')!.index), true);
    assert.equal(topology.isUplink(snapshot.linkNamed('veth0')!.index), false);
  });

  test('--uplink replaces the uplinks of its own bridge only', () => {
    const snapshot = hypervisor().build();
    const topology = new Topology(snapshot, ['vnet1', 'veth0']);
    const uplinks = (name: string) =>
      topology.uplinksOf(snapshot.linkNamed(name)!).map((link) => link.name);
    assert.deepEqual(uplinks('br0'), ['vnet1', 'veth0']);
    assert.deepEqual(uplinks('br1'), ['eth2']);
    assert.deepEqual(uplinks('docker0'), []);
    assert.deepEqual(
      topology.bridges.map((bridge) => bridge.name),
      ['br0', 'br1', 'docker0'],
    );
  });

  test('where a link sends its own frames', () => {
    const snapshot = hypervisor()
      .link('bond0.100', 'vlan', { parent: 'bond0', vlanId: 100 })
      .link('tap9', 'tun', { tap: true, master: 'br1', vlans: '20pu' })
      .build();
    const topology = new Topology(snapshot, []);
    const exits = (name: string) => names(topology.exits(snapshot.linkNamed(name)!));
    assert.deepEqual(exits('eth1'), ['bond0'], 'a bond slave: its bond');
    assert.deepEqual(exits('bond0'), ['bond0'], 'an uplink: itself');
    assert.deepEqual(exits('br0'), ['bond0'], 'a bridge: its uplinks');
    assert.deepEqual(exits('vnet0'), ['bond0'], 'a guest port: the uplinks of its bridge');
    assert.deepEqual(exits('bond0.100'), ['bond0.100'], 'a VLAN link: itself, the kernel tags');
    assert.deepEqual(exits('dummy0'), ['dummy0']);
    assert.deepEqual(exits('docker0'), ['docker0'], 'a bridge without uplink: itself');
    assert.deepEqual(exits('veth1'), ['docker0']);
    assert.deepEqual(exits('br1'), ['eth2'], 'PVID 1, untagged on the trunk');
    assert.deepEqual(exits('vnet2'), ['eth2.10'], 'PVID 10, tagged on the trunk');
    assert.deepEqual(exits('tap9'), ['eth2.20']);
  });

  test('guest VLANs on an uplink: tagged, untagged, not carried, or no VLAN info', () => {
    const snapshot = hypervisor().build();
    const topology = new Topology(snapshot, []);
    const br0 = snapshot.linkNamed('br0')!;
    const br1 = snapshot.linkNamed('br1')!;
    assert.deepEqual(names(topology.guestExits(br1, 10)), ['eth2.10']);
    assert.deepEqual(names(topology.guestExits(br1, 1)), ['eth2']);
    assert.deepEqual(names(topology.guestExits(br1, 30)), ['eth2: it does not carry vlan 30']);
    assert.deepEqual(names(topology.guestExits(br1, undefined)), ['eth2']);
    assert.deepEqual(names(topology.guestExits(br0, 10)), ['bond0'], 'bond0 has no VLAN info');
    assert.equal(topology.guestExits(br1, 10), topology.guestExits(br1, 10), 'cached');
  });

  test('a trunk that carries every VLAN, the PVID untagged', () => {
    const all = Array.from({ length: 4094 }, (_, i) => `${i + 1}${i === 0 ? 'pu' : ''}`);
    const snapshot = new SnapshotBuilder()
      .link('br0', 'bridge', { vlanFiltering: true })
      .link('eth0', 'physical', { master: 'br0', vlans: all.join(' ') })
      .build();
    const topology = new Topology(snapshot, []);
    const br0 = snapshot.linkNamed('br0')!;
    assert.deepEqual(names(topology.guestExits(br0, 4094)), ['eth0.4094']);
    assert.deepEqual(names(topology.guestExits(br0, 1)), ['eth0']);
  });

  test('which links can announce their own MAC', () => {
    const snapshot = hypervisor().build();
    const refusal = (name: string) => announceRefusal(snapshot.linkNamed(name)!);
    assert.equal(refusal('lo'), 'is loopback');
    assert.equal(refusal('tun0'), 'does not use ARP (NOARP)');
    assert.equal(refusal('eth3'), undefined, 'no carrier is not a refusal');
    assert.equal(refusal('vnet0'), undefined);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HV_MAC, hypervisor, manyGuests, SnapshotBuilder } from '../testing/snapshots.js';
import { ArpOp, parseArp } from '../wire/arp.js';
import { decodeFrame } from '../wire/frame.js';
import { formatIpv4, IPV4_ANY, parseIpv4 } from '../wire/ipv4.js';
import { formatIpv6, IPV6_ALL_NODES, parseIpv6 } from '../wire/ipv6.js';
import { formatMac, MAC_BROADCAST } from '../wire/mac.js';
import { type AnnounceOptions, planAnnouncement, type PlannedFrame } from './plan.js';

const NONE: AnnounceOptions = {
  ifaces: [],
  all: false,
  guests: undefined,
  ips: [],
  uplinks: [],
  macFrame: 'rarp',
  force: false,
};

/**
 * A planned frame as one line, read back from its bytes: `egress[.vid] source MAC what`, where
 * `what` is `request|reply IP`, `na IP`, `rarp` or `learn`. Asserts what every frame of its kind
 * must be: the MAC is the Ethernet source and the sender, SPA = TPA, THA broadcast in a request
 * and the MAC in a reply, NA from the target to ff02::1 with O set and the MAC as TLLA.
 */
function line(planned: PlannedFrame): string {
  const frame = decodeFrame(planned.frame, 'ethernet');
  const mac = formatMac(frame.source!);
  const tags = frame.vlans.map((tag) => `.${tag.vid}`).join('');
  const head = `${planned.egress}${tags} ${planned.source} ${mac}`;
  assert.equal(mac, formatMac(planned.spec.mac));
  if (frame.proto === 'ndp') {
    const { ip, nd } = frame.nd;
    assert.ok(nd.type === 'na' && nd.override && !nd.solicited && !nd.router);
    assert.equal(ip.source, nd.target);
    assert.equal(ip.destination, IPV6_ALL_NODES);
    assert.equal(nd.targetLla, frame.source);
    return `${head} na ${formatIpv6(nd.target)}`;
  }
  assert.ok(frame.proto === 'arp' || frame.proto === 'rarp', frame.proto);
  assert.equal(frame.destination, MAC_BROADCAST);
  const arp = parseArp(frame.arp);
  assert.equal(arp.senderMac, frame.source);
  assert.equal(arp.senderIp, arp.targetIp);
  if (frame.proto === 'rarp') {
    assert.deepEqual([arp.op, arp.targetMac, arp.senderIp], [ArpOp.RARP_REQUEST, arp.senderMac, 0]);
    return `${head} rarp`;
  }
  if (arp.senderIp === IPV4_ANY) {
    assert.deepEqual([arp.op, arp.targetMac], [ArpOp.REQUEST, MAC_BROADCAST]);
    return `${head} learn`;
  }
  const request = arp.op === ArpOp.REQUEST;
  assert.equal(arp.targetMac, request ? MAC_BROADCAST : arp.senderMac);
  return `${head} ${request ? 'request' : 'reply'} ${formatIpv4(arp.senderIp)}`;
}

/** The plan for `options` over `snapshot` (the hypervisor by default), as lines. */
function lines(options: Partial<AnnounceOptions>, snapshot = hypervisor().build()): string[] {
  return planAnnouncement(snapshot, { ...NONE, ...options }).frames.map(line);
}

describe('announce plan', () => {
  test('--all: every link that uses ARP, its addresses, each frame out of its egress once', () => {
    const plan = planAnnouncement(hypervisor().build(), { ...NONE, all: true });
    assert.deepEqual(plan.frames.map(line), [
      // br0 leaves by its uplink bond0: IPv4 secondary too, IPv6 deprecated and link-local,
      // not the tentative one. bond0, eth0 and eth1 share its MAC: one RARP for the three.
      `bond0 all ${HV_MAC} request 192.0.2.10`,
      `bond0 all ${HV_MAC} reply 192.0.2.10`,
      `bond0 all ${HV_MAC} request 192.0.2.11`,
      `bond0 all ${HV_MAC} reply 192.0.2.11`,
      `bond0 all ${HV_MAC} na 2001:db8::10`,
      `bond0 all ${HV_MAC} na fe80::5054:ff:fe00:10`,
      `bond0 all ${HV_MAC} rarp`,
      'bond0 all fe:54:00:00:00:01 rarp',
      'bond0 all fe:54:00:00:00:02 rarp',
      'bond0 all fe:54:00:00:00:03 rarp',
      // br1 filters VLANs: a tap's frames are in its PVID, tagged on the trunk unless untagged.
      'eth2 all 52:54:00:00:01:00 rarp',
      'eth2.10 all fe:54:00:00:01:02 rarp',
      'eth2 all fe:54:00:00:01:03 rarp',
      // lo and tun0 (NOARP) are not announced; docker0 has no uplink and sends on itself.
      'dummy0 all 02:00:00:00:0d:00 request 198.51.100.1',
      'dummy0 all 02:00:00:00:0d:00 reply 198.51.100.1',
      'docker0 all 02:42:00:00:00:01 request 172.17.0.1',
      'docker0 all 02:42:00:00:00:01 reply 172.17.0.1',
      'docker0 all 02:42:00:00:00:02 rarp',
    ]);
    assert.deepEqual(plan.skipped, ['--all: eth3 not announced on eth3: it has no carrier']);
  });

  test('--iface with --all: the same frames once, as --iface asked for them', () => {
    const all = lines({ all: true });
    const both = lines({ all: true, ifaces: ['br0', 'eth0'] });
    assert.equal(both.length, all.length);
    assert.deepEqual(
      both.slice(0, 7),
      all.slice(0, 7).map((l) => l.replace(' all ', ' iface ')),
    );
    assert.deepEqual(lines({ ifaces: ['eth0', 'eth1', 'bond0', 'eth0'] }), [
      `bond0 iface ${HV_MAC} rarp`,
    ]);
  });

  test('an --iface whose egress is down is planned: the link opener reports it', () => {
    assert.deepEqual(lines({ ifaces: ['eth3'] }), [
      'eth3 iface 52:54:00:00:03:00 request 203.0.113.5',
      'eth3 iface 52:54:00:00:03:00 reply 203.0.113.5',
    ]);
  });

  test('a MAC without an address: RARP by default, the send_arp learn frame on request', () => {
    assert.deepEqual(lines({ ifaces: ['vnet0'] }), ['bond0 iface fe:54:00:00:00:01 rarp']);
    assert.deepEqual(lines({ ifaces: ['vnet0'], macFrame: 'learn' }), [
      'bond0 iface fe:54:00:00:00:01 learn',
    ]);
  });

  test('--guests BRIDGE: static and learned guests out of every uplink, as the guest', () => {
    // Not the bridge's local MACs, not the router learned on the uplink, not a group MAC.
    assert.deepEqual(lines({ guests: ['br0'] }), [
      'bond0 guest 52:54:00:aa:00:01 rarp',
      'bond0 guest 52:54:00:aa:00:02 rarp',
      'bond0 guest 52:54:00:aa:00:03 rarp',
    ]);
    assert.deepEqual(lines({ guests: ['br0'], macFrame: 'learn' }), [
      'bond0 guest 52:54:00:aa:00:01 learn',
      'bond0 guest 52:54:00:aa:00:02 learn',
      'bond0 guest 52:54:00:aa:00:03 learn',
    ]);
  });

  test('guest VLANs: tagged where the uplink tags, untagged where not, skipped where absent', () => {
    const plan = planAnnouncement(hypervisor().build(), { ...NONE, guests: ['br1'] });
    assert.deepEqual(plan.frames.map(line), [
      'eth2 guest 52:54:00:bb:00:01 rarp',
      'eth2.10 guest 52:54:00:bb:00:10 rarp',
    ]);
    assert.deepEqual(plan.skipped, [
      '--guests br1: 52:54:00:bb:00:30 not announced on eth2: it does not carry vlan 30',
    ]);
    // A bridge that does not filter VLANs has no VLAN info on its ports: no tag.
    const flat = new SnapshotBuilder()
      .link('br0', 'bridge')
      .link('eth0', 'physical', { master: 'br0' })
      .link('tap0', 'tun', { tap: true, master: 'br0' })
      .fdb('br0', 'tap0', '52:54:00:cc:00:01', { vlan: 10 })
      .build();
    assert.deepEqual(lines({ guests: ['br0'] }, flat), ['eth0 guest 52:54:00:cc:00:01 rarp']);
  });

  test('bare --guests: every bridge with an uplink; one without is noted', () => {
    const plan = planAnnouncement(hypervisor().build(), { ...NONE, guests: 'all' });
    assert.deepEqual(plan.frames.map(line), [
      'bond0 guest 52:54:00:aa:00:01 rarp',
      'bond0 guest 52:54:00:aa:00:02 rarp',
      'bond0 guest 52:54:00:aa:00:03 rarp',
      'eth2 guest 52:54:00:bb:00:01 rarp',
      'eth2.10 guest 52:54:00:bb:00:10 rarp',
    ]);
    assert.deepEqual(plan.skipped, [
      '--guests: docker0 has no uplink: its guests are not announced (name one with --uplink)',
      '--guests br1: 52:54:00:bb:00:30 not announced on eth2: it does not carry vlan 30',
    ]);
  });

  test('--uplink names the uplinks of its bridge: a veth becomes one, its MACs no guests', () => {
    // bond0 is no uplink now: the router learned on it counts as a guest; veth0's MAC does not.
    assert.deepEqual(lines({ guests: ['br0'], uplinks: ['veth0'] }), [
      'veth0 guest 00:00:5e:00:01:01 rarp',
      'veth0 guest 52:54:00:aa:00:01 rarp',
      'veth0 guest 52:54:00:aa:00:02 rarp',
    ]);
    assert.deepEqual(lines({ guests: ['docker0'], uplinks: ['veth1'] }), []);
    // Two named uplinks: br0's six frames go out of each.
    const egresses = lines({ ifaces: ['br0'], uplinks: ['bond0', 'veth0'] }).map(
      (each) => each.split(' ')[0],
    );
    assert.deepEqual(egresses, [...Array(6).fill('bond0'), ...Array(6).fill('veth0')]);
  });

  test('--all and guests skip an uplink that is down or without carrier, with a note', () => {
    const host = new SnapshotBuilder()
      .link('br0', 'bridge')
      .link('eth0', 'physical', { master: 'br0', up: false })
      .link('eth1', 'physical', { master: 'br0', carrier: false })
      .link('tap0', 'tun', { tap: true, master: 'br0' })
      .link('tap1', 'tun', { tap: true, master: 'br0' })
      .fdb('br0', 'tap0', '52:54:00:cc:00:01')
      .fdb('br0', 'tap1', '52:54:00:cc:00:02')
      .build();
    const plan = planAnnouncement(host, { ...NONE, all: true, guests: ['br0'] });
    assert.deepEqual(plan.frames, []);
    assert.deepEqual(plan.skipped, [
      '--all: br0, eth0, tap0 and 1 more not announced on eth0: it is down',
      '--all: br0, eth1, tap0 and 1 more not announced on eth1: it has no carrier',
      '--guests br0: 52:54:00:cc:00:01, 52:54:00:cc:00:02 not announced on eth0: it is down',
      '--guests br0: 52:54:00:cc:00:01, 52:54:00:cc:00:02 not announced on eth1: it has no carrier',
    ]);
    assert.equal(lines({ ifaces: ['tap0'] }, host).length, 2, '--iface plans it anyway');
  });

  test('--ip: only that address, from the link it is configured on', () => {
    assert.deepEqual(lines({ ips: [{ family: 'ipv4', ip: parseIpv4('192.0.2.11') }] }), [
      `bond0 ip ${HV_MAC} request 192.0.2.11`,
      `bond0 ip ${HV_MAC} reply 192.0.2.11`,
    ]);
    assert.deepEqual(lines({ ips: [{ family: 'ipv6', ip: parseIpv6('2001:db8::10') }] }), [
      `bond0 ip ${HV_MAC} na 2001:db8::10`,
    ]);
  });

  test('--ip --force: an address this host lacks, on the one --iface, with its MAC', () => {
    const vip = { family: 'ipv4', ip: parseIpv4('192.0.2.77') } as const;
    assert.deepEqual(lines({ ips: [vip], ifaces: ['dummy0'], force: true }), [
      'dummy0 iface 02:00:00:00:0d:00 request 198.51.100.1',
      'dummy0 iface 02:00:00:00:0d:00 reply 198.51.100.1',
      'dummy0 ip 02:00:00:00:0d:00 request 192.0.2.77',
      'dummy0 ip 02:00:00:00:0d:00 reply 192.0.2.77',
    ]);
  });

  test('order is by MAC whatever the FDB order; a MAC learned twice is announced once', () => {
    const host = (order: number[]) => {
      const builder = new SnapshotBuilder()
        .link('br0', 'bridge')
        .link('eth0', 'physical', { master: 'br0' })
        .link('tap0', 'tun', { tap: true, master: 'br0' })
        .link('tap1', 'tun', { tap: true, master: 'br0' });
      for (const n of order) builder.fdb('br0', n % 2 ? 'tap1' : 'tap0', `52:54:00:cc:00:0${n}`);
      return builder.fdb('br0', 'tap1', '52:54:00:cc:00:02', { state: 'static' }).build();
    };
    const expected = [1, 2, 3, 4].map((n) => `eth0 guest 52:54:00:cc:00:0${n} rarp`);
    assert.deepEqual(lines({ guests: 'all' }, host([3, 1, 4, 2])), expected);
    assert.deepEqual(lines({ guests: 'all' }, host([2, 4, 1, 3])), expected);
  });

  test('10,000 guests: one frame each, in MAC order, on the uplink', () => {
    const plan = planAnnouncement(manyGuests(10_000), { ...NONE, guests: ['br0'] });
    assert.equal(plan.frames.length, 10_000);
    assert.ok(
      plan.frames.every(
        (frame, i) => frame.egress === 'eth0' && frame.spec.mac === 0x0254_0000_0000 + i,
      ),
    );
  });
});

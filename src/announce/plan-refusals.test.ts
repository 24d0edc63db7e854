import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AddressScope, type HostSnapshot } from '../host/snapshot.js';
import { hypervisor, SnapshotBuilder } from '../testing/snapshots.js';
import { parseIpv4 } from '../wire/ipv4.js';
import { parseIpv6 } from '../wire/ipv6.js';
import { type AnnounceOptions, PlanError, planAnnouncement } from './plan.js';
import { nameList } from './plan-error.js';

const NONE: AnnounceOptions = {
  ifaces: [],
  all: false,
  guests: undefined,
  ips: [],
  uplinks: [],
  macFrame: 'rarp',
  force: false,
};

const v4 = (text: string) => ({ family: 'ipv4', ip: parseIpv4(text) }) as const;
const v6 = (text: string) => ({ family: 'ipv6', ip: parseIpv6(text) }) as const;

/** The hypervisor with a few more links that cannot announce and a host-scope address. */
function host(): HostSnapshot {
  return hypervisor()
    .link('gre0', 'gre', { mac: null })
    .link('zero0', 'dummy', { mac: '00:00:00:00:00:00' })
    .link('group0', 'dummy', { mac: '01:00:5e:00:00:01' })
    .ipv4('dummy0', '10.9.9.9/32', { scope: AddressScope.HOST })
    .build();
}

const LINKS = 'lo, br0, bond0, eth0, eth1, vnet0, vnet1, veth0, br1, eth2, vnet2, vnet3 and 8 more';
const PORTS = 'bond0, vnet0, vnet1, veth0, eth2, vnet2, vnet3, veth1';
const BRIDGES = 'br0, br1, docker0';
const ETHERNET = 'expected a link that uses ARP and has a unicast MAC';
const OF_ETHERNET = 'expected an address of a link that uses ARP and has a unicast MAC';

/** Each refusal: what is asked and the one line that refuses it. */
const REFUSALS: [string, Partial<AnnounceOptions>, string][] = [
  ['no selector', {}, 'choose what to announce: --iface, --all, --guests or --ip'],
  [
    'no selector, --guests naming none',
    { guests: [], uplinks: ['nope'] },
    'choose what to announce: --iface, --all, --guests or --ip',
  ],
  ['unknown --iface', { ifaces: ['eth9'] }, `--iface: no link named "eth9" (links: ${LINKS})`],
  ['loopback --iface', { ifaces: ['lo'] }, `--iface: lo is loopback; ${ETHERNET}`],
  ['NOARP --iface', { ifaces: ['tun0'] }, `--iface: tun0 does not use ARP (NOARP); ${ETHERNET}`],
  ['--iface without a MAC', { ifaces: ['gre0'] }, `--iface: gre0 has no MAC; ${ETHERNET}`],
  [
    '--iface with a zero MAC',
    { ifaces: ['zero0'] },
    `--iface: zero0 has no unicast MAC (00:00:00:00:00:00); ${ETHERNET}`,
  ],
  [
    '--iface with a group MAC',
    { ifaces: ['group0'] },
    `--iface: group0 has no unicast MAC (01:00:5e:00:00:01); ${ETHERNET}`,
  ],
  [
    'unknown --uplink',
    { all: true, uplinks: ['eth9'] },
    `--uplink: no link named "eth9" (links: ${LINKS})`,
  ],
  [
    '--uplink not a bridge port',
    { all: true, uplinks: ['eth0'] },
    `--uplink: eth0 is not a bridge port; expected one of ${PORTS}`,
  ],
  [
    'unknown --guests bridge',
    { guests: ['br9'] },
    `--guests: no bridge named "br9" (bridges: ${BRIDGES})`,
  ],
  [
    '--guests naming a link that is no bridge',
    { guests: ['eth0'] },
    `--guests: eth0 is not a bridge (bridges: ${BRIDGES})`,
  ],
  [
    '--guests of a bridge without uplink',
    { guests: ['br0', 'docker0'] },
    '--guests: docker0 has no uplink to announce its guests on: name one with --uplink',
  ],
  [
    '--ip this host does not have',
    { ips: [v4('192.0.2.77')], ifaces: ['dummy0'] },
    '--ip: 192.0.2.77 is not configured on this host: announcing it would take the address from its owner; --force does it anyway',
  ],
  [
    '--ip --force without --iface',
    { ips: [v6('2001:db8::77')], force: true },
    '--ip: 2001:db8::77 is not configured on this host: name the interface to announce it on with exactly one --iface (none given)',
  ],
  [
    '--ip --force with two --iface',
    { ips: [v4('192.0.2.77')], force: true, ifaces: ['eth3', 'dummy0'] },
    '--ip: 192.0.2.77 is not configured on this host: name the interface to announce it on with exactly one --iface (given dummy0, eth3)',
  ],
  [
    '--ip of loopback',
    { ips: [v4('127.0.0.1')] },
    `--ip: 127.0.0.1 is on lo, which is loopback; ${OF_ETHERNET}`,
  ],
  [
    '--ip of a NOARP link, even with --force',
    { ips: [v4('10.8.0.1')], force: true, ifaces: ['dummy0'] },
    `--ip: 10.8.0.1 is on tun0, which does not use ARP (NOARP); ${OF_ETHERNET}`,
  ],
  [
    '--ip still tentative',
    { ips: [v6('2001:db8::99')] },
    '--ip: 2001:db8::99 on br0 is still tentative (duplicate address detection has not finished); expected an address in use',
  ],
  [
    '--ip of scope host',
    { ips: [v4('10.9.9.9')] },
    '--ip: 10.9.9.9 on dummy0 has scope host; expected an address the network can reach',
  ],
];

describe('announce plan refusals', () => {
  for (const [name, options, message] of REFUSALS) {
    test(name, () => {
      assert.throws(
        () => planAnnouncement(host(), { ...NONE, ...options }),
        (error) =>
          error instanceof PlanError && error.name === 'PlanError' && error.message === message,
      );
    });
  }

  test('bare --guests on a host without a bridge is no refusal: it notes that there are no guests', () => {
    const plain = new SnapshotBuilder().link('eth0', 'physical').build();
    const plan = planAnnouncement(plain, { ...NONE, guests: 'all' });
    assert.deepEqual(plan.frames, []);
    assert.deepEqual(plan.skipped, ['--guests: this host has no bridge, so no guests']);
  });

  test('an address configured as requested is no refusal, --force or not', () => {
    for (const force of [false, true]) {
      const plan = planAnnouncement(host(), { ...NONE, ips: [v4('198.51.100.1')], force });
      assert.equal(plan.frames.length, 2);
    }
  });

  test('names are listed up to twelve, then counted', () => {
    assert.equal(nameList([]), 'none');
    assert.equal(nameList(['a', 'b']), 'a, b');
    assert.equal(nameList(['a', 'b', 'c', 'd'], 3), 'a, b, c and 1 more');
  });
});

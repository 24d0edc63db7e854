import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hex } from '../testing/bytes.js';
import { macBytes, newLink, PLAIN_LINK, str, u8, u32 } from '../testing/rtnetlink-messages.js';
import { WireError, type WireErrorKind } from '../wire/error.js';
import { parseMac } from '../wire/mac.js';
import { parseLinkDump } from './link-message.js';
import {
  Family,
  Iff,
  Ifla,
  IflaBond,
  IflaBr,
  IflaInfo,
  IflaTun,
  TunType,
} from './rtnetlink-abi.js';
import type { HostLink } from './snapshot.js';

// No bonding or 8021q module on the machine the fixtures were recorded on, so these two are
// written out field by field from `linux/netlink.h`, `linux/rtnetlink.h` and `linux/if_link.h`.
const BOND_MESSAGE = hex(`
  5c000000 1000 0200 01000000 00000000  # nlmsg_len 92, RTM_NEWLINK (16), NLM_F_MULTI, seq 1, pid 0
  00 00 0100 07000000 43140100 00000000 # ifinfomsg: AF_UNSPEC, ARPHRD_ETHER, index 7,
                                        #   UP|BROADCAST|RUNNING|MASTER|MULTICAST|LOWER_UP, change 0
  0a00 0300 626f6e643000 0000           # IFLA_IFNAME (3), nla_len 10: "bond0\\0", 2 bytes padding
  0a00 0100 020000000007 0000           # IFLA_ADDRESS (1), nla_len 10: 02:00:00:00:00:07
  2400 1200                             # IFLA_LINKINFO (18), nla_len 36
    0900 0100 626f6e6400 000000         #   IFLA_INFO_KIND (1), nla_len 9: "bond\\0"
    1400 0280                           #   IFLA_INFO_DATA (2 | NLA_F_NESTED), nla_len 20
      0500 0100 01 000000               #     IFLA_BOND_MODE (1), u8: 1 = active-backup
      0800 0200 09000000                #     IFLA_BOND_ACTIVE_SLAVE (2), u32: index 9
`);

const VLAN_MESSAGE = hex(`
  5c000000 1000 0200 01000000 00000000  # nlmsg_len 92, RTM_NEWLINK, NLM_F_MULTI, seq 1, pid 0
  00 00 0100 08000000 43100100 00000000 # ifinfomsg: AF_UNSPEC, ARPHRD_ETHER, index 8,
                                        #   UP|BROADCAST|RUNNING|MULTICAST|LOWER_UP
  0d00 0300 657468302e31303000 000000   # IFLA_IFNAME, nla_len 13: "eth0.100\\0", 3 bytes padding
  0800 0500 02000000                    # IFLA_LINK (5), u32: index 2, the parent
  2400 1200                             # IFLA_LINKINFO, nla_len 36 (no NLA_F_NESTED, as sent)
    0900 0100 766c616e00 000000         #   IFLA_INFO_KIND: "vlan\\0"
    1400 0200                           #   IFLA_INFO_DATA (no flag either), nla_len 20
      0600 0100 6400 0000               #     IFLA_VLAN_ID (1), u16: 100
      0600 0500 8100 0000               #     IFLA_VLAN_PROTOCOL (5), be16: 0x8100
`);

const ACTIVE = { up: true, carrier: true };

function one(message: Uint8Array): HostLink {
  const links = parseLinkDump([message]);
  assert.equal(links.length, 1);
  return links[0]!;
}

function linkinfo(kind: string, data?: Parameters<typeof newLink>[1]) {
  const info = [{ type: IflaInfo.KIND, value: str(kind) }];
  return {
    type: Ifla.LINKINFO,
    nested: data === undefined ? info : [...info, { type: IflaInfo.DATA, nested: data }],
  };
}

describe('RTM_NEWLINK', () => {
  test('a bond in active-backup with its active slave (byte-exact)', () => {
    assert.deepEqual(one(BOND_MESSAGE), {
      ...PLAIN_LINK,
      ...ACTIVE,
      index: 7,
      name: 'bond0',
      mac: parseMac('02:00:00:00:00:07'),
      kind: 'bond',
      bond: { mode: 'active-backup', activeSlave: 9 },
    });
  });

  test('a VLAN link over its parent (byte-exact)', () => {
    assert.deepEqual(one(VLAN_MESSAGE), {
      ...PLAIN_LINK,
      ...ACTIVE,
      index: 8,
      name: 'eth0.100',
      kind: 'vlan',
      parent: 2,
      vlanId: 100,
    });
  });

  test('bond modes by number; an unknown one keeps its number; no active slave', () => {
    for (const [mode, name] of [
      [0, 'balance-rr'],
      [4, '802.3ad'],
      [6, 'balance-alb'],
      [9, 'mode 9'],
    ] as const) {
      const link = one(
        newLink({ index: 3 }, [
          { type: Ifla.IFNAME, value: str('bond1') },
          linkinfo('bond', [{ type: IflaBond.MODE, value: u8(mode) }]),
        ]),
      );
      assert.deepEqual(link.bond, { mode: name, activeSlave: undefined });
    }
  });

  test('loopback, physical, tun and tap', () => {
    const lo = one(
      newLink({ index: 1, type: 772, flags: Iff.UP | Iff.LOOPBACK | Iff.LOWER_UP }, [
        { type: Ifla.IFNAME, value: str('lo') },
        { type: Ifla.ADDRESS, value: new Uint8Array(6) },
      ]),
    );
    assert.deepEqual([lo.kind, lo.loopback, lo.mac, lo.hardwareType], ['loopback', true, 0, 772]);
    const eth = one(newLink({ index: 2 }, [{ type: Ifla.IFNAME, value: str('eth0') }]));
    assert.equal(eth.kind, 'physical');
    const tun = (type: number) =>
      one(
        newLink({ index: 5, type: 65534, flags: Iff.NOARP }, [
          { type: Ifla.IFNAME, value: str('t') },
          linkinfo('tun', [{ type: IflaTun.TYPE, value: u8(type) }]),
        ]),
      );
    assert.deepEqual([tun(TunType.TAP).tap, tun(TunType.TUN).tap], [true, false]);
    assert.equal(tun(TunType.TUN).noarp, true);
    const ip6tnl = one(
      newLink({ index: 6, type: 769 }, [
        { type: Ifla.IFNAME, value: str('ip6tnl0') },
        { type: Ifla.ADDRESS, value: new Uint8Array(16) },
      ]),
    );
    assert.equal(ip6tnl.mac, undefined, 'a 16-byte address is not a MAC');
  });

  test('IFLA_LINK is a parent only for stacked kinds, in this namespace, and not itself', () => {
    const parentOf = (kind: string, extra: Parameters<typeof newLink>[1] = [], link = 2) =>
      one(
        newLink({ index: 9 }, [
          { type: Ifla.IFNAME, value: str('x') },
          { type: Ifla.LINK, value: u32(link) },
          ...extra,
          linkinfo(kind),
        ]),
      ).parent;
    assert.equal(parentOf('macvlan'), 2);
    assert.equal(parentOf('macvtap'), 2);
    assert.equal(parentOf('ipvlan'), 2);
    assert.equal(parentOf('veth'), undefined, 'a veth’s IFLA_LINK is its peer');
    assert.equal(parentOf('macvlan', [{ type: Ifla.LINK_NETNSID, value: u32(0) }]), undefined);
    assert.equal(parentOf('vlan', [], 9), undefined);
  });

  test('master, and a bridge’s VLAN filtering', () => {
    const port = one(
      newLink({ index: 4 }, [
        { type: Ifla.IFNAME, value: str('p0') },
        { type: Ifla.MASTER, value: u32(3) },
        { type: Ifla.ADDRESS, value: macBytes(parseMac('02:00:00:00:00:04')) },
      ]),
    );
    assert.deepEqual([port.master, port.mac], [3, parseMac('02:00:00:00:00:04')]);
    const bridge = (filtering: number | undefined) =>
      one(
        newLink({ index: 3 }, [
          { type: Ifla.IFNAME, value: str('br0') },
          linkinfo(
            'bridge',
            filtering === undefined ? [] : [{ type: IflaBr.VLAN_FILTERING, value: u8(filtering) }],
          ),
        ]),
      ).vlanFiltering;
    assert.deepEqual([bridge(1), bridge(0), bridge(undefined)], [true, false, false]);
  });

  test('other families, other types and NLMSG_DONE are passed over', () => {
    const bridgeFamily = newLink({ index: 4, family: Family.BRIDGE }, [
      { type: Ifla.IFNAME, value: str('p0') },
    ]);
    const done = hex('14000000 0300 0200 01000000 00000000 00000000');
    const other = hex('14000000 1400 0200 01000000 00000000 00000000');
    assert.deepEqual(
      parseLinkDump([bridgeFamily, other, VLAN_MESSAGE, done]).map((l) => l.name),
      ['eth0.100'],
    );
  });

  test('malformed and truncated messages are WireErrors naming RTM_NEWLINK', () => {
    const throwsWire = (kind: WireErrorKind, message: Uint8Array, what: string) =>
      assert.throws(
        () => parseLinkDump([message]),
        (e: unknown) =>
          e instanceof WireError && e.kind === kind && e.layer.startsWith('RTM_NEWLINK'),
        what,
      );
    const cut = VLAN_MESSAGE.slice(0, 24);
    new DataView(cut.buffer).setUint32(0, 24, true);
    throwsWire('truncated', cut, 'an ifinfomsg cut short');
    throwsWire('malformed', newLink({ index: 1 }, []), 'no IFLA_IFNAME');
    throwsWire(
      'malformed',
      newLink({ index: 1 }, [
        { type: Ifla.IFNAME, value: str('x') },
        { type: Ifla.MASTER, value: hex('0300') },
      ]),
      'a 2-byte IFLA_MASTER',
    );
    const broken = BOND_MESSAGE.slice();
    broken[72] = 0x30; // IFLA_INFO_DATA's nla_len 48: past the end of IFLA_LINKINFO
    throwsWire('malformed', broken, 'a nested length past its parent');
    throwsWire(
      'malformed',
      newLink({ index: 1 }, [
        { type: Ifla.IFNAME, value: str('x') },
        linkinfo('bond', [
          { type: IflaBond.MODE, value: u8(1) },
          { type: IflaBond.ACTIVE_SLAVE, value: hex('09') },
        ]),
      ]),
      'a 1-byte IFLA_BOND_ACTIVE_SLAVE',
    );
  });
});

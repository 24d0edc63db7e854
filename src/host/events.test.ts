import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import {
  activeSlaveChangeMessage,
  bondFailoverMessage,
  bondMessage,
  bondSlaveMessage,
  failoverDatagrams,
} from '../testing/bond-messages.js';
import { hex } from '../testing/bytes.js';
import { DUMP_FILES } from '../testing/record-netlink.js';
import {
  datagram,
  EVENT_HEADER,
  macBytes,
  newAddress,
  newLink,
  newNeigh,
  PLAIN_LINK,
  str,
  u32,
} from '../testing/rtnetlink-messages.js';
import { parseIpv4 } from '../wire/ipv4.js';
import { parseIpv6 } from '../wire/ipv6.js';
import { parseMac } from '../wire/mac.js';
import { EventReader, type HostEvent, linkEventKind, readEvents } from './events.js';
import { NlmsgHeader, netlinkAlign } from '../link/sys/netlink-abi.js';
import { Family, Ifa, Ifla, IflaEvent, Iff, Nda, Nud, RtmType } from './rtnetlink-abi.js';

// Written out field by field from `linux/netlink.h`, `linux/rtnetlink.h`, `linux/if_link.h` and
// `linux/if_bonding.h` (no bonding module where the other fixtures were recorded): what
// bond_change_active_slave makes the kernel multicast when bond0 (index 7) fails over to eth1 (9).
const BOND_FAILOVER = hex(`
  64000000 1000 0000 00000000 00000000  # nlmsg_len 100, RTM_NEWLINK (16), no flags, seq 0, port 0
  00 00 0100 07000000 43140100 00000000 # ifinfomsg: AF_UNSPEC, ARPHRD_ETHER, index 7,
                                        #   UP|BROADCAST|RUNNING|MASTER|MULTICAST|LOWER_UP, change 0
  0a00 0300 626f6e643000 0000           # IFLA_IFNAME (3), nla_len 10: "bond0\\0", 2 bytes padding
  0a00 0100 020000000007 0000           # IFLA_ADDRESS (1), nla_len 10: 02:00:00:00:00:07
  2400 1200                             # IFLA_LINKINFO (18), nla_len 36, no NLA_F_NESTED (as sent)
    0900 0100 626f6e6400 000000         #   IFLA_INFO_KIND (1), nla_len 9: "bond\\0"
    1400 0200                           #   IFLA_INFO_DATA (2), nla_len 20
      0500 0100 01 000000               #     IFLA_BOND_MODE (1), u8: 1 = active-backup
      0800 0200 09000000                #     IFLA_BOND_ACTIVE_SLAVE (2), u32: index 9
  0800 2c00 03000000                    # IFLA_EVENT (44), u32: 3 = IFLA_EVENT_BONDING_FAILOVER
`);

// The new active slave's own RTM_NEWLINK (NETDEV_CHANGELOWERSTATE: no IFLA_EVENT).
const SLAVE_ACTIVE = hex(`
  70000000 1000 0000 00000000 00000000  # nlmsg_len 112, RTM_NEWLINK, no flags, seq 0, port 0
  00 00 0100 09000000 43180100 00000000 # ifinfomsg: index 9, UP|BROADCAST|RUNNING|SLAVE|MULTICAST|LOWER_UP
  0900 0300 6574683100 000000           # IFLA_IFNAME, nla_len 9: "eth1\\0"
  0a00 0100 020000000007 0000           # IFLA_ADDRESS: the bond's MAC, 02:00:00:00:00:07
  0800 0a00 07000000                    # IFLA_MASTER (10), u32: 7
  3000 1200                             # IFLA_LINKINFO, nla_len 48
    0900 0400 626f6e6400 000000         #   IFLA_INFO_SLAVE_KIND (4): "bond\\0"
    2000 0500                           #   IFLA_INFO_SLAVE_DATA (5), nla_len 32
      0500 0100 00 000000               #     IFLA_BOND_SLAVE_STATE (1), u8: 0 = BOND_STATE_ACTIVE
      0500 0200 00 000000               #     IFLA_BOND_SLAVE_MII_STATUS (2), u8: 0 = BOND_LINK_UP
      0a00 0400 020000000009 0000       #     IFLA_BOND_SLAVE_PERM_HWADDR (4): 02:00:00:00:00:09
`);

// Recorded from a 6.18 kernel in a network namespace (event-fixture.js --raw): `ip addr add
// 192.0.2.1/24 dev br0`, `ip -6 addr add 2001:db8::1/64 dev br0 nodad`, `bridge fdb add
// 02:00:00:00:00:05 dev d0 master dynamic` and `ip neigh add 192.0.2.9 lladdr … dev br0`.
const REAL_NEWADDR_V4 = hex(`
  4c000000 1400 0000 a17b026b de7c0000  # nlmsg_len 76, RTM_NEWADDR (20), no flags, and the seq and
                                        #   port of the \`ip\` that asked for it (not 0)
  02 18 80 00 04000000                  # ifaddrmsg: AF_INET, /24, IFA_F_PERMANENT, global, index 4
  0800 0100 c0000201                    # IFA_ADDRESS (1): 192.0.2.1
  0800 0200 c0000201                    # IFA_LOCAL (2): 192.0.2.1
  0800 0300 62723000                    # IFA_LABEL (3): "br0\\0"
  0800 0800 80000000                    # IFA_FLAGS (8), u32: IFA_F_PERMANENT
  1400 0600 ffffffff ffffffff           # IFA_CACHEINFO (6): preferred and valid lifetimes forever,
            5e240f00 5e240f00           #   created and updated (hundredths of a second since boot)
`);

const REAL_NEWADDR_V6 = hex(`
  48000000 1400 0000 00000000 00000000  # nlmsg_len 72, RTM_NEWADDR, seq 0, port 0
  0a 40 82 00 04000000                  # ifaddrmsg: AF_INET6, /64, PERMANENT|NODAD, global, index 4
  1400 0100 20010db8 00000000 00000000 00000001 # IFA_ADDRESS: 2001:db8::1 (no IFA_LOCAL for IPv6)
  1400 0600 ffffffff ffffffff 2a270f00 2a270f00 # IFA_CACHEINFO
  0800 0800 82000000                    # IFA_FLAGS: IFA_F_PERMANENT|IFA_F_NODAD
`);

const REAL_NEWNEIGH_FDB = hex(`
  4c000000 1c00 0000 00000000 00000000  # nlmsg_len 76, RTM_NEWNEIGH (28), seq 0, port 0
  07 00 0000 03000000 0200 00 00        # ndmsg: AF_BRIDGE, port index 3, NUD_REACHABLE, flags 0
  0a00 0200 020000000005 0000           # NDA_LLADDR (2): 02:00:00:00:00:05
  0800 0900 04000000                    # NDA_MASTER (9): bridge index 4
  0800 0f00 00000000                    # NDA_FLAGS_EXT (15), u32: 0
  1400 0300 00000000 00000000 00000000 00000000 # NDA_CACHEINFO (3)
`);

const REAL_NEWNEIGH_ARP = hex(`
  4c000000 1c00 0000 00000000 057c0000  # nlmsg_len 76, RTM_NEWNEIGH, seq 0, the asker's port
  02 00 0000 04000000 8000 00 01        # ndmsg: AF_INET, index 4, NUD_PERMANENT, flags 0, RTN_UNICAST
  0800 0100 c0000209                    # NDA_DST (1): 192.0.2.9
  0a00 0200 020000000009 0000           # NDA_LLADDR: 02:00:00:00:00:09
  0800 0400 00000000                    # NDA_PROBES (4): 0
  1400 0300 00000000 00000000 00000000 01000000 # NDA_CACHEINFO
`);

/** The same message with another `nlmsg_type` (RTM_NEW* → RTM_DEL*). */
function retyped(message: Uint8Array, type: number): Uint8Array {
  const copy = message.slice();
  new DataView(copy.buffer).setUint16(NlmsgHeader.TYPE, type, true);
  return copy;
}

const BOND_MAC = parseMac('02:00:00:00:00:07');
const BOND = { index: 7, name: 'bond0', mac: BOND_MAC };

const LIVE = { up: true, carrier: true };

/** The one event of `datagrams`, after checking nothing was malformed. */
function only(...datagrams: Uint8Array[]): HostEvent {
  const { events, malformed } = readEvents(datagrams);
  assert.equal(malformed, 0);
  assert.equal(
    events.length,
    1,
    JSON.stringify(events, (_, v) => String(v)),
  );
  return events[0]!;
}

describe('readEvents: links', () => {
  test('a bond’s failover (byte-exact): its new active slave, IFLA_EVENT bonding-failover', () => {
    assert.deepEqual(bondFailoverMessage({ ...BOND, activeSlave: 9 }), BOND_FAILOVER);
    assert.deepEqual(only(BOND_FAILOVER), {
      type: 'link',
      op: 'new',
      link: {
        ...PLAIN_LINK,
        ...LIVE,
        index: 7,
        name: 'bond0',
        mac: BOND_MAC,
        kind: 'bond',
        bond: { mode: 'active-backup', activeSlave: 9 },
      },
      linkEvent: 'bonding-failover',
    });
  });

  test('a slave’s RTM_NEWLINK (byte-exact): its master, kind from its own IFLA_INFO_KIND', () => {
    const built = bondSlaveMessage({
      index: 9,
      name: 'eth1',
      mac: BOND_MAC,
      master: 7,
      state: 'active',
      permanentMac: parseMac('02:00:00:00:00:09'),
    });
    assert.deepEqual(built, SLAVE_ACTIVE);
    assert.deepEqual(only(SLAVE_ACTIVE), {
      type: 'link',
      op: 'new',
      link: { ...PLAIN_LINK, ...LIVE, index: 9, name: 'eth1', mac: BOND_MAC, master: 7 },
      linkEvent: undefined,
    });
  });

  test('a whole failover, one datagram per message, in the kernel’s order', () => {
    const datagrams = failoverDatagrams({
      bond: BOND,
      from: { index: 8, name: 'eth0' },
      to: { index: 9, name: 'eth1' },
    });
    const { events, malformed } = readEvents(datagrams);
    assert.equal(malformed, 0);
    const summary = events.map((e) =>
      e.type === 'link'
        ? [e.link.name, e.link.carrier, e.link.bond?.activeSlave ?? null, e.linkEvent ?? null]
        : [],
    );
    assert.deepEqual(summary, [
      ['eth0', false, null, null],
      ['eth1', true, null, null],
      ['bond0', true, 9, 'bonding-failover'],
      ['bond0', true, 9, 'notify-peers'],
    ]);
  });

  test('an active slave change without IFLA_EVENT still carries the new slave', () => {
    const event = only(activeSlaveChangeMessage({ ...BOND, activeSlave: 8 }));
    assert.equal(event.type, 'link');
    if (event.type !== 'link') return;
    assert.deepEqual(event.link.bond, { mode: 'active-backup', activeSlave: 8 });
    assert.equal(event.linkEvent, undefined);
  });

  test('every IFLA_EVENT value by name; NONE and values unknown here have none', () => {
    const named = Object.entries(IflaEvent).map(([, value]) => {
      const event = only(bondMessage({ ...BOND, activeSlave: undefined }, { event: value }));
      return event.type === 'link' ? event.linkEvent : 'not a link';
    });
    assert.deepEqual(named, [
      undefined,
      'reboot',
      'features',
      'bonding-failover',
      'notify-peers',
      'igmp-resend',
      'bonding-options',
    ]);
    assert.equal(linkEventKind(7), undefined);
    assert.equal(linkEventKind(undefined), undefined);
  });

  test('RTM_DELLINK: op del, the link as it was', () => {
    const gone = bondMessage({ ...BOND, activeSlave: 9, flags: 0 }, { type: RtmType.DELLINK });
    assert.deepEqual(only(gone), {
      type: 'link',
      op: 'del',
      link: {
        ...PLAIN_LINK,
        index: 7,
        name: 'bond0',
        mac: BOND_MAC,
        kind: 'bond',
        bond: { mode: 'active-backup', activeSlave: 9 },
      },
      linkEvent: undefined,
    });
  });

  test('AF_BRIDGE link messages (a bridge’s notes about its ports) are passed over', () => {
    const port = [{ type: Ifla.IFNAME, value: str('p0') }];
    const bridge = newLink({ family: Family.BRIDGE, index: 3, flags: Iff.UP }, port, EVENT_HEADER);
    const bridgeGone = newLink({ family: Family.BRIDGE, index: 3 }, port, {
      ...EVENT_HEADER,
      type: RtmType.DELLINK,
    });
    assert.deepEqual(readEvents([datagram(bridge, bridgeGone)]), { events: [], malformed: 0 });
  });

  test('events are frozen: a consumer may keep them', () => {
    const event = only(BOND_FAILOVER);
    assert.ok(event.type === 'link' && Object.isFrozen(event.link));
    assert.ok(event.type === 'link' && Object.isFrozen(event.link.bond));
  });
});

describe('readEvents: addresses and bridge FDB entries', () => {
  test('RTM_NEWADDR / RTM_DELADDR, IPv4 and IPv6, as the kernel sent them', () => {
    const { events, malformed } = readEvents([
      REAL_NEWADDR_V4,
      REAL_NEWADDR_V6,
      retyped(REAL_NEWADDR_V4, RtmType.DELADDR),
      retyped(REAL_NEWADDR_V6, RtmType.DELADDR),
    ]);
    assert.equal(malformed, 0);
    const v4 = {
      family: 'ipv4',
      ip: parseIpv4('192.0.2.1'),
      index: 4,
      prefixLength: 24,
      scope: 0,
      tentative: false,
      deprecated: false,
      secondary: false,
    } as const;
    const v6 = { ...v4, family: 'ipv6', ip: parseIpv6('2001:db8::1'), prefixLength: 64 } as const;
    assert.deepEqual(events, [
      { type: 'address', op: 'new', address: v4 },
      { type: 'address', op: 'new', address: v6 },
      { type: 'address', op: 'del', address: v4 },
      { type: 'address', op: 'del', address: v6 },
    ]);
  });

  test('RTM_NEWNEIGH / RTM_DELNEIGH of a bridge: FDB entries learned and gone', () => {
    const entry = {
      mac: parseMac('02:00:00:00:00:05'),
      bridge: 4,
      port: 3,
      vlan: undefined,
      state: 'learned',
    } as const;
    assert.deepEqual(
      readEvents([REAL_NEWNEIGH_FDB, retyped(REAL_NEWNEIGH_FDB, RtmType.DELNEIGH)]),
      {
        events: [
          { type: 'fdb', op: 'new', entry },
          { type: 'fdb', op: 'del', entry },
        ],
        malformed: 0,
      },
    );
  });

  test('the ARP cache’s neighbours (AF_INET) and other families’ addresses are passed over', () => {
    const mpls = newAddress({ family: 28, prefixLength: 20, index: 4 }, [
      { type: Ifa.ADDRESS, value: u32(1) },
    ]);
    const self = newNeigh({ ifindex: 3, state: Nud.PERMANENT }, [
      { type: Nda.LLADDR, value: macBytes(parseMac('02:00:00:00:00:03')) },
    ]);
    assert.deepEqual(readEvents([REAL_NEWNEIGH_ARP, mpls, self]), { events: [], malformed: 0 });
  });

  test('other message types (routes, rules, NLMSG_DONE) are passed over', () => {
    const route = hex('1c000000 1800 0000 00000000 00000000 0a000000 00000000 00000000');
    const done = hex('14000000 0300 0200 00000000 00000000 00000000');
    assert.deepEqual(readEvents([datagram(route, done)]), { events: [], malformed: 0 });
  });

  test('several messages in a datagram and several datagrams: the kernel’s order', () => {
    const reader = new EventReader();
    const first = reader.read([datagram(SLAVE_ACTIVE, REAL_NEWADDR_V4), BOND_FAILOVER]);
    assert.deepEqual(
      first.events.map((e) => `${e.type} ${e.op}`),
      ['link new', 'address new', 'link new'],
    );
    const again = reader.read([REAL_NEWNEIGH_FDB]);
    assert.deepEqual(
      again.events.map((e) => e.type),
      ['fdb'],
      'a reader is reused batch after batch',
    );
  });
});

describe('readEvents: damaged input is counted, never thrown', () => {
  test('a message that does not parse is counted; the next in the datagram is still read', () => {
    const nameless = newLink({ index: 5 }, [{ type: Ifla.MTU, value: u32(1500) }], EVENT_HEADER);
    const shortHeader = hex('18000000 1000 0000 00000000 00000000 0000 0100 05000000');
    const badAttribute = newLink({ index: 5 }, [{ type: Ifla.IFNAME, value: str('x') }]);
    new DataView(badAttribute.buffer).setUint16(32, 200, true); // nla_len past the message's end
    const shortEvent = newLink({ index: 5 }, [
      { type: Ifla.IFNAME, value: str('x') },
      { type: Ifla.EVENT, value: Uint8Array.of(3) }, // IFLA_EVENT of one byte, not a u32
    ]);
    const batch = readEvents([
      datagram(nameless, REAL_NEWADDR_V4),
      datagram(shortHeader, badAttribute, shortEvent, REAL_NEWNEIGH_FDB),
    ]);
    assert.equal(batch.malformed, 4);
    assert.deepEqual(
      batch.events.map((e) => e.type),
      ['address', 'fdb'],
    );
  });

  test('a header that breaks framing loses the rest of its datagram, counted once', () => {
    const lying = REAL_NEWADDR_V4.slice();
    new DataView(lying.buffer).setUint32(NlmsgHeader.LEN, 4000, true);
    const stub = REAL_NEWADDR_V6.subarray(0, 10);
    const batch = readEvents([
      datagram(REAL_NEWNEIGH_FDB, lying, REAL_NEWADDR_V6),
      datagram(REAL_NEWADDR_V6, stub),
      REAL_NEWNEIGH_FDB,
    ]);
    assert.equal(batch.malformed, 2);
    assert.deepEqual(
      batch.events.map((e) => e.type),
      ['fdb', 'address', 'fdb'],
    );
  });

  test('an empty batch and empty datagrams', () => {
    assert.deepEqual(readEvents([]), { events: [], malformed: 0 });
    assert.deepEqual(readEvents([new Uint8Array(0)]), { events: [], malformed: 0 });
  });
});

const FIXTURES = fileURLToPath(new URL('../../../src/host/fixtures/', import.meta.url));

/** Each message of a recorded dump (real RTM_NEWLINK, RTM_NEWADDR, AF_BRIDGE RTM_NEWNEIGH). */
function recordedMessages(): Uint8Array[] {
  const messages: Uint8Array[] = [];
  for (const file of [DUMP_FILES.links, DUMP_FILES.addresses, DUMP_FILES.fdb]) {
    const bytes = new Uint8Array(readFileSync(`${FIXTURES}${file}`));
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let at = 0; at < bytes.length;) {
      const length = view.getUint32(at + NlmsgHeader.LEN, true);
      messages.push(bytes.slice(at, at + netlinkAlign(length)));
      at += netlinkAlign(length);
    }
  }
  return messages;
}

describe('readEvents: properties', () => {
  const real = [
    ...recordedMessages(),
    BOND_FAILOVER,
    SLAVE_ACTIVE,
    REAL_NEWADDR_V4,
    REAL_NEWADDR_V6,
    REAL_NEWNEIGH_FDB,
    REAL_NEWNEIGH_ARP,
  ];

  test('arbitrary bytes never throw', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 4 }), (datagrams) => {
        const { events, malformed } = readEvents(datagrams);
        assert.ok(malformed >= 0 && events.length >= 0);
      }),
      { numRuns: 1000 },
    );
  });

  test('a datagram cut anywhere: every whole message before the cut is read, the cut counted once', () => {
    const message = fc.constantFrom(...real);
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 6 }), fc.nat(), (parts, at) => {
        const whole = datagram(...parts);
        const cut = at % (whole.length + 1);
        const before: Uint8Array[] = [];
        let end = 0;
        for (const part of parts) {
          if (end + part.length > cut) break;
          before.push(part);
          end += part.length;
        }
        const expected = readEvents(before.length === 0 ? [] : [datagram(...before)]);
        const actual = readEvents([whole.subarray(0, cut)]);
        assert.deepEqual(actual.events, expected.events);
        assert.equal(actual.malformed, expected.malformed + (cut === end ? 0 : 1));
      }),
      { numRuns: 500 },
    );
  });

  test('bytes flipped inside a message: never thrown, the messages before it still read', () => {
    const message = fc.constantFrom(...real);
    fc.assert(
      fc.property(
        fc.array(message, { minLength: 2, maxLength: 5 }),
        fc.nat(),
        fc.uint8Array({ minLength: 1, maxLength: 4 }),
        (parts, at, noise) => {
          const whole = datagram(...parts);
          const spot = at % whole.length;
          whole.set(noise.subarray(0, whole.length - spot), spot);
          let end = 0;
          const before: Uint8Array[] = [];
          for (const part of parts) {
            if (end + part.length > spot) break;
            before.push(part);
            end += part.length;
          }
          const actual = readEvents([whole]);
          const expected = readEvents(before.length === 0 ? [] : [datagram(...before)]);
          assert.deepEqual(actual.events.slice(0, expected.events.length), expected.events);
        },
      ),
      { numRuns: 500 },
    );
  });
});

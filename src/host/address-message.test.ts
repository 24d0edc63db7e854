import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hex } from '../testing/bytes.js';
import { newAddress, u32 } from '../testing/rtnetlink-messages.js';
import { WireError, type WireErrorKind } from '../wire/error.js';
import { parseIpv4 } from '../wire/ipv4.js';
import { parseIpv6 } from '../wire/ipv6.js';
import { parseAddressDump } from './address-message.js';
import { Family, Ifa, IfaFlag } from './rtnetlink-abi.js';
import { AddressScope, type HostAddress } from './snapshot.js';

// A secondary IPv4 address as inet_fill_ifaddr sends it: IFA_ADDRESS and IFA_LOCAL equal.
const SECONDARY_V4 = hex(`
  40000000 1400 0200 01000000 00000000  # nlmsg_len 64, RTM_NEWADDR (20), NLM_F_MULTI, seq 1
  02 18 01 00 05000000                  # ifaddrmsg: AF_INET, /24, IFA_F_SECONDARY, scope 0, index 5
  0800 0100 0a0a0002                    # IFA_ADDRESS (1): 10.10.0.2
  0800 0200 0a0a0002                    # IFA_LOCAL (2): 10.10.0.2
  0800 0300 62723000                    # IFA_LABEL (3): "br0\\0"
  0800 0800 81000000                    # IFA_FLAGS (8), u32: SECONDARY|PERMANENT
  0800 0400 0a0a00ff                    # IFA_BROADCAST (4): 10.10.0.255
`);

function one(message: Uint8Array): HostAddress | undefined {
  return parseAddressDump([message])[0];
}

describe('RTM_NEWADDR', () => {
  test('a secondary IPv4 address (byte-exact)', () => {
    assert.deepEqual(one(SECONDARY_V4), {
      family: 'ipv4',
      ip: parseIpv4('10.10.0.2'),
      index: 5,
      prefixLength: 24,
      scope: AddressScope.GLOBAL,
      tentative: false,
      deprecated: false,
      secondary: true,
    });
  });

  test('point-to-point: IFA_LOCAL is ours, IFA_ADDRESS the peer (IPv4 and IPv6)', () => {
    const v4 = one(
      newAddress({ family: Family.INET, prefixLength: 32, index: 8 }, [
        { type: Ifa.ADDRESS, value: hex('0a0a0902') },
        { type: Ifa.LOCAL, value: hex('0a0a0901') },
      ]),
    );
    assert.equal(v4?.ip, parseIpv4('10.10.9.1'));
    const v6 = one(
      newAddress({ family: Family.INET6, prefixLength: 128, index: 8 }, [
        { type: Ifa.LOCAL, value: hex('20010db8009900000000000000000001') },
        { type: Ifa.ADDRESS, value: hex('20010db8009900000000000000000002') },
      ]),
    );
    assert.equal(v6?.ip, parseIpv6('2001:db8:99::1'));
  });

  test('IPv6 with IFA_ADDRESS alone; IFA_FLAGS overrides ifa_flags', () => {
    const address = one(
      newAddress(
        { family: Family.INET6, prefixLength: 64, index: 7, scope: AddressScope.LINK, flags: 0 },
        [
          { type: Ifa.ADDRESS, value: hex('fe800000000000000000000000000001') },
          { type: Ifa.FLAGS, value: u32(IfaFlag.TENTATIVE | IfaFlag.PERMANENT) },
        ],
      ),
    );
    assert.deepEqual(address, {
      family: 'ipv6',
      ip: parseIpv6('fe80::1'),
      index: 7,
      prefixLength: 64,
      scope: AddressScope.LINK,
      tentative: true,
      deprecated: false,
      secondary: false,
    });
  });

  test('without IFA_FLAGS the u8 ifa_flags counts', () => {
    const address = one(
      newAddress({ family: Family.INET6, prefixLength: 64, index: 7, flags: IfaFlag.DEPRECATED }, [
        { type: Ifa.ADDRESS, value: hex('20010db8000000000000000000000001') },
      ]),
    );
    assert.equal(address?.deprecated, true);
  });

  test('other families are passed over', () => {
    const decnet = newAddress({ family: 12, prefixLength: 0, index: 1 }, [
      { type: Ifa.LOCAL, value: hex('0104') },
    ]);
    assert.deepEqual(parseAddressDump([decnet]), []);
  });

  test('an address of the wrong size, a missing one, a short header: WireErrors', () => {
    const cases: [string, WireErrorKind, Uint8Array][] = [
      [
        'a 16-byte IPv4 address',
        'malformed',
        newAddress({ family: Family.INET, prefixLength: 24, index: 1 }, [
          { type: Ifa.LOCAL, value: new Uint8Array(16) },
        ]),
      ],
      [
        'a 4-byte IPv6 address',
        'malformed',
        newAddress({ family: Family.INET6, prefixLength: 64, index: 1 }, [
          { type: Ifa.ADDRESS, value: hex('0a000001') },
        ]),
      ],
      [
        'no address at all',
        'malformed',
        newAddress({ family: Family.INET, prefixLength: 8, index: 1 }, []),
      ],
      [
        'a 2-byte IFA_FLAGS',
        'malformed',
        newAddress({ family: Family.INET, prefixLength: 8, index: 1 }, [
          { type: Ifa.LOCAL, value: hex('0a000001') },
          { type: Ifa.FLAGS, value: hex('4000') },
        ]),
      ],
      ['an ifaddrmsg cut short', 'truncated', hex('14000000 1400 0200 01000000 00000000 02180100')],
    ];
    for (const [what, kind, message] of cases) {
      assert.throws(
        () => parseAddressDump([message]),
        (e: unknown) => e instanceof WireError && e.kind === kind && e.layer === 'RTM_NEWADDR',
        what,
      );
    }
  });
});

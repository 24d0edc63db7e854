import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hex } from '../testing/bytes.js';
import { macBytes, newNeigh, u16, u32 } from '../testing/rtnetlink-messages.js';
import { WireError } from '../wire/error.js';
import { parseMac } from '../wire/mac.js';
import { fdbState, parseFdbDump } from './fdb-message.js';
import { Family, Nda, Ntf, Nud } from './rtnetlink-abi.js';

// A static entry in VLAN 10 as br_fdb.c's fdb_fill_info sends it.
const STATIC_ENTRY = hex(`
  4c000000 1c00 0200 01000000 00000000  # nlmsg_len 76, RTM_NEWNEIGH (28), NLM_F_MULTI, seq 1
  07 00 0000 04000000 4000 00 00        # ndmsg: AF_BRIDGE, port index 4, NUD_NOARP, flags 0, type 0
  0a00 0200 020000200001 0000           # NDA_LLADDR (2): 02:00:00:20:00:01
  0800 0900 03000000                    # NDA_MASTER (9): bridge index 3
  1400 0300                             # NDA_CACHEINFO (3): struct nda_cacheinfo
    00000000 00000000 00000000 00000000 #   confirmed, used, updated, refcnt
  0600 0500 0a00 0000                   # NDA_VLAN (5), u16: 10
`);

const MAC = parseMac('02:00:00:20:00:01');

describe('RTM_NEWNEIGH, AF_BRIDGE', () => {
  test('a static entry in a VLAN (byte-exact)', () => {
    assert.deepEqual(parseFdbDump([STATIC_ENTRY]), [
      { mac: MAC, bridge: 3, port: 4, vlan: 10, state: 'static' },
    ]);
  });

  test('the state from ndm_state, as the bridge sets it', () => {
    assert.equal(fdbState(Nud.PERMANENT), 'local');
    assert.equal(fdbState(Nud.NOARP), 'static');
    assert.equal(fdbState(Nud.REACHABLE), 'learned');
    assert.equal(fdbState(Nud.STALE), 'learned');
    assert.equal(fdbState(0), 'learned');
  });

  test('a device’s own (NTF_SELF) entries, other families and non-MAC entries are passed over', () => {
    const self = newNeigh({ ifindex: 4, state: Nud.PERMANENT, flags: Ntf.SELF }, [
      { type: Nda.LLADDR, value: macBytes(parseMac('33:33:00:00:00:01')) },
    ]);
    const inet = newNeigh({ family: Family.INET, ifindex: 4, state: Nud.REACHABLE }, [
      { type: Nda.LLADDR, value: macBytes(MAC) },
      { type: Nda.MASTER, value: u32(3) },
    ]);
    const ipoib = newNeigh({ ifindex: 4, state: Nud.REACHABLE }, [
      { type: Nda.LLADDR, value: new Uint8Array(20) },
      { type: Nda.MASTER, value: u32(3) },
    ]);
    const learned = newNeigh({ ifindex: 4, state: Nud.REACHABLE, flags: Ntf.MASTER }, [
      { type: Nda.LLADDR, value: macBytes(MAC) },
      { type: Nda.MASTER, value: u32(3) },
    ]);
    assert.deepEqual(parseFdbDump([self, inet, ipoib, learned]), [
      { mac: MAC, bridge: 3, port: 4, vlan: undefined, state: 'learned' },
    ]);
  });

  test('the order of attributes does not matter; a later one of a type wins', () => {
    const entry = newNeigh({ ifindex: 5, state: Nud.PERMANENT }, [
      { type: Nda.VLAN, value: u16(7) },
      { type: Nda.MASTER, value: u32(2) },
      { type: Nda.LLADDR, value: macBytes(MAC) },
      { type: Nda.VLAN, value: u16(8) },
    ]);
    assert.deepEqual(parseFdbDump([entry]), [
      { mac: MAC, bridge: 2, port: 5, vlan: 8, state: 'local' },
    ]);
  });

  test('attributes too short for their type, a cut header: WireErrors', () => {
    const cases: [string, 'malformed' | 'truncated', Uint8Array][] = [
      [
        'a 2-byte NDA_MASTER',
        'malformed',
        newNeigh({ ifindex: 4, state: 0 }, [{ type: Nda.MASTER, value: hex('0300') }]),
      ],
      [
        'a 1-byte NDA_VLAN',
        'malformed',
        newNeigh({ ifindex: 4, state: 0 }, [{ type: Nda.VLAN, value: hex('0a') }]),
      ],
      [
        'an ndmsg cut short',
        'truncated',
        hex('18000000 1c00 0200 01000000 00000000 07000000 04000000'),
      ],
      [
        'an attribute past the end',
        'malformed',
        (() => {
          const bytes = STATIC_ENTRY.slice();
          bytes[28] = 0xff;
          return bytes;
        })(),
      ],
    ];
    for (const [what, kind, message] of cases) {
      assert.throws(
        () => parseFdbDump([message]),
        (e: unknown) =>
          e instanceof WireError && e.kind === kind && e.layer === 'RTM_NEWNEIGH AF_BRIDGE',
        what,
      );
    }
  });
});

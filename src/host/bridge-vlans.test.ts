import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hex } from '../testing/bytes.js';
import { newLink, str, u8, u32, vlanInfo } from '../testing/rtnetlink-messages.js';
import { WireError } from '../wire/error.js';
import { parseBridgeVlanDump } from './bridge-vlans.js';
import { snapshotFromDumps } from './discover.js';
import { BridgeVlanFlag, Family, Ifla, IflaBr, IflaBridge, IflaInfo } from './rtnetlink-abi.js';

const { PVID, UNTAGGED, RANGE_BEGIN, RANGE_END, BRENTRY } = BridgeVlanFlag;

// What br_fill_ifinfo sends for a port with VLANs 10 (tagged) and 20 (PVID, untagged):
const PORT_MESSAGE = hex(`
  3c000000 1000 0200 01000000 00000000  # nlmsg_len 60, RTM_NEWLINK, NLM_F_MULTI
  07 00 0100 04000000 03100100 00000000 # ifinfomsg: AF_BRIDGE, ARPHRD_ETHER, index 4
  0700 0300 703000 00                   # IFLA_IFNAME: "p0\\0", 1 byte padding
  1400 1a80                             # IFLA_AF_SPEC (26 | NLA_F_NESTED), nla_len 20
    0800 0200 0000 0a00                 #   IFLA_BRIDGE_VLAN_INFO: flags 0, vid 10
    0800 0200 0600 1400                 #   IFLA_BRIDGE_VLAN_INFO: PVID|UNTAGGED, vid 20
`);

/** An AF_BRIDGE link message of link `index` whose IFLA_AF_SPEC holds `entries` ([flags, vid]). */
function portMessage(index: number, entries: readonly (readonly [number, number])[]): Uint8Array {
  return newLink({ index, family: Family.BRIDGE }, [
    { type: Ifla.IFNAME, value: str(`if${index}`) },
    {
      type: Ifla.AF_SPEC,
      nested: [
        { type: IflaBridge.FLAGS, value: hex('0000') },
        ...entries.map(([flags, vid]) => ({
          type: IflaBridge.VLAN_INFO,
          value: vlanInfo(flags, vid),
        })),
      ],
    },
  ]);
}

function malformed(entries: readonly (readonly [number, number])[], what: string): void {
  assert.throws(
    () => parseBridgeVlanDump([portMessage(4, entries)]),
    (e: unknown) => e instanceof WireError && e.kind === 'malformed',
    what,
  );
}

describe('bridge port VLANs (AF_BRIDGE, RTEXT_FILTER_BRVLAN)', () => {
  test('one entry per VID (byte-exact)', () => {
    assert.deepEqual(
      parseBridgeVlanDump([PORT_MESSAGE]),
      new Map([
        [
          4,
          [
            { vid: 10, untagged: false, pvid: false },
            { vid: 20, untagged: true, pvid: true },
          ],
        ],
      ]),
    );
  });

  test('compressed ranges are expanded with the flags of their begin', () => {
    const vlans = parseBridgeVlanDump([
      portMessage(5, [
        [PVID | UNTAGGED, 1],
        [RANGE_BEGIN, 30],
        [RANGE_END, 33],
        [BRENTRY, 4094],
      ]),
    ]).get(5);
    assert.deepEqual(
      vlans?.map((v) => `${v.vid}${v.pvid ? 'P' : ''}${v.untagged ? 'U' : ''}`),
      ['1PU', '30', '31', '32', '33', '4094'],
    );
  });

  test('links without VLANs are absent; a link answered twice gets both answers', () => {
    const vlans = parseBridgeVlanDump([
      portMessage(6, []),
      portMessage(7, [[0, 10]]),
      portMessage(7, [[0, 11]]),
    ]);
    assert.equal(vlans.has(6), false);
    assert.deepEqual(
      vlans.get(7)?.map((v) => v.vid),
      [10, 11],
    );
  });

  test('broken ranges, VIDs out of range and short entries are malformed', () => {
    malformed([[RANGE_END, 10]], 'RANGE_END without RANGE_BEGIN');
    malformed([[RANGE_BEGIN, 10]], 'RANGE_BEGIN without RANGE_END');
    malformed(
      [
        [RANGE_BEGIN, 10],
        [0, 11],
      ],
      'RANGE_BEGIN then a plain entry',
    );
    malformed(
      [
        [RANGE_BEGIN, 10],
        [RANGE_BEGIN, 12],
      ],
      'RANGE_BEGIN twice',
    );
    malformed(
      [
        [RANGE_BEGIN, 10],
        [RANGE_END, 10],
      ],
      'an end not above its begin',
    );
    malformed([[0, 0]], 'VID 0');
    malformed([[0, 4095]], 'VID 4095');
    const short = newLink({ index: 4, family: Family.BRIDGE }, [
      { type: Ifla.AF_SPEC, nested: [{ type: IflaBridge.VLAN_INFO, value: hex('0000') }] },
    ]);
    assert.throws(
      () => parseBridgeVlanDump([short]),
      (e: unknown) => e instanceof WireError && e.kind === 'malformed',
    );
  });

  test('the snapshot gives VLANs to a filtering bridge and its ports only', () => {
    const link = (index: number, name: string, master?: number, filtering?: number) =>
      newLink({ index }, [
        { type: Ifla.IFNAME, value: str(name) },
        ...(master === undefined ? [] : [{ type: Ifla.MASTER, value: u32(master) }]),
        ...(filtering === undefined
          ? []
          : [
              {
                type: Ifla.LINKINFO,
                nested: [
                  { type: IflaInfo.KIND, value: str('bridge') },
                  {
                    type: IflaInfo.DATA,
                    nested: [{ type: IflaBr.VLAN_FILTERING, value: u8(filtering) }],
                  },
                ],
              },
            ]),
      ]);
    const snapshot = snapshotFromDumps({
      links: [
        link(3, 'br0', undefined, 1),
        link(4, 'p0', 3),
        link(5, 'br1', undefined, 0),
        link(6, 'p1', 5),
      ],
      bridgeVlans: [
        portMessage(3, [[PVID | UNTAGGED | BRENTRY, 1]]),
        PORT_MESSAGE,
        portMessage(5, [[PVID | UNTAGGED | BRENTRY, 1]]),
        portMessage(6, [[PVID | UNTAGGED, 1]]),
      ],
      addresses: [],
      fdb: [],
    });
    const vids = (name: string) => snapshot.linkNamed(name)?.portVlans.map((v) => v.vid);
    assert.deepEqual(vids('br0'), [1], 'the bridge’s own VLANs');
    assert.deepEqual(vids('p0'), [10, 20]);
    assert.deepEqual(vids('br1'), [], 'a bridge that does not filter');
    assert.deepEqual(vids('p1'), [], 'its port: the default VLAN 1 means nothing there');
    assert.ok(Object.isFrozen(snapshot.linkNamed('p0')?.portVlans));
  });
});

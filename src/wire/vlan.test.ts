import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { atOffset, hex, prefilled } from '../testing/bytes.js';
import { WireError } from './error.js';
import { EtherType } from './ethertype.js';
import { emitVlan, parseVlan, VLAN_TAG_LEN, type VlanRepr, VlanTag, validateVlan } from './vlan.js';

// The inner tag of tcpdump's 802.1ad_QinQ.pcap frame 1 ("vlan 2001, p 0, ethertype ARP"), with a
// priority and DEI set here so every TCI bit is exercised.
const TAG_BYTES = hex(`
  b7d1  # TCI: pcp 5 (101), dei 1, vid 0x7d1 = 2001
  0806  # inner ethertype: ARP
  0001  # payload
`);

const TAG_REPR: VlanRepr = { tpid: EtherType.VLAN, pcp: 5, dei: true, vid: 2001 };

describe('vlan', () => {
  test('deconstruct', () => {
    const tag = VlanTag.checked(TAG_BYTES);
    assert.equal(tag.pcp, 5);
    assert.equal(tag.dei, true);
    assert.equal(tag.vid, 2001);
    assert.equal(tag.ethertype, EtherType.ARP);
    assert.deepEqual(tag.payload, hex('0001'));
  });

  test('construct', () => {
    const bytes = prefilled(VLAN_TAG_LEN);
    const tag = VlanTag.unchecked(bytes);
    tag.setTci(5, true, 2001);
    tag.ethertype = EtherType.ARP;
    assert.deepEqual(bytes, TAG_BYTES.subarray(0, VLAN_TAG_LEN));
  });

  test('parse', () => {
    assert.deepEqual(parseVlan(VlanTag.checked(TAG_BYTES), EtherType.VLAN), TAG_REPR);
  });

  test('emit', () => {
    const bytes = prefilled(VLAN_TAG_LEN);
    emitVlan(TAG_REPR, VlanTag.unchecked(bytes), EtherType.ARP);
    assert.deepEqual(bytes, TAG_BYTES.subarray(0, VLAN_TAG_LEN));
  });

  test('round trip of every representable tag, at any offset', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 7 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 4095 }),
        fc.constantFrom(EtherType.VLAN, EtherType.QINQ, EtherType.QINQ_LEGACY),
        fc.integer({ min: 0, max: 0xffff }),
        fc.nat(5),
        (pcp, dei, vid, tpid, inner, at) => {
          const repr: VlanRepr = { tpid, pcp, dei, vid };
          const bytes = atOffset(prefilled(VLAN_TAG_LEN), at);
          emitVlan(repr, VlanTag.unchecked(bytes), inner);
          const tag = VlanTag.checked(bytes);
          assert.deepEqual(parseVlan(tag, tpid), repr);
          assert.equal(tag.ethertype, inner);
        },
      ),
    );
  });

  test('emit validates VID ≤ 4095 and PCP ≤ 7', () => {
    const bad: VlanRepr[] = [
      { ...TAG_REPR, vid: 4096 },
      { ...TAG_REPR, vid: -1 },
      { ...TAG_REPR, vid: 1.5 },
      { ...TAG_REPR, pcp: 8 },
      { ...TAG_REPR, pcp: -1 },
    ];
    for (const repr of bad) {
      assert.throws(
        () => emitVlan(repr, VlanTag.unchecked(prefilled(VLAN_TAG_LEN)), EtherType.ARP),
        (e: unknown) => e instanceof WireError && e.kind === 'malformed' && e.layer === 'vlan',
        JSON.stringify(repr),
      );
    }
    assert.doesNotThrow(() => validateVlan({ ...TAG_REPR, vid: 4095, pcp: 7 }));
  });

  test('every short buffer is truncated', () => {
    for (let len = 0; len < VLAN_TAG_LEN; len++) {
      assert.throws(
        () => VlanTag.checked(TAG_BYTES.subarray(0, len)),
        (e: unknown) => e instanceof WireError && e.kind === 'truncated',
      );
    }
  });
});

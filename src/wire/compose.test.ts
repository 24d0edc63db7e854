import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { arbIpv4, arbMac } from '../testing/arbitraries.js';
import { hex } from '../testing/bytes.js';
import { parseArp } from './arp.js';
import { arpFrame, emitLink, linkBufferLen } from './compose.js';
import { WireError } from './error.js';
import { EtherType } from './ethertype.js';
import { decodeFrame } from './frame.js';
import { parseIpv4 } from './ipv4.js';
import { MAC_BROADCAST, parseMac } from './mac.js';

describe('compose', () => {
  test('builds tcpdump’s QinQ request byte for byte', () => {
    // tcpdump's 802.1ad_QinQ.pcap frame 1 (see frame.test.ts) up to the padding.
    const expected = hex(`
      ffffffffffff 0020d25afb3f 88a8 00c8 8100 07d1 0806
      0001 0800 0604 0001 0020d25afb3f ac154f61 000000000000 ac154f64
    `);
    const source = parseMac('00:20:d2:5a:fb:3f');
    const frame = arpFrame(
      {
        destination: MAC_BROADCAST,
        source,
        vlans: [
          { tpid: EtherType.QINQ, pcp: 0, dei: false, vid: 200 },
          { tpid: EtherType.VLAN, pcp: 0, dei: false, vid: 2001 },
        ],
      },
      {
        op: 1,
        senderMac: source,
        senderIp: parseIpv4('172.21.79.97'),
        targetMac: parseMac('00:00:00:00:00:00'),
        targetIp: parseIpv4('172.21.79.100'),
      },
    );
    assert.deepEqual(frame.subarray(0, expected.length), expected);
    assert.equal(frame.length, 60);
    assert.ok(frame.subarray(expected.length).every((b) => b === 0));
  });

  test('what is composed decodes back to the same values, any tags, ARP or RARP', () => {
    const arbTag = fc.record(
      {
        tpid: fc.constantFrom(EtherType.VLAN, EtherType.QINQ),
        pcp: fc.integer({ min: 0, max: 7 }),
        dei: fc.boolean(),
        vid: fc.integer({ min: 0, max: 4095 }),
      },
      { noNullPrototype: true },
    );
    fc.assert(
      fc.property(
        arbMac(),
        arbMac(),
        fc.array(arbTag, { maxLength: 2 }),
        fc.record(
          {
            op: fc.integer({ min: 0, max: 0xffff }),
            senderMac: arbMac(),
            senderIp: arbIpv4(),
            targetMac: arbMac(),
            targetIp: arbIpv4(),
          },
          { noNullPrototype: true },
        ),
        fc.constantFrom(EtherType.ARP, EtherType.RARP),
        (destination, source, vlans, arp, ethertype) => {
          const frame = decodeFrame(
            arpFrame({ destination, source, vlans }, arp, ethertype),
            'ethernet',
          );
          assert.equal(frame.proto, ethertype === EtherType.ARP ? 'arp' : 'rarp');
          assert.equal(frame.destination, destination);
          assert.equal(frame.source, source);
          assert.deepEqual(frame.vlans, vlans);
          if (frame.proto === 'arp' || frame.proto === 'rarp') {
            assert.deepEqual(parseArp(frame.arp), arp);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  test('a tag out of range is refused, not written', () => {
    const link = {
      destination: MAC_BROADCAST,
      source: MAC_BROADCAST,
      vlans: [{ tpid: EtherType.VLAN, pcp: 0, dei: false, vid: 4096 }],
    };
    assert.throws(
      () => emitLink(link, EtherType.ARP, 28, new Uint8Array(linkBufferLen(link, 28))),
      (e: unknown) => e instanceof WireError && e.kind === 'malformed',
    );
  });
});

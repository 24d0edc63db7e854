import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { openFileSource } from '../io/fd-source.js';
import { openCapture } from '../pcap/capture.js';
import { linkKindOf } from '../pcap/link-kind.js';
import { capturePath } from '../testing/captures.js';
import { type ArpSpec, arpSpecFrame, HARNESS_START_MS } from '../testing/observations.js';
import { parseArp } from '../wire/arp.js';
import { arpFlags } from '../wire/classify.js';
import { type DecodedFrame, FrameDecoder } from '../wire/frame.js';
import { isBindingClaim, NO_MAC, type Observation, ObservationBuilder } from './observation.js';

/** What the observation of `frame` must hold, read through the wire views' own getters. */
function expected(frame: DecodedFrame): Record<string, unknown> {
  const arp = frame.proto === 'arp' || frame.proto === 'rarp' ? frame.arp : undefined;
  const repr = arp?.isEthernetIpv4 === true ? parseArp(arp) : undefined;
  return {
    ethSource: frame.source ?? NO_MAC,
    ethDestination: frame.destination ?? NO_MAC,
    packetType: frame.packetType ?? -1,
    vlans: frame.vlans.map((tag) => tag.vid),
    htype: arp?.htype ?? 0,
    ptype: arp?.ptype ?? 0,
    hlen: arp?.hlen ?? 0,
    plen: arp?.plen ?? 0,
    op: arp?.op ?? 0,
    ethernetIpv4: repr !== undefined,
    sha: repr?.senderMac ?? 0,
    spa: repr?.senderIp ?? 0,
    tha: repr?.targetMac ?? 0,
    tpa: repr?.targetIp ?? 0,
    flags: frame.proto === 'arp' ? arpFlags(frame.arp, frame) : 0,
  };
}

function observed(o: Observation, keys: readonly string[]): Record<string, unknown> {
  const record = o as unknown as Record<string, unknown>;
  return Object.fromEntries(keys.map((key) => [key, record[key]]));
}

/** Observes `frame` and checks every field against `expected`, and `claim` against its predicate. */
function check(
  builder: ObservationBuilder,
  frame: DecodedFrame,
  source = 'test.pcap',
): Observation {
  const want = expected(frame);
  const o = builder.observeShared(frame, { source, number: 1, timeMs: HARNESS_START_MS });
  assert.deepEqual(observed(o, Object.keys(want)), want);
  assert.equal(o.claim, isBindingClaim(o));
  return o;
}

const decoder = new FrameDecoder();

function decode(spec: ArpSpec): DecodedFrame {
  const bytes = arpSpecFrame(spec);
  return decoder.decodeShared(bytes, 0, bytes.length, 'ethernet');
}

describe('ObservationBuilder: the fields, as the wire views read them', () => {
  const MACS = ['00:00:00:00:00:00', 'ff:ff:ff:ff:ff:ff', '01:00:5e:00:00:01', '02:00:00:00:00:01'];
  const IPS = ['0.0.0.0', '192.0.2.1', '192.0.2.2', '255.255.255.255'];
  const arbSpec = fc.record({
    op: fc.constantFrom<'request' | 'reply' | number>('request', 'reply', 3, 4, 8, 9, 0x7501),
    sha: fc.constantFrom(...MACS, 'f2:34:56:78:9a:bc'),
    spa: fc.constantFrom(...IPS),
    tha: fc.constantFrom(...MACS),
    tpa: fc.constantFrom(...IPS),
    ethSource: fc.constantFrom(...MACS),
    sameSource: fc.boolean(),
    ethDestination: fc.constantFrom(...MACS),
    vlans: fc.constantFrom<readonly number[]>([], [10], [200, 2001]),
    rarp: fc.boolean(),
  });

  test('property: any ARP or RARP frame, odd lengths and types included', () => {
    const builder = new ObservationBuilder();
    fc.assert(
      fc.property(arbSpec, fc.nat(4), ({ sameSource, ethSource, ...spec }, odd) => {
        const bytes = arpSpecFrame({ at: 0, ...spec, ...(sameSource ? {} : { ethSource }) });
        const arpAt = 14 + 4 * spec.vlans.length;
        // Break one header field now and then: hardware type, protocol type, or a length.
        if (odd === 1) bytes[arpAt + 1] = 6;
        if (odd === 2) bytes[arpAt + 2] = 0x86;
        if (odd === 3) bytes[arpAt + 5] = 16;
        const frame = decoder.decodeShared(bytes, 0, bytes.length, 'ethernet');
        check(builder, frame);
      }),
      { numRuns: 2000 },
    );
  });

  for (const name of ['zeek-linuxsll-arp.pcap', 'tcpdump-802.1ad_QinQ.pcap', 'arp-poison.pcapng']) {
    test(`every frame of ${name}`, () => {
      const builder = new ObservationBuilder();
      const source = openFileSource(capturePath(name));
      try {
        const reader = openCapture(source);
        for (let record = reader.nextShared(); record !== null; record = reader.nextShared()) {
          const link = linkKindOf(record.linkType)!;
          check(builder, decoder.decodeShared(record.data, 0, record.data.length, link), name);
        }
      } finally {
        source.close();
      }
    });
  }
});

describe('ObservationBuilder: segments and ids', () => {
  const A = '02:00:00:00:00:0a';
  const B = '02:00:00:00:00:0b';
  const ask = (vlans: readonly number[] = [], ethSource?: string): ArpSpec => ({
    at: 0,
    sha: A,
    spa: '192.0.2.1',
    tpa: '192.0.2.2',
    vlans,
    ...(ethSource === undefined ? {} : { ethSource }),
  });

  test('a segment per source and VLAN tags, whatever order the frames come in', () => {
    const builder = new ObservationBuilder();
    const segment = (source: string, vlans: readonly number[] = []) =>
      check(builder, decode(ask(vlans)), source).segment;
    const first = [segment('a'), segment('b'), segment('a', [10]), segment('b', [10])];
    assert.equal(new Set(first).size, 4);
    const again = [segment('a'), segment('b'), segment('a', [10]), segment('b', [10])];
    assert.deepEqual(again, first);
    assert.notEqual(segment('a', [10, 20]), segment('a', [10]));
  });

  test('the ids of one address on one segment agree; on another segment they differ', () => {
    const builder = new ObservationBuilder();
    const { spaId, tpaId, shaId } = check(builder, decode(ask()));
    const o = check(
      builder,
      decode({ at: 0, op: 'reply', sha: B, spa: '192.0.2.2', tpa: '192.0.2.1' }),
    );
    assert.deepEqual([o.spaId, o.tpaId], [tpaId, spaId]);
    const tagged = check(builder, decode(ask([10])));
    assert.notEqual(tagged.spaId, spaId);
    assert.notEqual(tagged.shaId, shaId);
  });

  test('the sender is one station on its interface: the same id untagged and tagged', () => {
    const builder = new ObservationBuilder();
    // The observation is shared: each check keeps the numbers it needs.
    const { senderId, senderGen, shaId, shaGen } = check(builder, decode(ask()));
    assert.deepEqual([senderId, senderGen], [shaId, shaGen]);
    const tagged = check(builder, decode(ask([10])));
    assert.deepEqual([tagged.senderId, tagged.senderGen], [senderId, senderGen]);
    assert.notEqual(tagged.shaId, senderId);
    assert.notEqual(check(builder, decode(ask()), 'other.pcap').senderId, senderId);
  });

  test('the sender is the Ethernet source when it differs from the ARP sender', () => {
    const builder = new ObservationBuilder();
    const fromB = check(builder, decode({ ...ask(), sha: B })).senderId;
    const proxied = check(builder, decode(ask([], B)));
    assert.equal(proxied.senderId, fromB);
    assert.notEqual(proxied.senderId, proxied.shaId);
  });

  test('frames that are not ARP or RARP have no ids', () => {
    const builder = new ObservationBuilder();
    const bytes = arpSpecFrame(ask());
    bytes[12] = 0x86;
    bytes[13] = 0xdd; // IPv6, not ND: other
    const o = check(builder, decoder.decodeShared(bytes, 0, bytes.length, 'ethernet'));
    assert.ok(o.kind !== 'arp' && o.kind !== 'rarp');
    assert.deepEqual([o.spaId, o.tpaId, o.shaId, o.senderId], [-1, -1, -1, -1]);
  });
});

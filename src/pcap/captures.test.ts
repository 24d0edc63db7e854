import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { CAPTURES_DIR, capturePath } from '../testing/captures.js';
import { chunkedSource, drain } from '../testing/pcap-kit.js';
import { bytesSource } from './byte-source.js';
import { openCapture } from './capture.js';
import { LinkType } from './constants.js';

interface Truth {
  readonly file: string;
  readonly format: 'pcap' | 'pcapng';
  /** "total pkts" in GROUND_TRUTH.md. */
  readonly records: number;
  /** "link type" in GROUND_TRUTH.md. */
  readonly linkType: number;
  /** "ts precision" in GROUND_TRUTH.md. */
  readonly tsDigits: number;
  /** First frame: `tshark -r FILE -c 1 -T fields -e frame.time_epoch` (tshark 4.0.17). */
  readonly first: readonly [sec: number, nsec: number];
  /** "duration" in GROUND_TRUTH.md (capinfos), in nanoseconds. */
  readonly durationNs: number;
}

/** GROUND_TRUTH.md, one row per file; first timestamps read with tshark as noted above. */
const TRUTH: readonly Truth[] = [
  {
    file: 'arp-storm.pcap',
    format: 'pcap',
    records: 622,
    linkType: LinkType.ETHERNET,
    tsDigits: 6,
    first: [1_096_984_865, 275_344_000],
    durationNs: 28_969_106_000,
  },
  {
    file: 'arpsweep.pcapng',
    format: 'pcapng',
    records: 316,
    linkType: LinkType.ETHERNET,
    tsDigits: 6,
    first: [1_509_128_900, 340_495_000],
    durationNs: 234_536_438_000,
  },
  {
    file: 'arp-badpadding.pcapng',
    format: 'pcapng',
    records: 105,
    linkType: LinkType.ETHERNET,
    tsDigits: 6,
    first: [1_079_485_341, 937_322_000],
    durationNs: 8_049_029_487_000,
  },
  {
    file: 'arp-poison.pcapng',
    format: 'pcapng',
    records: 20,
    linkType: LinkType.ETHERNET,
    tsDigits: 6,
    first: [1_051_612_777, 463_919_000],
    durationNs: 9_146_104_000,
  },
  {
    file: 'arp-bootup.pcapng',
    format: 'pcapng',
    records: 23,
    linkType: LinkType.ETHERNET,
    tsDigits: 6,
    first: [1_312_401_443, 388_010_000],
    durationNs: 12_948_752_000,
  },
  {
    file: 'zeek-icmp_dot1q.pcap',
    format: 'pcap',
    records: 15,
    linkType: LinkType.ETHERNET,
    tsDigits: 6,
    first: [1_213_957_237, 965_649_000],
    durationNs: 35_031_612_000,
  },
  {
    file: 'zeek-linuxsll-arp.pcap',
    format: 'pcap',
    records: 12,
    linkType: LinkType.LINUX_SLL,
    tsDigits: 6,
    first: [1_593_626_138, 922_595_000],
    durationNs: 8_320_679_000,
  },
  {
    file: 'zeek-cooper-grill-dvwa.pcapng',
    format: 'pcapng',
    records: 64,
    linkType: LinkType.ETHERNET,
    tsDigits: 9,
    first: [1_730_145_002, 900_383_409],
    durationNs: 70_357_296_258,
  },
  {
    file: 'tcpdump-802.1ad_QinQ.pcap',
    format: 'pcap',
    records: 2,
    linkType: LinkType.ETHERNET,
    tsDigits: 6,
    first: [1_575_842_394, 599_412_000],
    durationNs: 268_000,
  },
  {
    file: 'tcpdump-arp-oobr.pcap',
    format: 'pcap',
    records: 2282,
    linkType: LinkType.ETHERNET,
    tsDigits: 6,
    first: [1_268_518_494, 558_191_000],
    durationNs: 10_334_500_845_000,
  },
];

/** Nanoseconds since the epoch as a BigInt, so differences stay exact. */
const nanos = (sec: number, nsec: number) => BigInt(sec) * 1_000_000_000n + BigInt(nsec);

describe('public captures', () => {
  test(`the captures directory holds its ground truth (${CAPTURES_DIR})`, () => {
    assert.doesNotThrow(() => capturePath('GROUND_TRUTH.md'));
  });

  for (const truth of TRUTH) {
    test(`${truth.file}: ${truth.records} records`, () => {
      const bytes = new Uint8Array(readFileSync(capturePath(truth.file)));
      assert.equal(openCapture(bytesSource(bytes)).format, truth.format);
      const { records, error } = drain(bytes);
      assert.equal(error, undefined, error?.message);
      assert.equal(records.length, truth.records);
      const first = records[0];
      assert.ok(first);
      assert.deepEqual([first.tsSec, first.tsNsec], truth.first);
      let earliest = nanos(first.tsSec, first.tsNsec);
      let latest = earliest;
      for (const record of records) {
        const stamp = nanos(record.tsSec, record.tsNsec);
        if (stamp < earliest) earliest = stamp;
        if (stamp > latest) latest = stamp;
      }
      assert.equal(latest - earliest, BigInt(truth.durationNs));
      for (const record of records) {
        assert.equal(record.linkType, truth.linkType);
        assert.equal(record.tsDigits, truth.tsDigits);
        assert.equal(record.interfaceId, 0);
        assert.ok(record.data.length <= record.origLen);
      }
      assert.deepEqual(drain(bytes, chunkedSource(bytes, [97, 1, 4096])).records, records);
    });
  }
});

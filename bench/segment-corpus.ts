import { openFileSink } from '../src/io/file-sink.js';
import { PcapWriter } from '../src/pcap/pcap-writer.js';
import { ArpOp, ArpPacket, type ArpRepr, arpBufferLen, emitArp } from '../src/wire/arp.js';
import { emitLink, linkBufferLen } from '../src/wire/compose.js';
import { EtherType } from '../src/wire/ethertype.js';
import type { Ipv4 } from '../src/wire/ipv4.js';
import { MAC_BROADCAST, MAC_ZERO, type Mac } from '../src/wire/mac.js';

/** What `writeSegmentCorpus` writes, for the benchmark to check the analysis against. */
export interface SegmentCorpus {
  readonly frames: number;
  readonly hosts: number;
  /** Requests left unanswered on purpose. */
  readonly unanswered: number;
}

/**
 * Writes `count` Ethernet frames of a busy data-centre segment of `hosts` stations (10.0.0.0/8):
 * a broadcast who-has answered 300 µs later by a unicast reply, 1 % of requests never answered,
 * an RFC 5227 announcement every 1,000 frames, and a station moving to a new MAC every 50,000
 * frames. A who-has every 5 ms: about 400 frames/s, under the storm threshold. Deterministic.
 */
export function writeSegmentCorpus(path: string, count: number, hosts: number): SegmentCorpus {
  const sink = openFileSink(path);
  const writer = new PcapWriter(sink, { resolution: 'us' });
  const bytes = new Uint8Array(
    linkBufferLen({ destination: MAC_BROADCAST, source: MAC_BROADCAST, vlans: [] }, arpBufferLen()),
  );
  const packet = ArpPacket.unchecked(bytes, 14, arpBufferLen());
  let seed = 4242;
  const next = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 8;
  };
  const moved = new Map<number, number>();
  const macOf = (i: number) => (0x0200_0000_0000 + i + (moved.get(i) ?? 0)) as Mac;
  const ipOf = (i: number) => (0x0a00_0000 + i) as Ipv4;
  const startUs = 1_700_000_000 * 1e6;
  let written = 0;
  let unanswered = 0;
  const write = (repr: ArpRepr, destination: Mac, us: number) => {
    emitLink(
      { destination, source: repr.senderMac, vlans: [] },
      EtherType.ARP,
      arpBufferLen(),
      bytes,
    );
    emitArp(repr, packet);
    const at = startUs + us;
    writer.writeRecord(bytes, Math.floor(at / 1e6), (at % 1e6) * 1000);
    written++;
  };
  for (let us = 0; written < count; us += 5000) {
    const a = next() % hosts;
    const b = next() % hosts;
    if (written % 50_000 === 49_999) moved.set(a, (moved.get(a) ?? 0) + 0x0001_0000_0000);
    if (written % 1000 === 999 || a === b) {
      const self = { op: ArpOp.REQUEST, senderMac: macOf(a), senderIp: ipOf(a) };
      write({ ...self, targetMac: MAC_ZERO, targetIp: ipOf(a) }, MAC_BROADCAST, us);
      continue;
    }
    const ask = { op: ArpOp.REQUEST, senderMac: macOf(a), senderIp: ipOf(a), targetMac: MAC_ZERO };
    write({ ...ask, targetIp: ipOf(b) }, MAC_BROADCAST, us);
    if (written >= count) break;
    if (next() % 100 === 0) {
      unanswered++;
      continue;
    }
    const reply = { op: ArpOp.REPLY, senderMac: macOf(b), senderIp: ipOf(b) };
    write({ ...reply, targetMac: macOf(a), targetIp: ipOf(a) }, macOf(a), us + 300);
  }
  writer.flush();
  sink.close();
  return { frames: written, hosts, unanswered };
}

import { MemorySink } from '../pcap/byte-source.js';
import { PcapWriter, type PcapWriterOptions } from '../pcap/pcap-writer.js';
import type { ArpRepr } from '../wire/arp.js';
import { arpFrame } from '../wire/compose.js';
import { MAC_BROADCAST } from '../wire/mac.js';

/** One ARP packet to put in a capture, broadcast from its sender MAC, and when it was seen. */
export interface StampedArp {
  readonly arp: ArpRepr;
  readonly sec: number;
  readonly nsec: number;
}

/** A classic pcap file (in memory) of broadcast Ethernet ARP frames, written by our own writer. */
export function arpPcap(
  packets: readonly StampedArp[],
  options: PcapWriterOptions = {},
): Uint8Array {
  const sink = new MemorySink();
  const writer = new PcapWriter(sink, options);
  for (const { arp, sec, nsec } of packets) {
    const link = { destination: MAC_BROADCAST, source: arp.senderMac, vlans: [] };
    writer.writeRecord(arpFrame(link, arp), sec, nsec);
  }
  writer.flush();
  return sink.bytes();
}

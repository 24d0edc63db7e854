import { openFileSink } from '../src/io/file-sink.js';
import { PcapWriter } from '../src/pcap/pcap-writer.js';
import { ArpOp, ArpPacket, type ArpRepr, arpBufferLen, emitArp } from '../src/wire/arp.js';
import { emitLink, linkBufferLen } from '../src/wire/compose.js';
import { EtherType } from '../src/wire/ethertype.js';
import type { Ipv4 } from '../src/wire/ipv4.js';
import { MAC_BROADCAST, MAC_ZERO, type Mac } from '../src/wire/mac.js';
import type { VlanRepr } from '../src/wire/vlan.js';

/** A segment's worth of hosts: 250 MACs on 10.0.0.0/24, one of them the router. */
const HOSTS = 250;
const mac = (i: number) => (0x0200_0000_0000 + i) as Mac;
const ip = (i: number) => (0x0a00_0000 + i) as Ipv4;
const VLAN_10: readonly VlanRepr[] = [{ tpid: EtherType.VLAN, pcp: 0, dei: false, vid: 10 }];

/**
 * Writes `count` Ethernet frames of ARP as a busy segment carries it: mostly broadcast requests
 * to many targets, replies, some announcements and probes, every eighth frame on VLAN 10.
 * Deterministic (a linear congruential sequence), 10 µs apart.
 */
export function writeArpCorpus(path: string, count: number): void {
  const sink = openFileSink(path);
  const writer = new PcapWriter(sink, { resolution: 'us' });
  const sizing = { destination: MAC_BROADCAST, source: MAC_BROADCAST };
  const plain = new Uint8Array(linkBufferLen({ ...sizing, vlans: [] }, arpBufferLen()));
  const tagged = new Uint8Array(linkBufferLen({ ...sizing, vlans: VLAN_10 }, arpBufferLen()));
  let seed = 12345;
  const next = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 8;
  };
  const start = 1_700_000_000;
  for (let i = 0; i < count; i++) {
    const a = next() % HOSTS;
    const b = next() % HOSTS;
    const kind = next() % 100;
    let repr: ArpRepr;
    let destination = MAC_BROADCAST;
    if (kind < 70) {
      repr = {
        op: ArpOp.REQUEST,
        senderMac: mac(a),
        senderIp: ip(a),
        targetMac: MAC_ZERO,
        targetIp: ip(b),
      };
    } else if (kind < 92) {
      repr = {
        op: ArpOp.REPLY,
        senderMac: mac(b),
        senderIp: ip(b),
        targetMac: mac(a),
        targetIp: ip(a),
      };
      destination = mac(a);
    } else if (kind < 97) {
      repr = {
        op: ArpOp.REQUEST,
        senderMac: mac(a),
        senderIp: ip(a),
        targetMac: MAC_ZERO,
        targetIp: ip(a),
      };
    } else {
      repr = {
        op: ArpOp.REQUEST,
        senderMac: mac(a),
        senderIp: 0 as Ipv4,
        targetMac: MAC_ZERO,
        targetIp: ip(b),
      };
    }
    const link = { destination, source: repr.senderMac, vlans: i % 8 === 7 ? VLAN_10 : [] };
    const bytes = link.vlans.length === 0 ? plain : tagged;
    const at = emitLink(link, EtherType.ARP, arpBufferLen(), bytes);
    emitArp(repr, ArpPacket.unchecked(bytes, at, arpBufferLen()));
    const micros = i * 10;
    writer.writeRecord(bytes, start + Math.floor(micros / 1e6), (micros % 1e6) * 1000);
  }
  writer.flush();
  sink.close();
}

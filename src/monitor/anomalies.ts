/**
 * Anomalies of single frames (and one of a few): an Ethernet source that is not the ARP sender,
 * a sender outside the segment's subnets, a sender MAC that cannot name a station, malformed
 * packets, and floods of gratuitous ARP from one sender.
 */
import { ARP_HTYPE_ETHERNET, ArpOp, arpOpName } from '../wire/arp.js';
import { ArpFlag } from '../wire/classify.js';
import { EtherType, hex16 } from '../wire/ethertype.js';
import { formatIpv4, type Ipv4 } from '../wire/ipv4.js';
import { formatIpv6 } from '../wire/ipv6.js';
import {
  formatMac,
  isMulticastMac,
  MAC_BROADCAST,
  MAC_LEN,
  MAC_ZERO,
  type Mac,
} from '../wire/mac.js';
import { segmentSubject } from './bindings.js';
import { BoundedMap } from './bounded-map.js';
import type { Detector } from './detector.js';
import {
  type FieldValue,
  type Finding,
  findingAt,
  type FindingKind,
  type FindingSink,
} from './finding.js';
import { ipKey, NO_MAC, type Observation } from './observation.js';
import type { Subnets } from './subnets.js';
import type { Thresholds } from './thresholds.js';

/** The most senders followed per IP for gratuitous floods; one more replaces the longest-running window. */
export const MAX_FLOOD_MACS_PER_IP = 4;

/** One (sender MAC, IP)'s gratuitous frames in its current window; a list per IP. */
class FloodEntry {
  touched = false;
  next: FloodEntry | undefined = undefined;

  constructor(
    public mac: number,
    /** When the window began: its first gratuitous frame. */
    public startMs: number,
    public firstFrame: number,
    public count = 1,
    /** Reported in this window already. */
    public reported = false,
  ) {}

  restart(mac: number, timeMs: number, frame: number): void {
    this.mac = mac;
    this.startMs = timeMs;
    this.firstFrame = frame;
    this.count = 1;
    this.reported = false;
  }
}

/** `zero`, `broadcast` or `multicast` for a MAC that cannot name one station, else undefined. */
export function badMacClass(mac: number): 'zero' | 'broadcast' | 'multicast' | undefined {
  if (mac === MAC_ZERO) return 'zero';
  if (mac === MAC_BROADCAST) return 'broadcast';
  return isMulticastMac(mac as Mac) ? 'multicast' : undefined;
}

/** True for the operations IANA assigns on Ethernet: ARP, RARP (RFC 903) and InARP (RFC 2390). */
export function isKnownArpOp(op: number): boolean {
  return (
    (op >= ArpOp.REQUEST && op <= ArpOp.RARP_REPLY) ||
    op === ArpOp.INARP_REQUEST ||
    op === ArpOp.INARP_REPLY
  );
}

/**
 * `mac-mismatch`, `bogon`, `bad-sender-mac`, `malformed` and `gratuitous-flood`. Every
 * occurrence is a finding (the printer counts repeats of one key); only the flood keeps state:
 * per segment and IP, up to `MAX_FLOOD_MACS_PER_IP` senders, in a table of `maxEntries` IPs.
 *
 * An ARP or RARP packet with odd types or lengths, or an unknown operation, is reported as
 * `malformed` and nothing else: its addresses are not trusted for the other checks.
 */
export class AnomalyDetector implements Detector {
  private readonly floods: BoundedMap<number, FloodEntry>;
  private readonly garpFlood: number;
  private readonly garpWindowMs: number;
  private chainEvicted = 0;

  constructor(
    thresholds: Thresholds,
    private readonly nets: Subnets,
  ) {
    this.floods = new BoundedMap(thresholds.maxEntries);
    this.garpFlood = thresholds.garpFlood;
    this.garpWindowMs = thresholds.garpFloodWindowMs;
  }

  /** IPs forgotten for room, and senders of one IP replaced for room. */
  get evicted(): number {
    return this.floods.evicted + this.chainEvicted;
  }

  frame(o: Observation, sink: FindingSink): void {
    switch (o.kind) {
      case 'arp':
      case 'rarp':
        this.arp(o, sink);
        return;
      case 'nd':
        if (o.nd !== undefined && !o.nd.checksumOk) sink(this.badNdChecksum(o));
        return;
      case 'malformed':
        sink(this.malformedFrame(o));
        return;
      case 'other':
        return;
    }
  }

  advance(): void {}

  finish(): void {}

  private arp(o: Observation, sink: FindingSink): void {
    if (!o.ethernetIpv4 || !isKnownArpOp(o.op)) {
      sink(this.badArpHeader(o));
      return;
    }
    const op = o.op;
    if (o.kind === 'rarp' || op === ArpOp.REQUEST || op === ArpOp.REPLY) {
      if (badMacClass(o.sha) !== undefined) sink(this.badSender(o, o.sha, 'sender'));
      else if (o.ethSource !== NO_MAC && badMacClass(o.ethSource) !== undefined) {
        sink(this.badSender(o, o.ethSource, 'ethernet-source'));
      }
    }
    if (o.ethSource !== NO_MAC && o.ethSource !== o.sha) sink(this.mismatch(o));
    if (o.spa !== 0 && !this.nets.isEmpty && !this.nets.contains(o.spa)) sink(this.bogon(o));
    // SPA = TPA = 0.0.0.0 (a switch-teaching "learn" frame) claims no address: not counted.
    if (o.flags & ArpFlag.GRATUITOUS && o.spa !== 0) this.gratuitous(o, sink);
  }

  /** Counts a gratuitous frame of (SHA, SPA); reports the frame that takes it past `garpFlood`. */
  private gratuitous(o: Observation, sink: FindingSink): void {
    const key = ipKey(o.segment, o.spa);
    const head = this.floods.get(key);
    if (head === undefined) {
      const entry = new FloodEntry(o.sha, o.timeMs, o.number);
      this.floods.set(key, entry);
      this.reportIfFlood(entry, o, sink);
      return;
    }
    let entry: FloodEntry | undefined = head;
    let last = head;
    let oldest = head;
    let length = 0;
    while (entry !== undefined && entry.mac !== o.sha) {
      if (entry.startMs < oldest.startMs) oldest = entry;
      last = entry;
      length++;
      entry = entry.next;
    }
    if (entry === undefined) {
      if (length < MAX_FLOOD_MACS_PER_IP) {
        entry = new FloodEntry(o.sha, o.timeMs, o.number);
        last.next = entry;
      } else {
        // The list is full: the sender whose window began longest ago makes room.
        this.chainEvicted++;
        oldest.restart(o.sha, o.timeMs, o.number);
        entry = oldest;
      }
    } else if (o.timeMs - entry.startMs >= this.garpWindowMs) {
      entry.restart(o.sha, o.timeMs, o.number);
    } else {
      entry.count++;
    }
    this.reportIfFlood(entry, o, sink);
  }

  private reportIfFlood(entry: FloodEntry, o: Observation, sink: FindingSink): void {
    if (entry.reported || entry.count <= this.garpFlood) return;
    entry.reported = true;
    const ip = formatIpv4(o.spa as Ipv4);
    const mac = formatMac(o.sha as Mac);
    const seconds = Math.round(o.timeMs - entry.startMs) / 1000;
    const windowSeconds = this.garpWindowMs / 1000;
    sink(
      this.finding('gratuitous-flood', o, `${mac}>${ip}`, ip, mac, [entry.firstFrame, o.number], {
        text:
          `${mac} sent ${entry.count} gratuitous ARP for ${ip} in ${seconds}s ` +
          `(threshold ${this.garpFlood} in ${windowSeconds}s)`,
        fields: { ip, mac, count: entry.count, seconds, windowSeconds, threshold: this.garpFlood },
      }),
    );
  }

  private mismatch(o: Observation): Finding {
    const ethSource = formatMac(o.ethSource as Mac);
    const senderMac = formatMac(o.sha as Mac);
    const ip = formatIpv4(o.spa as Ipv4);
    return this.finding('mac-mismatch', o, `${ethSource}>${senderMac}`, ip, senderMac, [o.number], {
      text: `ethernet source ${ethSource} sends for ARP sender ${senderMac} (${ip})`,
      fields: { ethSource, senderMac, ip },
    });
  }

  private bogon(o: Observation): Finding {
    const ip = formatIpv4(o.spa as Ipv4);
    const mac = formatMac(o.sha as Mac);
    return this.finding('bogon', o, ip, ip, mac, [o.number], {
      text: `${ip} at ${mac} is outside ${this.nets.describe()}`,
      fields: { ip, mac, nets: this.nets.list() },
    });
  }

  private badSender(o: Observation, bad: number, field: 'sender' | 'ethernet-source'): Finding {
    const mac = formatMac(bad as Mac);
    const ip = formatIpv4(o.spa as Ipv4);
    const what = badMacClass(bad)!;
    const where = field === 'sender' ? 'ARP sender MAC' : 'ethernet source';
    return this.finding('bad-sender-mac', o, `${mac}>${ip}`, ip, mac, [o.number], {
      text: `${where} ${mac} is ${what} (${ip})`,
      fields: { mac, ip, field, class: what },
    });
  }

  /** An ARP or RARP packet with odd types or lengths, or an unknown operation. */
  private badArpHeader(o: Observation): Finding {
    const problems: [reason: string, text: string][] = [];
    const name = o.kind === 'rarp' ? 'RARP' : 'ARP';
    if (o.htype !== ARP_HTYPE_ETHERNET) {
      problems.push(['arp-hardware-type', `hardware type ${o.htype} (not 1, Ethernet)`]);
    }
    if (o.ptype !== EtherType.IPV4) {
      problems.push(['arp-protocol-type', `protocol type ${hex16(o.ptype)} (not 0x0800, IPv4)`]);
    }
    if (o.hlen !== MAC_LEN)
      problems.push(['arp-hardware-length', `hardware length ${o.hlen} (not 6)`]);
    if (o.plen !== 4) problems.push(['arp-protocol-length', `protocol length ${o.plen} (not 4)`]);
    if (!isKnownArpOp(o.op)) problems.push(['arp-opcode', `unknown operation ${hex16(o.op)}`]);
    const reason = problems[0]![0];
    return this.malformed(o, reason, `${name} ${problems.map((p) => p[1]).join(', ')}`, {
      reason,
      proto: o.kind,
      htype: o.htype,
      ptype: o.ptype,
      hlen: o.hlen,
      plen: o.plen,
      op: o.op,
      opName: arpOpName(o.op),
    });
  }

  /** A frame the decoder gave up on: the WireError says where and why. */
  private malformedFrame(o: Observation): Finding {
    const error = o.error;
    const layer = error?.layer ?? 'frame';
    const errorKind = error?.kind ?? 'malformed';
    const reason = `${layer}-${errorKind}`;
    const message = error?.message ?? 'undecodable frame';
    return this.malformed(o, reason, message, {
      reason,
      layer,
      errorKind,
      offset: error?.offset ?? 0,
      error: message,
    });
  }

  private badNdChecksum(o: Observation): Finding {
    const packet = o.nd!;
    const target = formatIpv6(packet.nd.target);
    const source = formatIpv6(packet.ip.source);
    const type = packet.nd.type === 'ns' ? 'NS' : 'NA';
    return this.malformed(
      o,
      'nd-checksum',
      `ICMPv6 checksum does not verify (${type} ${source} for ${target})`,
      {
        reason: 'nd-checksum',
        type: packet.nd.type,
        source,
        target,
      },
    );
  }

  private malformed(
    o: Observation,
    reason: string,
    text: string,
    fields: Record<string, FieldValue>,
  ): Finding {
    const finding = this.finding('malformed', o, reason, undefined, undefined, [o.number], {
      text,
      fields,
    });
    if (o.ethSource === NO_MAC) return finding;
    return { ...finding, mac: formatMac(o.ethSource as Mac) };
  }

  private finding(
    kind: FindingKind,
    o: Observation,
    subject: string,
    ip: string | undefined,
    mac: string | undefined,
    frames: number[],
    body: { text: string; fields: Record<string, FieldValue> },
  ): Finding {
    const key = kind === 'malformed' ? subject : segmentSubject(subject, o.vlans);
    return findingAt(o, { kind, key, ip, mac, frames, ...body });
  }
}

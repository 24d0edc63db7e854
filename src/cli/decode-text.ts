import { ArpOp, arpField } from '../wire/arp.js';
import { ArpFlag, arpFlagNames, arpFlags } from '../wire/classify.js';
import { hex16 } from '../wire/ethertype.js';
import type { ArpFrame, DecodedFrame } from '../wire/frame.js';
import { allBytes } from '../wire/bytes.js';
import { summarize } from './frame-summary.js';
import { NSEC_PER_UNIT, timeOfDay } from './timestamp.js';
import { formatIpv6 } from '../wire/ipv6.js';
import { formatMac, MAC_LEN } from '../wire/mac.js';
import { ndFlagNames } from '../wire/nd-classify.js';
import type { NdPacket } from '../wire/nd-packet.js';
import type { VlanRepr } from '../wire/vlan.js';
import { type AsciiLiteral, type AsciiWriter, ascii } from './ascii-writer.js';

/** Flags that say nothing a reader of the line does not already see. */
const UNREMARKABLE = ArpFlag.REQUEST | ArpFlag.REPLY | ArpFlag.BROADCAST;
const PACKET_TYPES: readonly string[] = ['host', 'broadcast', 'multicast', 'otherhost', 'outgoing'];

const ARROW = ascii(' > ');
const ARP_REQUEST = ascii(' ARP Request who-has ');
const ARP_REPLY = ascii(' ARP Reply ');
const TELL = ascii(' tell ');
const IS_AT = ascii(' is-at ');
const VLAN = ascii(' vlan ');
const PRIORITY = ascii(' p ');
const NEWLINE = 0x0a;
const DOT = 0x2e;
const SPACE = 0x20;

/**
 * One line per frame in tcpdump's spirit: frame number (as Wireshark numbers it), local time of
 * day, MACs, VLANs, then `ARP Request who-has 10.0.0.1 tell 10.0.0.2` and what else the frame is
 * (`[gratuitous, announcement]`). Written as bytes: the hot path makes no strings.
 */
export class TextFormatter {
  private lastSec = Number.NaN;
  private lastClock: AsciiLiteral = ascii('');
  private readonly remarks = new Map<number, AsciiLiteral>();

  constructor(private readonly out: AsciiWriter) {}

  /** Writes the line for one ARP, RARP, ND or malformed frame; other frames print nothing. */
  line(number: number, sec: number, nsec: number, digits: number, frame: DecodedFrame): void {
    if (frame.proto === 'other') return;
    const out = this.out;
    out.uint(number);
    out.char(SPACE);
    out.literal(this.clock(sec));
    if (digits > 0) {
      out.char(DOT);
      out.padded(Math.floor(nsec / NSEC_PER_UNIT[digits]!), digits);
    }
    out.char(SPACE);
    this.link(frame);
    this.vlans(frame.vlans);
    switch (frame.proto) {
      case 'arp':
      case 'rarp':
        this.arp(frame, arpFlags(frame.arp, frame));
        break;
      case 'ndp':
        out.text(` ${ndText(frame.nd)}`);
        break;
      case 'malformed':
        out.text(` malformed: ${frame.error.message}`);
        break;
    }
    out.char(NEWLINE);
  }

  /** `HH:MM:SS` in local time, as tcpdump prints it; one `Date` per distinct second. */
  private clock(sec: number): AsciiLiteral {
    if (sec !== this.lastSec) {
      this.lastSec = sec;
      this.lastClock = ascii(timeOfDay(sec));
    }
    return this.lastClock;
  }

  private link(frame: DecodedFrame): void {
    const out = this.out;
    const ethernet = frame.ethernet;
    if (ethernet !== undefined) {
      // Straight from the header's bytes: source, then destination.
      out.hexColons(ethernet.bytes, ethernet.offset + MAC_LEN, MAC_LEN);
      out.literal(ARROW);
      out.hexColons(ethernet.bytes, ethernet.offset, MAC_LEN);
      return;
    }
    if (frame.source === undefined) out.char(0x3f);
    else out.mac(frame.source);
    if (frame.destination !== undefined) {
      out.literal(ARROW);
      out.mac(frame.destination);
    } else if (frame.packetType !== undefined) {
      out.text(` > ${PACKET_TYPES[frame.packetType] ?? `pkttype ${frame.packetType}`}`);
    }
  }

  private vlans(tags: readonly VlanRepr[]): void {
    const out = this.out;
    for (let i = 0; i < tags.length; i++) {
      const tag = tags[i]!;
      out.literal(VLAN);
      out.uint(tag.vid);
      if (tag.pcp !== 0) {
        out.literal(PRIORITY);
        out.uint(tag.pcp);
      }
    }
  }

  private arp(frame: ArpFrame, flags: number): void {
    const out = this.out;
    const packet = frame.arp;
    const { bytes, offset, op } = packet;
    const standard = frame.proto === 'arp' && packet.isEthernetIpv4;
    if (standard && op === ArpOp.REQUEST) {
      out.literal(ARP_REQUEST);
      out.ipv4(bytes, offset + arpField.tpa(6, 4));
      if (!(flags & ArpFlag.ANNOUNCEMENT) && !allBytes(bytes, offset + arpField.tha(6, 4), 6, 0)) {
        out.text(' (');
        out.hexColons(bytes, offset + arpField.tha(6, 4), 6);
        out.char(0x29);
      }
      out.literal(TELL);
      out.ipv4(bytes, offset + arpField.spa(6));
    } else if (standard && op === ArpOp.REPLY) {
      out.literal(ARP_REPLY);
      out.ipv4(bytes, offset + arpField.spa(6));
      out.literal(IS_AT);
      out.hexColons(bytes, offset + arpField.SHA, 6);
    } else {
      out.text(` ${genericArpText(frame)}`);
    }
    const shown = flags & ~UNREMARKABLE;
    if (shown !== 0) out.literal(this.remark(shown));
  }

  private remark(flags: number): AsciiLiteral {
    let text = this.remarks.get(flags);
    if (text === undefined) {
      text = ascii(` [${arpFlagNames(flags).join(', ')}]`);
      this.remarks.set(flags, text);
    }
    return text;
  }
}

/** RARP, unusual ops and non-Ethernet/IPv4 ARP: every field spelled out. */
function genericArpText(frame: ArpFrame): string {
  const packet = frame.arp;
  const s = summarize(frame)!;
  const name = frame.proto === 'rarp' ? 'RARP' : 'ARP';
  if (packet.isEthernetIpv4 && packet.op === ArpOp.RARP_REQUEST) {
    return `${name} Request who-is ${s.targetMac} tell ${s.senderMac}`;
  }
  if (packet.isEthernetIpv4 && packet.op === ArpOp.RARP_REPLY) {
    return `${name} Reply ${s.targetMac} at ${s.targetIp}`;
  }
  const types = packet.isEthernetIpv4 ? '' : ` htype ${packet.htype} ptype ${hex16(packet.ptype)}`;
  return `${name}${types} ${s.op} sender ${s.senderMac} ${s.senderIp} target ${s.targetMac} ${s.targetIp}`;
}

/** `NDP Neighbor Solicitation who-has fe80::1 tell fe80::2 (lladdr …)` and the NA form. */
function ndText(packet: NdPacket): string {
  const nd = packet.nd;
  const flags = ndFlagNames(packet);
  const remark = flags.length === 0 ? '' : ` [${flags.join(', ')}]`;
  if (nd.type === 'ns') {
    const lla = nd.sourceLla === undefined ? '' : ` (lladdr ${formatMac(nd.sourceLla)})`;
    return `NDP Neighbor Solicitation who-has ${formatIpv6(nd.target)} tell ${formatIpv6(packet.ip.source)}${lla}${remark}`;
  }
  const lla = nd.targetLla === undefined ? '(no lladdr)' : formatMac(nd.targetLla);
  return `NDP Neighbor Advertisement ${formatIpv6(nd.target)} is-at ${lla}${remark}`;
}

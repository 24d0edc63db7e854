import { ARP_HTYPE_ETHERNET, ArpOp, arpField } from '../wire/arp.js';
import { arpFlags, ethernetIpv4ArpFlags } from '../wire/classify.js';
import type { WireError } from '../wire/error.js';
import { EtherType } from '../wire/ethertype.js';
import type { ArpFrame, DecodedFrame } from '../wire/frame.js';
import { readIpv4 } from '../wire/ipv4.js';
import { isUnicastMac, type Mac, MAC_LEN } from '../wire/mac.js';
import type { NdPacket } from '../wire/nd-packet.js';
import { AddressIds } from './address-ids.js';
import { DEFAULT_THRESHOLDS } from './thresholds.js';

/** What a decoded frame carries, as the detectors see it. */
export type ObservedKind = 'arp' | 'rarp' | 'nd' | 'other' | 'malformed';

/** No link-layer address: a cooked capture has no destination, a cut-short header no source. */
export const NO_MAC = -1;

/** The most segments (source × VLAN tags) told apart; the rest share the last id. */
export const MAX_SEGMENTS = 65_536;

/** Where and when a frame was seen: the capture file or interface, its number and time. */
export interface FramePlace {
  /** The file name or interface, for messages and to key segments. */
  readonly source: string;
  /** 1-based number of the frame in its file or live stream, as Wireshark numbers it. */
  readonly number: number;
  /** Epoch milliseconds (a fraction keeps micro- and nanoseconds). */
  readonly timeMs: number;
}

/**
 * One frame as every detector reads it: plain numbers, so a detector keys its tables without
 * allocating. The builder fills one shared object per frame (aliasing, as `FrameDecoder` does):
 * a detector copies the numbers it keeps and never keeps the object.
 *
 * The address fields (`sha`, `spa`, `tha`, `tpa`) are read only when `ethernetIpv4` is true; they
 * are 0 otherwise. `segment` is a small integer naming the (source, VLAN tags) pair the frame
 * was seen on, so `segment * 2**32 + ip` is a safe integer key per VLAN and interface.
 */
export class Observation implements FramePlace {
  source = '';
  number = 0;
  timeMs = 0;
  kind: ObservedKind = 'other';
  /** VLAN IDs outermost first (empty when untagged). */
  vlans: readonly number[] = [];
  segment = 0;
  /** Ethernet source and destination as 48-bit numbers, or `NO_MAC`. */
  ethSource = NO_MAC;
  ethDestination = NO_MAC;
  /** Linux `PACKET_*` type of a cooked capture or live socket; -1 when unknown. */
  packetType = -1;
  /** ARP/RARP header fields (0 for other kinds). */
  htype = 0;
  ptype = 0;
  hlen = 0;
  plen = 0;
  op = 0;
  /** True for an ARP/RARP packet with 6-byte MACs and 4-byte IPv4 addresses. */
  ethernetIpv4 = false;
  sha = 0;
  spa = 0;
  tha = 0;
  tpa = 0;
  /** `ArpFlag` bits (request, reply, gratuitous, probe, announcement, broadcast, unicast…). */
  flags = 0;
  /** `isBindingClaim(this)`, worked out once by the builder for every detector. */
  claim = false;
  /**
   * Dense ids of (segment, SPA) and (segment, TPA) from the run's IP ids, and of (segment, SHA)
   * from its MAC ids (two `AddressIds`, so that a table keyed by either is as dense as it can
   * be), with the generation each id had (an id recycled for another address has a newer one):
   * what detectors index their tables with. -1 when `ethernetIpv4` is false.
   */
  spaId = -1;
  spaGen = 0;
  tpaId = -1;
  tpaGen = 0;
  shaId = -1;
  shaGen = 0;
  /**
   * The id (and generation) of the station that sent an ARP or RARP frame, on its interface
   * whatever the VLAN: its Ethernet source, else (a link without one) its sender MAC, as an
   * address of the interface's untagged segment. Nearly always `shaId`. -1 when the frame names
   * no sender.
   */
  senderId = -1;
  senderGen = 0;
  /** The ND packet of an `nd` frame. */
  nd: NdPacket | undefined = undefined;
  /** Why a `malformed` frame is malformed. */
  error: WireError | undefined = undefined;
}

/**
 * Turns decoded frames into observations, numbering segments as they appear. One builder per
 * run; `observeShared` returns its one reused `Observation`.
 */
export class ObservationBuilder {
  /** The ids of the (segment, IPv4) addresses seen, shared by every detector of the run. */
  readonly ips: AddressIds;
  /** The ids of the (segment, MAC) addresses seen, shared likewise. */
  readonly macs: AddressIds;
  private readonly observation = new Observation();
  private readonly segments = new Map<string, number>();
  private readonly untagged = new Map<string, number>();
  /** The source of the last untagged frame and its segment, as most frames are. */
  private lastSource: string | undefined = undefined;
  private lastSegment = 0;

  /** `maxEntries` bounds the IPs given ids, and the MACs. */
  constructor(maxEntries: number = DEFAULT_THRESHOLDS.maxEntries) {
    this.ips = new AddressIds(maxEntries);
    this.macs = new AddressIds(maxEntries);
  }

  /** Fills and returns the shared observation for `frame` seen at `place`. */
  observeShared(frame: DecodedFrame, place: FramePlace): Observation {
    const o = this.observation;
    const source = place.source;
    o.source = source;
    o.number = place.number;
    o.timeMs = place.timeMs;
    const tags = frame.vlans;
    if (tags.length === 0) {
      o.vlans = NO_VLANS;
      o.segment = source === this.lastSource ? this.lastSegment : this.untaggedSegment(source);
    } else {
      o.vlans = tags.map((tag) => tag.vid);
      o.segment = this.segmentOf(source, o.vlans);
    }
    const ethernet = frame.ethernet;
    if (ethernet !== undefined) {
      // Read here rather than through the views' getters or `readMac`, written out: a 48-bit
      // number returned by a call the compiler does not inline is a new heap number, and which
      // calls it inlines varies from run to run (measured: up to 60 bytes a frame).
      const bytes = ethernet.bytes;
      const at = ethernet.offset;
      const d = at + ETHERNET_DESTINATION;
      o.ethDestination =
        ((bytes[d]! << 8) | bytes[d + 1]!) * 0x1_0000_0000 +
        (((bytes[d + 2]! << 24) | (bytes[d + 3]! << 16) | (bytes[d + 4]! << 8) | bytes[d + 5]!) >>>
          0);
      const s = at + ETHERNET_SOURCE;
      o.ethSource =
        ((bytes[s]! << 8) | bytes[s + 1]!) * 0x1_0000_0000 +
        (((bytes[s + 2]! << 24) | (bytes[s + 3]! << 16) | (bytes[s + 4]! << 8) | bytes[s + 5]!) >>>
          0);
    } else {
      const ethSource = frame.source;
      o.ethSource = ethSource === undefined ? NO_MAC : ethSource;
      o.ethDestination = NO_MAC;
    }
    const packetType = frame.packetType;
    o.packetType = packetType === undefined ? -1 : packetType;
    o.nd = undefined;
    o.error = undefined;
    o.ethernetIpv4 = false;
    o.claim = false;
    o.flags = 0;
    switch (frame.proto) {
      case 'arp':
      case 'rarp':
        this.arp(o, frame);
        return o;
      case 'ndp':
        o.kind = 'nd';
        o.nd = frame.nd;
        break;
      case 'malformed':
        o.kind = 'malformed';
        o.error = frame.error;
        break;
      case 'other':
        o.kind = 'other';
        break;
    }
    o.htype = o.ptype = o.hlen = o.plen = o.op = 0;
    o.sha = o.spa = o.tha = o.tpa = 0;
    o.spaId = o.tpaId = o.shaId = o.senderId = -1;
    return o;
  }

  /** The ARP/RARP fields of `o`, its address ids, flags and `claim`. */
  private arp(o: Observation, frame: ArpFrame): void {
    o.kind = frame.proto;
    const { bytes, offset } = frame.arp;
    const htype = (bytes[offset + arpField.HTYPE]! << 8) | bytes[offset + arpField.HTYPE + 1]!;
    const ptype = (bytes[offset + arpField.PTYPE]! << 8) | bytes[offset + arpField.PTYPE + 1]!;
    const hlen = bytes[offset + arpField.HLEN]!;
    const plen = bytes[offset + arpField.PLEN]!;
    const op = (bytes[offset + arpField.OPER]! << 8) | bytes[offset + arpField.OPER + 1]!;
    o.htype = htype;
    o.ptype = ptype;
    o.hlen = hlen;
    o.plen = plen;
    o.op = op;
    if (
      htype !== ARP_HTYPE_ETHERNET ||
      ptype !== EtherType.IPV4 ||
      hlen !== MAC_LEN ||
      plen !== 4
    ) {
      o.sha = o.spa = o.tha = o.tpa = 0;
      o.spaId = o.tpaId = o.shaId = -1;
      if (frame.proto === 'arp') o.flags = arpFlags(frame.arp, frame);
      this.sender(o);
      return;
    }
    o.ethernetIpv4 = true;
    // The sender MAC's two words, for its id without a 48-bit double crossing a call.
    const at = offset + arpField.SHA;
    const shaHigh = (bytes[at]! << 8) | bytes[at + 1]!;
    const shaLow =
      (bytes[at + 2]! << 24) | (bytes[at + 3]! << 16) | (bytes[at + 4]! << 8) | bytes[at + 5]!;
    const sha = shaHigh * 0x1_0000_0000 + (shaLow >>> 0);
    const spa = readIpv4(bytes, offset + SPA);
    // Written out for the reason given for the Ethernet addresses.
    const thaAt = offset + THA;
    const tha =
      ((bytes[thaAt]! << 8) | bytes[thaAt + 1]!) * 0x1_0000_0000 +
      (((bytes[thaAt + 2]! << 24) |
        (bytes[thaAt + 3]! << 16) |
        (bytes[thaAt + 4]! << 8) |
        bytes[thaAt + 5]!) >>>
        0);
    const tpa = readIpv4(bytes, offset + TPA);
    o.sha = sha;
    o.spa = spa;
    o.tha = tha;
    o.tpa = tpa;
    const ips = this.ips;
    const segment = o.segment;
    o.spaId = ips.ipv4(segment, spa);
    o.spaGen = ips.generation(o.spaId);
    o.tpaId = ips.ipv4(segment, tpa);
    o.tpaGen = ips.generation(o.tpaId);
    o.shaId = this.macs.macWords(segment, shaHigh, shaLow);
    o.shaGen = this.macs.generation(o.shaId);
    if (frame.proto === 'arp') {
      o.flags = ethernetIpv4ArpFlags(o);
    }
    o.claim = isBindingClaim(o);
    if ((o.ethSource === NO_MAC || o.ethSource === sha) && o.vlans.length === 0) {
      o.senderId = o.shaId;
      o.senderGen = o.shaGen;
    } else {
      this.sender(o);
    }
  }

  /** `senderId` and `senderGen` of an ARP or RARP frame, looked up. */
  private sender(o: Observation): void {
    const mac = o.ethSource !== NO_MAC ? o.ethSource : o.ethernetIpv4 ? o.sha : NO_MAC;
    if (mac === NO_MAC) {
      o.senderId = -1;
      return;
    }
    const high = Math.floor(mac / 0x1_0000_0000);
    const segment = this.untaggedSegment(o.source);
    o.senderId = this.macs.macWords(segment, high, (mac - high * 0x1_0000_0000) | 0);
    o.senderGen = this.macs.generation(o.senderId);
  }

  /** The segment of `source`'s untagged frames, remembered for the next frame. */
  private untaggedSegment(source: string): number {
    let segment = this.untagged.get(source);
    if (segment === undefined) segment = this.add(this.untagged, source);
    this.lastSource = source;
    this.lastSegment = segment;
    return segment;
  }

  private segmentOf(source: string, vlans: readonly number[]): number {
    const key = `${source}\u0000${vlans.join('.')}`;
    return this.segments.get(key) ?? this.add(this.segments, key);
  }

  private add(map: Map<string, number>, key: string): number {
    const count = this.untagged.size + this.segments.size;
    if (count >= MAX_SEGMENTS) return MAX_SEGMENTS - 1;
    map.set(key, count);
    return count;
  }
}

const NO_VLANS: readonly number[] = Object.freeze([]);
/** Where the Ethernet header holds its addresses (IEEE 802.3: destination, then source). */
const ETHERNET_DESTINATION = 0;
const ETHERNET_SOURCE = MAC_LEN;
const SPA = arpField.spa(MAC_LEN);
const THA = arpField.tha(MAC_LEN, 4);
const TPA = arpField.tpa(MAC_LEN, 4);

/** `segment * 2**32 + ipv4`: a key per address and segment that fits a double exactly. */
export function ipKey(segment: number, ip: number): number {
  return segment * 0x1_0000_0000 + ip;
}

/**
 * True when the frame says "SPA is at SHA" as arpwatch takes it (`process_ether`): an
 * Ethernet/IPv4 ARP request or reply, or a RARP reply (arpwatch reads the sender fields of those
 * too: the RARP server's own address), with a sender IP other than 0.0.0.0, a sender MAC that
 * can name one station (not zero, broadcast or multicast), and, when the link has a source,
 * that source equal to the sender MAC (arpwatch drops an "ethernet mismatch").
 *
 * arpwatch also takes hardware type 6 (IEEE 802) and drops bogons; here hardware type 1 only,
 * and bogons are the anomaly detector's.
 */
export function isBindingClaim(o: Observation): boolean {
  if (!o.ethernetIpv4 || o.spa === 0) return false;
  const op = o.op;
  if (o.kind === 'arp') {
    if (op !== ArpOp.REQUEST && op !== ArpOp.REPLY) return false;
  } else if (o.kind !== 'rarp' || op !== ArpOp.RARP_REPLY) {
    return false;
  }
  const sha = o.sha;
  return isUnicastMac(sha as Mac) && (o.ethSource === NO_MAC || o.ethSource === sha);
}

import { ArpOp } from '../wire/arp.js';
import { arpField } from '../wire/arp.js';
import { arpFlags } from '../wire/classify.js';
import type { WireError } from '../wire/error.js';
import type { DecodedFrame } from '../wire/frame.js';
import { readIpv4 } from '../wire/ipv4.js';
import { MAC_LEN, readMac } from '../wire/mac.js';
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
  /**
   * Dense ids of (segment, SPA), (segment, TPA) and (segment, SHA) from the run's `AddressIds`,
   * with the generation each id had (an id recycled for another address has a newer one): what
   * detectors index their tables with. -1 when `ethernetIpv4` is false.
   */
  spaId = -1;
  spaGen = 0;
  tpaId = -1;
  tpaGen = 0;
  shaId = -1;
  shaGen = 0;
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
  /** The ids of the addresses seen, shared by every detector of the run. */
  readonly ids: AddressIds;
  private readonly observation = new Observation();
  private readonly segments = new Map<string, number>();
  private readonly untagged = new Map<string, number>();

  /** `maxEntries` bounds the addresses (IPs and MACs) given ids: twice that many are kept. */
  constructor(maxEntries: number = DEFAULT_THRESHOLDS.maxEntries) {
    this.ids = new AddressIds(2 * maxEntries);
  }

  /** Fills and returns the shared observation for `frame` seen at `place`. */
  observeShared(frame: DecodedFrame, place: FramePlace): Observation {
    const o = this.observation;
    o.source = place.source;
    o.number = place.number;
    o.timeMs = place.timeMs;
    o.vlans = frame.vlans.length === 0 ? NO_VLANS : frame.vlans.map((tag) => tag.vid);
    o.segment = this.segmentOf(place.source, o.vlans);
    const source = frame.source;
    const destination = frame.destination;
    o.ethSource = source === undefined ? NO_MAC : source;
    o.ethDestination = destination === undefined ? NO_MAC : destination;
    o.packetType = frame.packetType ?? -1;
    o.nd = undefined;
    o.error = undefined;
    o.ethernetIpv4 = false;
    o.htype = o.ptype = o.hlen = o.plen = o.op = 0;
    o.sha = o.spa = o.tha = o.tpa = 0;
    o.flags = 0;
    o.spaId = o.tpaId = o.shaId = -1;
    switch (frame.proto) {
      case 'arp':
      case 'rarp': {
        o.kind = frame.proto;
        const arp = frame.arp;
        o.htype = arp.htype;
        o.ptype = arp.ptype;
        o.hlen = arp.hlen;
        o.plen = arp.plen;
        o.op = arp.op;
        o.ethernetIpv4 = arp.isEthernetIpv4;
        if (o.ethernetIpv4) {
          const { bytes, offset } = arp;
          o.sha = readMac(bytes, offset + arpField.SHA);
          o.spa = readIpv4(bytes, offset + SPA);
          o.tha = readMac(bytes, offset + THA);
          o.tpa = readIpv4(bytes, offset + TPA);
          const ids = this.ids;
          o.spaId = ids.ipv4(o.segment, o.spa);
          o.spaGen = ids.generation(o.spaId);
          o.tpaId = ids.ipv4(o.segment, o.tpa);
          o.tpaGen = ids.generation(o.tpaId);
          o.shaId = ids.mac(o.segment, o.sha);
          o.shaGen = ids.generation(o.shaId);
        }
        if (frame.proto === 'arp') o.flags = arpFlags(arp, frame);
        break;
      }
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
    return o;
  }

  private segmentOf(source: string, vlans: readonly number[]): number {
    if (vlans.length === 0) {
      const known = this.untagged.get(source);
      if (known !== undefined) return known;
      return this.add(this.untagged, source);
    }
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
const SPA = arpField.spa(MAC_LEN);
const THA = arpField.tha(MAC_LEN, 4);
const TPA = arpField.tpa(MAC_LEN, 4);

/** True for ARP request or reply (not RARP, not InARP): the operations that bind an address. */
export function isArpRequestOrReply(o: Observation): boolean {
  return o.kind === 'arp' && (o.op === ArpOp.REQUEST || o.op === ArpOp.REPLY);
}

/** `segment * 2**32 + ipv4`: a key per address and segment that fits a double exactly. */
export function ipKey(segment: number, ip: number): number {
  return segment * 0x1_0000_0000 + ip;
}

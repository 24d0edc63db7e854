import { ArpPacket } from './arp.js';
import type { LinkDelivery } from './classify.js';
import { WireError } from './error.js';
import { EthernetFrame } from './ethernet.js';
import { EtherType, isVlanTpid } from './ethertype.js';
import type { Mac } from './mac.js';
import { type NdPacket, parseNdPacket } from './nd-packet.js';
import { LinuxSllFrame } from './sll.js';
import { parseVlan, type VlanRepr, VlanTag } from './vlan.js';

/** The link-layer header a captured frame starts with. */
export type LinkKind = 'ethernet' | 'sll' | 'sll2';

/** The most tags the chain reads: an 802.1ad outer tag and an 802.1Q inner tag (QinQ). */
export const MAX_VLAN_TAGS = 2;

/** What every decoded frame has, whatever it carries. */
export interface FrameCommon extends LinkDelivery {
  /** The tags between the link header and the payload, outermost first (0–2). */
  readonly vlans: readonly VlanRepr[];
  /** The innermost ethertype; undefined when the link header itself is cut short. */
  readonly ethertype: number | undefined;
  /** The Ethernet header's view, for Ethernet captures whose header is whole. */
  readonly ethernet: EthernetFrame | undefined;
}

/** ARP (ethertype 0x0806) or RARP (0x8035): the generic packet view, any hardware type. */
export interface ArpFrame extends FrameCommon {
  readonly proto: 'arp' | 'rarp';
  readonly arp: ArpPacket;
}

/** An ICMPv6 Neighbor Solicitation or Advertisement. */
export interface NdpFrame extends FrameCommon {
  readonly proto: 'ndp';
  readonly nd: NdPacket;
}

/** Anything else: another ethertype, IPv6 that is not ND, more tags than `MAX_VLAN_TAGS`. */
export interface OtherFrame extends FrameCommon {
  readonly proto: 'other';
}

/** A frame of ours whose bytes are cut short or break a rule. */
export interface MalformedFrame extends FrameCommon {
  readonly proto: 'malformed';
  readonly error: WireError;
}

/** One captured frame decoded as an explicit chain: link → 0–2 tags → ARP | RARP | ND | other. */
export type DecodedFrame = ArpFrame | NdpFrame | OtherFrame | MalformedFrame;

const NO_TAGS: readonly VlanRepr[] = Object.freeze([]);
const EMPTY = new Uint8Array(0);

/**
 * The one result object a decoder fills; every field exists whatever the kind (one shape). The
 * link addresses are read from the link view only when asked for: counting never needs them.
 */
class SharedFrame {
  proto: DecodedFrame['proto'] = 'other';
  packetType: number | undefined = undefined;
  vlans: readonly VlanRepr[] = NO_TAGS;
  ethertype: number | undefined = undefined;
  arp: ArpPacket = ArpPacket.unchecked(EMPTY);
  nd: NdPacket | undefined = undefined;
  error: WireError | undefined = undefined;
  /** Which link view holds this frame's header; `none` when the header itself was cut short. */
  link: 'ethernet' | 'sll' | 'none' = 'none';
  readonly ethernetView = EthernetFrame.unchecked(EMPTY);
  readonly sll = LinuxSllFrame.unchecked(EMPTY, 1);

  get ethernet(): EthernetFrame | undefined {
    return this.link === 'ethernet' ? this.ethernetView : undefined;
  }

  get source(): Mac | undefined {
    if (this.link === 'ethernet') return this.ethernetView.source;
    return this.link === 'sll' ? this.sll.source : undefined;
  }

  get destination(): Mac | undefined {
    return this.link === 'ethernet' ? this.ethernetView.destination : undefined;
  }
}

/**
 * Decodes frame after frame into one reused result and reused views, allocating nothing for an
 * untagged ARP frame: the loop of a capture reader that sees millions of them.
 */
export class FrameDecoder {
  private readonly frame = new SharedFrame();
  private readonly tag = VlanTag.unchecked(EMPTY);

  /**
   * Decodes `bytes[offset, offset + length)`. The result and the views in it alias `bytes` and
   * are overwritten by the next call (shared). Never throws: a frame that is not ARP, RARP or ND
   * is `other`, and a broken one is `malformed` with the WireError that says why.
   */
  decodeShared(bytes: Uint8Array, offset: number, length: number, link: LinkKind): DecodedFrame {
    const frame = this.frame;
    frame.link = 'none';
    frame.packetType = undefined;
    frame.vlans = NO_TAGS;
    frame.ethertype = undefined;
    frame.nd = undefined;
    frame.error = undefined;
    const end = offset + length;
    try {
      let at: number;
      let ethertype: number;
      if (link === 'ethernet') {
        const ethernet = frame.ethernetView.rebindShared(bytes, offset, length);
        frame.link = 'ethernet';
        ethertype = ethernet.ethertype;
        at = ethernet.payloadOffset;
      } else {
        const sll = frame.sll.rebindShared(bytes, link === 'sll' ? 1 : 2, offset, length);
        frame.link = 'sll';
        frame.packetType = sll.packetType;
        ethertype = sll.protocol;
        at = sll.payloadOffset;
      }
      frame.ethertype = ethertype;
      while (isVlanTpid(ethertype) && frame.vlans.length < MAX_VLAN_TAGS) {
        const tag = this.tag.rebindShared(bytes, at, end - at);
        frame.vlans = [...frame.vlans, parseVlan(tag, ethertype)];
        ethertype = tag.ethertype;
        frame.ethertype = ethertype;
        at = tag.payloadOffset;
      }
      frame.proto = this.payload(bytes, at, end - at, ethertype);
    } catch (error) {
      if (!(error instanceof WireError)) throw error;
      frame.error = error;
      frame.proto = 'malformed';
    }
    return frame as DecodedFrame;
  }

  private payload(
    bytes: Uint8Array,
    at: number,
    length: number,
    ethertype: number,
  ): DecodedFrame['proto'] {
    switch (ethertype) {
      case EtherType.ARP:
        this.frame.arp.rebindShared(bytes, at, length);
        return 'arp';
      case EtherType.RARP:
        this.frame.arp.rebindShared(bytes, at, length);
        return 'rarp';
      case EtherType.IPV6: {
        const nd = parseNdPacket(bytes, at, length);
        if (nd === null) return 'other';
        this.frame.nd = nd;
        return 'ndp';
      }
      default:
        return 'other';
    }
  }
}

/** Decodes one frame into a result of its own (not shared); see `FrameDecoder` for loops. */
export function decodeFrame(bytes: Uint8Array, link: LinkKind): DecodedFrame {
  return new FrameDecoder().decodeShared(bytes, 0, bytes.length, link);
}

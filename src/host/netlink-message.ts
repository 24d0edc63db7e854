/**
 * Netlink messages (`struct nlmsghdr`, `linux/netlink.h`): a cursor over the messages of dump
 * reply datagrams, and the three dump requests a host snapshot is read with. A datagram is a run
 * of messages, each `nlmsg_len` long and padded to 4 bytes; a header shorter than 16 bytes or a
 * length past the datagram's end is a WireError (`truncated` / `malformed`, layer `netlink`).
 */
import { NlmFlag, NlmsgHeader, netlinkAlign } from '../link/sys/netlink-abi.js';
import { WireError } from '../wire/error.js';
import { type AttributeRepr, attributesLength, emitAttributes } from './netlink-attributes.js';
import {
  Family,
  Ifaddrmsg,
  Ifinfomsg,
  Ifla,
  Ndmsg,
  RtextFilter,
  RtmType,
} from './rtnetlink-abi.js';

/**
 * Walks the messages of one datagram after another. The cursor itself is the current message:
 * its fields change with every `next()`, so it aliases the datagram and must not be kept.
 */
export class MessageCursorShared {
  #datagrams: readonly Uint8Array[] = [];
  #index = -1;
  #next = 0;
  /** The datagram the current message is in. */
  bytes: Uint8Array = new Uint8Array(0);
  /** A DataView over all of `bytes`; offsets below index it. */
  view: DataView = new DataView(this.bytes.buffer);
  /** Where the current message's header starts. */
  start = 0;
  /** Where its payload (the family header, then attributes) starts. */
  payload = 0;
  /** One past its last byte (`start + nlmsg_len`). */
  end = 0;
  /** `nlmsg_type`. */
  type = 0;
  /** `nlmsg_flags`. */
  flags = 0;
  /** `nlmsg_seq`. */
  seq = 0;

  /** A cursor before the first message of `datagrams`. */
  constructor(datagrams: readonly Uint8Array[] = []) {
    this.reset(datagrams);
  }

  /** Starts again before the first message of `datagrams`. */
  reset(datagrams: readonly Uint8Array[]): this {
    this.#datagrams = datagrams;
    this.#index = -1;
    this.#next = 0;
    this.bytes = new Uint8Array(0);
    return this;
  }

  /** Moves to the next message; false after the last one. Throws on a header that breaks framing. */
  next(): boolean {
    while (this.#next >= this.bytes.length) {
      this.#index += 1;
      const datagram = this.#datagrams[this.#index];
      if (datagram === undefined) return false;
      this.bytes = datagram;
      this.view = new DataView(datagram.buffer, datagram.byteOffset, datagram.byteLength);
      this.#next = 0;
    }
    const at = this.#next;
    const room = this.bytes.length - at;
    if (room < NlmsgHeader.SIZE) {
      throw new WireError(
        {
          kind: 'truncated',
          layer: 'netlink',
          offset: at,
          got: `${room} bytes`,
          expected: NlmsgHeader.SIZE,
        },
        'message header',
      );
    }
    const length = this.view.getUint32(at + NlmsgHeader.LEN, true);
    if (length < NlmsgHeader.SIZE || length > room) {
      throw new WireError(
        {
          kind: 'malformed',
          layer: 'netlink',
          offset: at + NlmsgHeader.LEN,
          got: `nlmsg_len ${length}`,
          expected: `${NlmsgHeader.SIZE}-${room}`,
        },
        'message length',
      );
    }
    this.start = at;
    this.payload = at + NlmsgHeader.SIZE;
    this.end = at + length;
    this.type = this.view.getUint16(at + NlmsgHeader.TYPE, true);
    this.flags = this.view.getUint16(at + NlmsgHeader.FLAGS, true);
    this.seq = this.view.getUint32(at + NlmsgHeader.SEQ, true);
    this.#next = at + netlinkAlign(length);
    return true;
  }

  /** Throws a `truncated` WireError for `layer` unless the payload holds a `size`-byte family header. */
  needHeader(layer: string, size: number): void {
    const have = this.end - this.payload;
    if (have < size) {
      throw new WireError(
        { kind: 'truncated', layer, offset: this.payload, got: `${have} bytes`, expected: size },
        'family header',
      );
    }
  }
}

/**
 * One request message: header (flags NLM_F_REQUEST | NLM_F_DUMP, sequence 0 for the socket to
 * fill in), the family header `header`, then `attributes`.
 */
export function emitDumpRequest(
  type: number,
  header: Uint8Array,
  attributes: readonly AttributeRepr[] = [],
): Uint8Array {
  const headerEnd = NlmsgHeader.SIZE + netlinkAlign(header.length);
  const bytes = new Uint8Array(headerEnd + attributesLength(attributes));
  const view = new DataView(bytes.buffer);
  view.setUint32(NlmsgHeader.LEN, bytes.length, true);
  view.setUint16(NlmsgHeader.TYPE, type, true);
  view.setUint16(NlmsgHeader.FLAGS, NlmFlag.REQUEST | NlmFlag.DUMP, true);
  bytes.set(header, NlmsgHeader.SIZE);
  emitAttributes(attributes, bytes, headerEnd);
  return bytes;
}

/** A u32 attribute payload in host order. */
function u32Value(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value, true);
  return bytes;
}

/**
 * RTM_GETLINK dump of `family`: AF_UNSPEC for every link, AF_BRIDGE with `extMask`
 * RTEXT_FILTER_BRVLAN for the bridges and their ports with each one's VLANs.
 */
export function linkDumpRequest(family: number = Family.UNSPEC, extMask = 0): Uint8Array {
  const header = new Uint8Array(Ifinfomsg.SIZE);
  header[Ifinfomsg.FAMILY] = family;
  const attributes = extMask === 0 ? [] : [{ type: Ifla.EXT_MASK, value: u32Value(extMask) }];
  return emitDumpRequest(RtmType.GETLINK, header, attributes);
}

/** RTM_GETLINK dump of the bridges and their ports, with each one's VLANs (one entry per VID). */
export function bridgeVlanDumpRequest(): Uint8Array {
  return linkDumpRequest(Family.BRIDGE, RtextFilter.BRVLAN);
}

/** RTM_GETADDR dump of every IPv4 and IPv6 address (AF_UNSPEC). */
export function addressDumpRequest(): Uint8Array {
  const header = new Uint8Array(Ifaddrmsg.SIZE);
  header[Ifaddrmsg.FAMILY] = Family.UNSPEC;
  return emitDumpRequest(RtmType.GETADDR, header);
}

/** RTM_GETNEIGH dump of family AF_BRIDGE: every bridge's FDB (and the ports' own address lists). */
export function fdbDumpRequest(): Uint8Array {
  const header = new Uint8Array(Ndmsg.SIZE);
  header[Ndmsg.FAMILY] = Family.BRIDGE;
  return emitDumpRequest(RtmType.GETNEIGH, header);
}

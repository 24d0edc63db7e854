/**
 * Builds rtnetlink reply messages for tests, the way the kernel lays them out: an `nlmsghdr`
 * (NLM_F_MULTI and sequence 1, as in a dump, unless `HeaderFields` say otherwise: `EVENT_HEADER`
 * for an event the kernel multicasts), a family header, then attributes, each padded to 4 bytes
 * (a nested list's padding counted in its length). Values are written in host order like the
 * kernel writes them; `be16` for the few big-endian ones (IFLA_VLAN_PROTOCOL).
 */
import { NlmFlag, NlmsgHeader, netlinkAlign } from '../link/sys/netlink-abi.js';
import {
  type AttributeRepr,
  attributesLength,
  emitAttributes,
} from '../host/netlink-attributes.js';
import { Family, Ifaddrmsg, Ifinfomsg, Ndmsg, RtmType } from '../host/rtnetlink-abi.js';
import type { HostLink } from '../host/snapshot.js';
import { type Mac, writeMac } from '../wire/mac.js';

/** The `nlmsghdr` fields a test sets; unset ones are a dump reply's. */
export interface HeaderFields {
  /** `nlmsg_type`: by default the builder's own (RTM_NEWLINK for `newLink`…). */
  readonly type?: number;
  /** `nlmsg_flags`: NLM_F_MULTI unless said. */
  readonly flags?: number;
  /** `nlmsg_seq`: 1 unless said. */
  readonly seq?: number;
}

/**
 * The header of an event the kernel multicasts (`rtnl_notify`) for a change of its own: no flags,
 * sequence 0, port 0. (A change asked for over rtnetlink may carry the asker's sequence number
 * and port id instead, as the kernel's IPv4 address and neighbour events do.)
 */
export const EVENT_HEADER: HeaderFields = Object.freeze({ flags: 0, seq: 0 });

/** One message of `type`: header, `header` padded to 4 bytes, then `attributes`. */
export function rtMessage(
  type: number,
  header: Uint8Array,
  attributes: readonly AttributeRepr[],
  flags: number = NlmFlag.MULTI,
  seq = 1,
): Uint8Array {
  const headerEnd = NlmsgHeader.SIZE + netlinkAlign(header.length);
  const bytes = new Uint8Array(headerEnd + attributesLength(attributes));
  const view = new DataView(bytes.buffer);
  view.setUint32(NlmsgHeader.LEN, bytes.length, true);
  view.setUint16(NlmsgHeader.TYPE, type, true);
  view.setUint16(NlmsgHeader.FLAGS, flags, true);
  view.setUint32(NlmsgHeader.SEQ, seq, true);
  bytes.set(header, NlmsgHeader.SIZE);
  emitAttributes(attributes, bytes, headerEnd);
  return bytes;
}

/**
 * A nested attribute list as the kernel sends IFLA_LINKINFO, IFLA_INFO_DATA and
 * IFLA_INFO_SLAVE_DATA (`nla_nest_start_noflag`): without NLA_F_NESTED, unlike `emitAttributes`.
 */
export function nestedNoFlag(type: number, nested: readonly AttributeRepr[]): AttributeRepr {
  const value = new Uint8Array(attributesLength(nested));
  emitAttributes(nested, value, 0);
  return { type, value };
}

/** Messages one after another, as one datagram. */
export function datagram(...messages: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(messages));
}

/** The fields of an `ifinfomsg` a test sets. */
export interface IfinfoFields {
  readonly family?: number;
  readonly type?: number;
  readonly index: number;
  readonly flags?: number;
}

/** `rtMessage` with the type, flags and sequence of `fields`, `type` unless they say. */
function withHeader(
  type: number,
  fields: HeaderFields,
  header: Uint8Array,
  attributes: readonly AttributeRepr[],
): Uint8Array {
  return rtMessage(fields.type ?? type, header, attributes, fields.flags, fields.seq);
}

/** An RTM_NEWLINK message (family AF_UNSPEC unless said, ARPHRD_ETHER unless said). */
export function newLink(
  fields: IfinfoFields,
  attributes: readonly AttributeRepr[],
  message: HeaderFields = {},
): Uint8Array {
  const header = new Uint8Array(Ifinfomsg.SIZE);
  const view = new DataView(header.buffer);
  header[Ifinfomsg.FAMILY] = fields.family ?? Family.UNSPEC;
  view.setUint16(Ifinfomsg.TYPE, fields.type ?? 1, true);
  view.setInt32(Ifinfomsg.INDEX, fields.index, true);
  view.setUint32(Ifinfomsg.FLAGS, fields.flags ?? 0, true);
  return withHeader(RtmType.NEWLINK, message, header, attributes);
}

/**
 * A link as the readers make it from a `newLink` message that sets nothing but the index and the
 * name: an Ethernet link, down, of no kind.
 */
export const PLAIN_LINK: Omit<HostLink, 'index' | 'name'> = Object.freeze({
  mac: undefined,
  hardwareType: 1,
  up: false,
  carrier: false,
  noarp: false,
  loopback: false,
  kind: 'physical',
  tap: false,
  master: undefined,
  parent: undefined,
  vlanId: undefined,
  bond: undefined,
  vlanFiltering: false,
  portVlans: [],
});

/** The fields of an `ifaddrmsg` a test sets. */
export interface IfaddrFields {
  readonly family: number;
  readonly prefixLength: number;
  readonly flags?: number;
  readonly scope?: number;
  readonly index: number;
}

/** An RTM_NEWADDR message. */
export function newAddress(
  fields: IfaddrFields,
  attributes: readonly AttributeRepr[],
  message: HeaderFields = {},
): Uint8Array {
  const header = new Uint8Array(Ifaddrmsg.SIZE);
  header[Ifaddrmsg.FAMILY] = fields.family;
  header[Ifaddrmsg.PREFIXLEN] = fields.prefixLength;
  header[Ifaddrmsg.FLAGS] = fields.flags ?? 0;
  header[Ifaddrmsg.SCOPE] = fields.scope ?? 0;
  new DataView(header.buffer).setUint32(Ifaddrmsg.INDEX, fields.index, true);
  return withHeader(RtmType.NEWADDR, message, header, attributes);
}

/** The fields of an `ndmsg` a test sets. */
export interface NdFields {
  readonly family?: number;
  readonly ifindex: number;
  readonly state: number;
  readonly flags?: number;
}

/** An RTM_NEWNEIGH message (family AF_BRIDGE unless said). */
export function newNeigh(
  fields: NdFields,
  attributes: readonly AttributeRepr[],
  message: HeaderFields = {},
): Uint8Array {
  const header = new Uint8Array(Ndmsg.SIZE);
  const view = new DataView(header.buffer);
  header[Ndmsg.FAMILY] = fields.family ?? Family.BRIDGE;
  view.setInt32(Ndmsg.IFINDEX, fields.ifindex, true);
  view.setUint16(Ndmsg.STATE, fields.state, true);
  header[Ndmsg.FLAGS] = fields.flags ?? 0;
  return withHeader(RtmType.NEWNEIGH, message, header, attributes);
}

/** A u8 payload. */
export function u8(value: number): Uint8Array {
  return Uint8Array.of(value);
}

/** A u16 payload in host order. */
export function u16(value: number): Uint8Array {
  const bytes = new Uint8Array(2);
  new DataView(bytes.buffer).setUint16(0, value, true);
  return bytes;
}

/** A be16 payload (network order). */
export function be16(value: number): Uint8Array {
  return Uint8Array.of(value >>> 8, value & 0xff);
}

/** A u32 payload in host order. */
export function u32(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value, true);
  return bytes;
}

/** A NUL-terminated string payload, as IFLA_IFNAME and IFLA_INFO_KIND carry one. */
export function str(text: string): Uint8Array {
  return new TextEncoder().encode(`${text}\0`);
}

/** A 6-byte MAC payload. */
export function macBytes(mac: Mac): Uint8Array {
  const bytes = new Uint8Array(6);
  writeMac(mac, bytes, 0);
  return bytes;
}

/** A `bridge_vlan_info` payload: u16 flags, u16 vid. */
export function vlanInfo(flags: number, vid: number): Uint8Array {
  return Uint8Array.from([...u16(flags), ...u16(vid)]);
}

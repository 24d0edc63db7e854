/**
 * RTM_NEWLINK messages of family AF_UNSPEC (rtnetlink(7)) read into `HostLink`s: the
 * `ifinfomsg` header (index, ARPHRD type, IFF flags) and the attributes that say what the link is
 * (`linux/if_link.h`): its name, MAC, master, the link it is stacked on, and from IFLA_LINKINFO its
 * kind and the kind's own data (VLAN id, bond mode and active slave, a bridge's VLAN filtering, a
 * tun's tap flag). Port VLANs come from another dump (`bridge-vlans.ts`), so every link read here
 * has none; `discover.ts` merges them in. Event messages (RTM_NEWLINK / RTM_DELLINK from the
 * RTNLGRP_LINK group) have the same layout plus, sometimes, IFLA_EVENT: `readEvent` reads both.
 */
import { BOND_MODES, type HostLink } from './snapshot.js';
import { AttributeTable } from './netlink-attributes.js';
import { MessageCursorShared } from './netlink-message.js';
import {
  Family,
  Iff,
  Ifinfomsg,
  Ifla,
  IflaBond,
  IflaBr,
  IflaInfo,
  IflaTun,
  IflaVlan,
  RtmType,
  TunType,
} from './rtnetlink-abi.js';
import { readMac } from '../wire/mac.js';
import { WireError } from '../wire/error.js';

/** The layer name in errors about these messages. */
const LAYER = 'RTM_NEWLINK';

/** `ARPHRD_LOOPBACK` (`linux/if_arp.h`). */
const ARPHRD_LOOPBACK = 772;

/** Bytes of an Ethernet address in IFLA_ADDRESS; other lengths (tunnels, InfiniBand) are not MACs. */
const MAC_BYTES = 6;

/**
 * Kinds whose IFLA_LINK is the link they are stacked on, in this namespace unless
 * IFLA_LINK_NETNSID says otherwise. Other kinds use IFLA_LINK for something else (a veth's is its
 * peer, maybe in another namespace) or not at all, so they get no parent.
 */
export const STACKED_KINDS: ReadonlySet<string> = new Set([
  'vlan',
  'macvlan',
  'macvtap',
  'ipvlan',
  'ipvtap',
]);

/** The attribute tables one reader reuses for message after message. */
export class LinkReader {
  readonly #top = new AttributeTable(LAYER, Ifla.EVENT);
  readonly #info = new AttributeTable(`${LAYER} IFLA_LINKINFO`, IflaInfo.SLAVE_DATA);
  // IFLA_INFO_DATA types of the kinds read here go up to IFLA_BR_VLAN_FILTERING (7).
  readonly #data = new AttributeTable(`${LAYER} IFLA_INFO_DATA`, IflaBr.VLAN_FILTERING);

  /** The link in the RTM_NEWLINK message at `message` (family AF_UNSPEC), with no port VLANs. */
  read(message: MessageCursorShared): HostLink {
    message.needHeader(LAYER, Ifinfomsg.SIZE);
    const { bytes, view, payload } = message;
    const index = view.getInt32(payload + Ifinfomsg.INDEX, true);
    const hardwareType = view.getUint16(payload + Ifinfomsg.TYPE, true);
    const flags = view.getUint32(payload + Ifinfomsg.FLAGS, true);
    const top = this.#top.read(bytes, view, payload + Ifinfomsg.SIZE, message.end);
    const name = top.string(Ifla.IFNAME);
    if (name === undefined) {
      throw new WireError(
        { kind: 'malformed', layer: LAYER, offset: message.start, got: `link ${index}` },
        'message without IFLA_IFNAME',
      );
    }
    const loopback = (flags & Iff.LOOPBACK) !== 0;
    const info = top.has(Ifla.LINKINFO)
      ? this.#info.read(bytes, view, top.offset(Ifla.LINKINFO), linkInfoEnd(top))
      : undefined;
    const kind =
      info?.string(IflaInfo.KIND) ??
      (loopback || hardwareType === ARPHRD_LOOPBACK ? 'loopback' : 'physical');
    const data =
      info?.has(IflaInfo.DATA) === true
        ? this.#data.read(bytes, view, info.offset(IflaInfo.DATA), dataEnd(info))
        : undefined;
    const link = top.u32(Ifla.LINK);
    const bondMode = kind === 'bond' ? data?.u8(IflaBond.MODE) : undefined;
    return {
      index,
      name,
      mac:
        top.size(Ifla.ADDRESS) === MAC_BYTES ? readMac(bytes, top.offset(Ifla.ADDRESS)) : undefined,
      hardwareType,
      up: (flags & Iff.UP) !== 0,
      carrier: (flags & Iff.LOWER_UP) !== 0,
      noarp: (flags & Iff.NOARP) !== 0,
      loopback,
      kind,
      tap: kind === 'tun' && data?.u8(IflaTun.TYPE) === TunType.TAP,
      master: top.u32(Ifla.MASTER),
      parent:
        STACKED_KINDS.has(kind) &&
        link !== undefined &&
        link !== index &&
        !top.has(Ifla.LINK_NETNSID)
          ? link
          : undefined,
      vlanId: kind === 'vlan' ? data?.u16(IflaVlan.ID) : undefined,
      bond:
        bondMode === undefined
          ? undefined
          : {
              mode: BOND_MODES[bondMode] ?? `mode ${bondMode}`,
              activeSlave: data?.u32(IflaBond.ACTIVE_SLAVE),
            },
      vlanFiltering: kind === 'bridge' && (data?.u8(IflaBr.VLAN_FILTERING) ?? 0) !== 0,
      portVlans: [],
    };
  }

  /**
   * The link in an RTM_NEWLINK or RTM_DELLINK event message and its IFLA_EVENT (an `IflaEvent`
   * value; undefined when it has none, as for IFLA_EVENT_NONE); undefined for a message of
   * another family than AF_UNSPEC.
   */
  readEvent(
    message: MessageCursorShared,
  ): { link: HostLink; event: number | undefined } | undefined {
    if (!isUnspecFamily(message)) return undefined;
    const link = this.read(message);
    return { link, event: this.#top.u32(Ifla.EVENT) };
  }
}

/**
 * Whether the link message at `message` is of family AF_UNSPEC: the AF_BRIDGE ones are a
 * bridge's notes about its ports (`bridge-vlans.ts`).
 */
function isUnspecFamily(message: MessageCursorShared): boolean {
  message.needHeader(LAYER, Ifinfomsg.SIZE);
  return message.view.getUint8(message.payload + Ifinfomsg.FAMILY) === Family.UNSPEC;
}

function linkInfoEnd(top: AttributeTable): number {
  return top.offset(Ifla.LINKINFO) + top.size(Ifla.LINKINFO);
}

function dataEnd(info: AttributeTable): number {
  return info.offset(IflaInfo.DATA) + info.size(IflaInfo.DATA);
}

/**
 * Every link in the datagrams of an AF_UNSPEC RTM_GETLINK dump, in the kernel's order. Control
 * messages (NLMSG_DONE) and messages of other types or families are passed over.
 */
export function parseLinkDump(datagrams: readonly Uint8Array[]): HostLink[] {
  const reader = new LinkReader();
  const links: HostLink[] = [];
  const message = new MessageCursorShared(datagrams);
  while (message.next()) {
    if (message.type === RtmType.NEWLINK && isUnspecFamily(message)) {
      links.push(reader.read(message));
    }
  }
  return links;
}

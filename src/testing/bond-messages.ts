/**
 * The rtnetlink events of Linux bonding, byte for byte in the layout the kernel multicasts them
 * to RTNLGRP_LINK (`linux/netlink.h`, `linux/rtnetlink.h`, `linux/if_link.h`, `linux/if_bonding.h`):
 * for the event parser's tests, and for driving the watch daemon end to end without a bonding
 * module (the CI kernel has none). Only the attributes arpkit reads are written; a real message
 * carries some forty more (MTU, queues, statistics…), which readers skip. Nested lists go out
 * without NLA_F_NESTED, as the kernel sends them.
 *
 * What an active-backup failover sends, in order (`bond_change_active_slave`,
 * `drivers/net/bonding/bond_main.c`; each its own datagram): the old slave's RTM_NEWLINK with
 * IFLA_BOND_SLAVE_STATE backup, the new slave's with state active (both from
 * NETDEV_CHANGELOWERSTATE, no IFLA_EVENT), then the bond's with IFLA_EVENT_BONDING_FAILOVER and
 * the new IFLA_BOND_ACTIVE_SLAVE, and, when the bond is up with carrier and `num_grat_arp` > 0,
 * one with IFLA_EVENT_NOTIFY_PEERS (kernel versions differ on which of the two comes first). A
 * VLAN on the bond repeats both events for itself. The slave that lost its link also sends its
 * own carrier change, before or after, as link watch runs. Read from the kernel source, not
 * recorded: the machines these tests run on have no bonding module.
 */
import type { AttributeRepr } from '../host/netlink-attributes.js';
import {
  Iff,
  Ifla,
  IflaBond,
  IflaBondSlave,
  IflaEvent,
  IflaInfo,
  RtmType,
} from '../host/rtnetlink-abi.js';
import type { Mac } from '../wire/mac.js';
import {
  EVENT_HEADER,
  macBytes,
  nestedNoFlag,
  newLink,
  str,
  u8,
  u32,
} from './rtnetlink-messages.js';

/** `ifi_flags` of a link that is up with carrier: UP|BROADCAST|RUNNING|MULTICAST|LOWER_UP. */
const LIVE = Iff.UP | Iff.BROADCAST | Iff.RUNNING | Iff.MULTICAST | Iff.LOWER_UP;

/** `BOND_MODE_ACTIVEBACKUP` (`linux/if_bonding.h`). */
export const BOND_MODE_ACTIVE_BACKUP = 1;

/** `BOND_STATE_*` (`linux/if_bonding.h`), the slave's role in IFLA_BOND_SLAVE_STATE. */
const BondState = Object.freeze({ active: 0, backup: 1 });

/** `BOND_LINK_UP` / `BOND_LINK_DOWN`: IFLA_BOND_SLAVE_MII_STATUS. */
const BondLink = Object.freeze({ up: 0, down: 2 });

/** A bond as its RTM_NEWLINK describes it. */
export interface BondFields {
  readonly index: number;
  readonly name: string;
  readonly mac: Mac;
  /** IFLA_BOND_ACTIVE_SLAVE; left out (no active slave) when undefined. */
  readonly activeSlave: number | undefined;
  /** IFLA_BOND_MODE; active-backup unless said. */
  readonly mode?: number;
  /** `ifi_flags`; up, running, master, with carrier unless said. */
  readonly flags?: number;
  /** IFLA_MASTER: the bridge the bond is a port of, if any. */
  readonly master?: number;
}

/** A bond's slave as its RTM_NEWLINK describes it. */
export interface BondSlaveFields {
  readonly index: number;
  readonly name: string;
  /** The MAC it has now: in active-backup without fail_over_mac, the bond's. */
  readonly mac: Mac;
  /** The bond's index (IFLA_MASTER). */
  readonly master: number;
  readonly state: 'active' | 'backup';
  /** IFF_LOWER_UP and IFF_RUNNING, and the MII status; true unless said. */
  readonly carrier?: boolean;
  /** IFLA_BOND_SLAVE_PERM_HWADDR; `mac` unless said. */
  readonly permanentMac?: Mac;
}

/**
 * An RTM_NEWLINK (or with `type`, RTM_DELLINK) event of a bond: IFLA_IFNAME, IFLA_ADDRESS,
 * IFLA_MASTER when it is a bridge port, IFLA_LINKINFO (kind `bond`, IFLA_INFO_DATA with IFLA_BOND_MODE and IFLA_BOND_ACTIVE_SLAVE),
 * then IFLA_EVENT when `event` is given (an `IflaEvent` value other than NONE).
 */
export function bondMessage(
  fields: BondFields,
  options: { readonly event?: number; readonly type?: number } = {},
): Uint8Array {
  const data: AttributeRepr[] = [
    { type: IflaBond.MODE, value: u8(fields.mode ?? BOND_MODE_ACTIVE_BACKUP) },
  ];
  if (fields.activeSlave !== undefined) {
    data.push({ type: IflaBond.ACTIVE_SLAVE, value: u32(fields.activeSlave) });
  }
  const attributes: AttributeRepr[] = [
    { type: Ifla.IFNAME, value: str(fields.name) },
    { type: Ifla.ADDRESS, value: macBytes(fields.mac) },
    ...(fields.master === undefined ? [] : [{ type: Ifla.MASTER, value: u32(fields.master) }]),
    nestedNoFlag(Ifla.LINKINFO, [
      { type: IflaInfo.KIND, value: str('bond') },
      nestedNoFlag(IflaInfo.DATA, data),
    ]),
  ];
  if (options.event !== undefined) attributes.push({ type: Ifla.EVENT, value: u32(options.event) });
  return newLink({ index: fields.index, flags: fields.flags ?? LIVE | Iff.MASTER }, attributes, {
    ...EVENT_HEADER,
    type: options.type ?? RtmType.NEWLINK,
  });
}

/** The bond's RTM_NEWLINK with IFLA_EVENT_BONDING_FAILOVER: it has made `activeSlave` active. */
export function bondFailoverMessage(fields: BondFields): Uint8Array {
  return bondMessage(fields, { event: IflaEvent.BONDING_FAILOVER });
}

/** The bond's RTM_NEWLINK with IFLA_EVENT_NOTIFY_PEERS: it asks for gratuitous ARP / NA. */
export function bondNotifyPeersMessage(fields: BondFields): Uint8Array {
  return bondMessage(fields, { event: IflaEvent.NOTIFY_PEERS });
}

/**
 * The bond's RTM_NEWLINK with a new IFLA_BOND_ACTIVE_SLAVE and no IFLA_EVENT, as when the
 * message that says why was lost or another change (carrier, MAC) comes first: a reader must
 * notice the change by the value, not only by the event.
 */
export function activeSlaveChangeMessage(fields: BondFields): Uint8Array {
  return bondMessage(fields);
}

/**
 * A slave's RTM_NEWLINK (NETDEV_CHANGELOWERSTATE, no IFLA_EVENT): IFLA_IFNAME, IFLA_ADDRESS,
 * IFLA_MASTER, IFLA_LINKINFO with IFLA_INFO_SLAVE_KIND `bond` and IFLA_INFO_SLAVE_DATA
 * (IFLA_BOND_SLAVE_STATE, IFLA_BOND_SLAVE_MII_STATUS, IFLA_BOND_SLAVE_PERM_HWADDR). A physical
 * NIC has no IFLA_INFO_KIND of its own, so it reads as kind `physical`.
 */
export function bondSlaveMessage(fields: BondSlaveFields): Uint8Array {
  const carrier = fields.carrier ?? true;
  const flags = Iff.UP | Iff.BROADCAST | Iff.SLAVE | Iff.MULTICAST;
  return newLink(
    { index: fields.index, flags: carrier ? flags | Iff.RUNNING | Iff.LOWER_UP : flags },
    [
      { type: Ifla.IFNAME, value: str(fields.name) },
      { type: Ifla.ADDRESS, value: macBytes(fields.mac) },
      { type: Ifla.MASTER, value: u32(fields.master) },
      nestedNoFlag(Ifla.LINKINFO, [
        { type: IflaInfo.SLAVE_KIND, value: str('bond') },
        nestedNoFlag(IflaInfo.SLAVE_DATA, [
          { type: IflaBondSlave.STATE, value: u8(BondState[fields.state]) },
          { type: IflaBondSlave.MII_STATUS, value: u8(carrier ? BondLink.up : BondLink.down) },
          { type: IflaBondSlave.PERM_HWADDR, value: macBytes(fields.permanentMac ?? fields.mac) },
        ]),
      ]),
    ],
    EVENT_HEADER,
  );
}

/** The slaves of a failover: the one that was active (its link lost) and the one taking over. */
export interface FailoverFields {
  readonly bond: Omit<BondFields, 'activeSlave'>;
  readonly from: { readonly index: number; readonly name: string; readonly permanentMac?: Mac };
  readonly to: { readonly index: number; readonly name: string; readonly permanentMac?: Mac };
  /** Whether the bond also asks to notify peers (`num_grat_arp` > 0, the default 1); true unless said. */
  readonly notifyPeers?: boolean;
}

/**
 * The datagrams an active-backup failover from `from` to `to` sends, one message each, in the
 * order of `bond_change_active_slave`: old slave backup (carrier lost), new slave active, bond
 * failover, and the bond's notify-peers.
 */
export function failoverDatagrams(fields: FailoverFields): Uint8Array[] {
  const { bond, from, to } = fields;
  const slave = (end: FailoverFields['from'], state: 'active' | 'backup', carrier: boolean) =>
    bondSlaveMessage({
      index: end.index,
      name: end.name,
      mac: bond.mac,
      master: bond.index,
      state,
      carrier,
      ...(end.permanentMac === undefined ? {} : { permanentMac: end.permanentMac }),
    });
  const after: BondFields = { ...bond, activeSlave: to.index };
  const datagrams = [slave(from, 'backup', false), slave(to, 'active', true)];
  datagrams.push(bondFailoverMessage(after));
  if (fields.notifyPeers ?? true) datagrams.push(bondNotifyPeersMessage(after));
  return datagrams;
}

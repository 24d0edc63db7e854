/**
 * What this machine has, read from the kernel over rtnetlink: four dumps on one NETLINK_ROUTE
 * socket (links; bridges' and ports' VLANs; addresses; bridge FDBs), merged into one immutable
 * `HostSnapshot`. The dumps are taken one after another, not atomically: a link added between
 * two of them may show up in one and not the other, as with `ip link` then `bridge fdb`.
 *
 * Failure policy: a failed system call or dump is an OsError naming the dump. A reply message
 * that breaks netlink framing or carries an attribute too short for its type is a WireError and
 * fails the whole snapshot rather than being skipped: a kernel dump is trusted, so such a message
 * means this code misreads the ABI, and a snapshot silently missing a link or an FDB entry would
 * plan wrong announcements. Message types and families a parser does not read are passed over.
 */
import { NetlinkSocket } from '../link/sys/netlink-socket.js';
import { parseAddressDump } from './address-message.js';
import { parseBridgeVlanDump } from './bridge-vlans.js';
import { parseFdbDump } from './fdb-message.js';
import { parseLinkDump } from './link-message.js';
import {
  addressDumpRequest,
  bridgeVlanDumpRequest,
  fdbDumpRequest,
  linkDumpRequest,
} from './netlink-message.js';
import { type HostLink, HostSnapshot, type PortVlan } from './snapshot.js';

/** The raw reply datagrams of the four dumps a snapshot is made of, as the kernel sent them. */
export interface HostDumps {
  /** RTM_GETLINK, family AF_UNSPEC. */
  readonly links: readonly Uint8Array[];
  /** RTM_GETLINK, family AF_BRIDGE, IFLA_EXT_MASK = RTEXT_FILTER_BRVLAN. */
  readonly bridgeVlans: readonly Uint8Array[];
  /** RTM_GETADDR, family AF_UNSPEC. */
  readonly addresses: readonly Uint8Array[];
  /** RTM_GETNEIGH, family AF_BRIDGE. */
  readonly fdb: readonly Uint8Array[];
}

/** Runs the four dumps, one after another, on one rtnetlink socket of this process's namespace. */
export function readHostDumps(): HostDumps {
  const socket = NetlinkSocket.open();
  try {
    return {
      links: socket.dump(linkDumpRequest(), 'links (RTM_GETLINK)'),
      bridgeVlans: socket.dump(bridgeVlanDumpRequest(), 'bridge VLANs (RTM_GETLINK AF_BRIDGE)'),
      addresses: socket.dump(addressDumpRequest(), 'addresses (RTM_GETADDR)'),
      fdb: socket.dump(fdbDumpRequest(), 'bridge FDB (RTM_GETNEIGH AF_BRIDGE)'),
    };
  } finally {
    socket.close();
  }
}

/**
 * The snapshot the dumps describe. Port VLANs go to a VLAN-filtering bridge and its ports only
 * (the kernel keeps a default VLAN 1 on every port of a bridge that does not filter, which
 * means nothing there); a bridge's own entries are the VLANs the host itself is in. Links and
 * addresses are frozen; FDB entries, thousands of them, are readonly by type only.
 */
export function snapshotFromDumps(dumps: HostDumps): HostSnapshot {
  const links = parseLinkDump(dumps.links);
  const vlans = parseBridgeVlanDump(dumps.bridgeVlans);
  const filtering = new Set(
    links.filter((link) => link.kind === 'bridge' && link.vlanFiltering).map((link) => link.index),
  );
  return new HostSnapshot({
    links: links.map((link) => withPortVlans(link, vlans, filtering)),
    addresses: parseAddressDump(dumps.addresses).map((address) => Object.freeze(address)),
    fdb: parseFdbDump(dumps.fdb),
  });
}

/** `link` frozen, with its port VLANs when its bridge filters by VLAN. */
function withPortVlans(
  link: HostLink,
  vlans: ReadonlyMap<number, PortVlan[]>,
  filtering: ReadonlySet<number>,
): HostLink {
  const filtered =
    filtering.has(link.index) || (link.master !== undefined && filtering.has(link.master));
  const own = filtered ? (vlans.get(link.index) ?? []) : [];
  return Object.freeze({
    ...link,
    bond: link.bond === undefined ? undefined : Object.freeze(link.bond),
    portVlans: Object.freeze(own.map((vlan) => Object.freeze(vlan))),
  });
}

/** What this machine (this process's network namespace) has now: links, addresses, bridge FDBs. */
export function readHostSnapshot(): HostSnapshot {
  return snapshotFromDumps(readHostDumps());
}

/**
 * What this machine has, as the kernel reported it in one moment: links, addresses and the
 * bridges' forwarding databases. A snapshot never changes once made, so everything planned from
 * it is a pure function of (snapshot, options) and tests can build one by hand or from recorded
 * rtnetlink dumps.
 */
import type { Ipv4 } from '../wire/ipv4.js';
import type { Ipv6 } from '../wire/ipv6.js';
import type { Mac } from '../wire/mac.js';

/** Bonding modes by their number (`linux/if_bonding.h`), named as `/proc/net/bonding` names them. */
export const BOND_MODES = [
  'balance-rr',
  'active-backup',
  'balance-xor',
  'broadcast',
  '802.3ad',
  'balance-tlb',
  'balance-alb',
] as const;

/** A bond's mode and, in active-backup, the slave that currently carries its traffic. */
export interface BondInfo {
  /** The name from `BOND_MODES`, or `mode N` for a number this table does not know. */
  readonly mode: string;
  /** The active slave's index (`IFLA_BOND_ACTIVE_SLAVE`), when the bond has one. */
  readonly activeSlave: number | undefined;
}

/** A VLAN a bridge port carries (`IFLA_BRIDGE_VLAN_INFO` of a VLAN-filtering bridge). */
export interface PortVlan {
  readonly vid: number;
  /** Frames of this VLAN leave the port without a tag. */
  readonly untagged: boolean;
  /** Untagged frames arriving on the port belong to this VLAN. */
  readonly pvid: boolean;
}

/** One network interface (`RTM_NEWLINK`). */
export interface HostLink {
  readonly index: number;
  readonly name: string;
  /** The 6-byte hardware address, or undefined for a link without one (tun, ip6tnl…). */
  readonly mac: Mac | undefined;
  /** `ARPHRD_*` (1 Ethernet, 772 loopback). */
  readonly hardwareType: number;
  /** IFF_UP: administratively up. */
  readonly up: boolean;
  /** IFF_LOWER_UP: the carrier is present. */
  readonly carrier: boolean;
  /** IFF_NOARP: the link does not use ARP. */
  readonly noarp: boolean;
  /** IFF_LOOPBACK. */
  readonly loopback: boolean;
  /**
   * `IFLA_INFO_KIND` as the kernel names it (`bridge`, `bond`, `veth`, `tun`, `vlan`,
   * `macvlan`, `dummy`, …); `loopback` for lo; `physical` when the link has none, which is a
   * real NIC or a driver without rtnetlink link ops (ppp, some wireless).
   */
  readonly kind: string;
  /** For `tun`: whether it is a tap (Ethernet frames) rather than a tun (IP packets). */
  readonly tap: boolean;
  /** The bridge or bond this link is enslaved to (`IFLA_MASTER`). */
  readonly master: number | undefined;
  /**
   * The link this one is stacked on (`IFLA_LINK` of a vlan, macvlan, macvtap, ipvlan or ipvtap),
   * when it is another link of this namespace. Other kinds get none: a veth's `IFLA_LINK` is its
   * peer, possibly in another namespace (`IFLA_LINK_NETNSID`), which is not a parent.
   */
  readonly parent: number | undefined;
  /** The 802.1Q VLAN id of a `vlan` link. */
  readonly vlanId: number | undefined;
  /** Mode and active slave of a `bond` link. */
  readonly bond: BondInfo | undefined;
  /** For a `bridge`: whether it filters by VLAN (`IFLA_BR_VLAN_FILTERING`). */
  readonly vlanFiltering: boolean;
  /**
   * For a VLAN-filtering bridge and its ports: the VLANs each carries (a bridge's own are those
   * the host itself is in); empty otherwise, also where the kernel keeps its default VLAN 1 on
   * the ports of a bridge that does not filter.
   */
  readonly portVlans: readonly PortVlan[];
}

/** `RT_SCOPE_*` (`linux/rtnetlink.h`): how far an address is valid. */
export const AddressScope = Object.freeze({
  GLOBAL: 0,
  SITE: 200,
  LINK: 253,
  HOST: 254,
  NOWHERE: 255,
});

/** What every address has, whatever its family (`RTM_NEWADDR`). */
interface AddressCommon {
  /** The link it is configured on. */
  readonly index: number;
  readonly prefixLength: number;
  /** One of `AddressScope`. */
  readonly scope: number;
  /** IPv6 duplicate address detection has not finished: the address must not be announced. */
  readonly tentative: boolean;
  /** IPv6 preferred lifetime over: valid, but not chosen for new connections. */
  readonly deprecated: boolean;
  /** IPv4 secondary address (another in the same subnet came first). */
  readonly secondary: boolean;
}

/** An IPv4 address of a link (`IFA_LOCAL`). */
export interface HostIpv4Address extends AddressCommon {
  readonly family: 'ipv4';
  readonly ip: Ipv4;
}

/** An IPv6 address of a link (`IFA_ADDRESS`). */
export interface HostIpv6Address extends AddressCommon {
  readonly family: 'ipv6';
  readonly ip: Ipv6;
}

/** An address configured on this host. */
export type HostAddress = HostIpv4Address | HostIpv6Address;

/**
 * How a bridge holds a MAC: `local` for its own and its ports' addresses (permanent, frames to
 * it go up to this host), `static` for an entry added by hand (or by a hypervisor), `learned`
 * for one it saw as the source of a frame on the port.
 */
export type FdbState = 'local' | 'static' | 'learned';

/** One entry of a Linux bridge's forwarding database (`RTM_NEWNEIGH`, family AF_BRIDGE). */
export interface FdbEntry {
  readonly mac: Mac;
  /** The bridge's index (`NDA_MASTER`). */
  readonly bridge: number;
  /** The port the MAC is on (`ndm_ifindex`); the bridge's own index for its own address. */
  readonly port: number;
  /** The VLAN of the entry on a VLAN-filtering bridge (`NDA_VLAN`). */
  readonly vlan: number | undefined;
  readonly state: FdbState;
}

/** The parts a snapshot is made of, as read from the kernel or written by a test. */
export interface HostState {
  readonly links: readonly HostLink[];
  readonly addresses: readonly HostAddress[];
  readonly fdb: readonly FdbEntry[];
}

/** An immutable view of this host, with lookups by index and name. */
export class HostSnapshot implements HostState {
  readonly links: readonly HostLink[];
  readonly addresses: readonly HostAddress[];
  readonly fdb: readonly FdbEntry[];
  readonly #byIndex: ReadonlyMap<number, HostLink>;
  readonly #byName: ReadonlyMap<string, HostLink>;

  constructor(state: HostState) {
    this.links = Object.freeze([...state.links].sort((a, b) => a.index - b.index));
    this.addresses = Object.freeze([...state.addresses]);
    this.fdb = Object.freeze([...state.fdb]);
    this.#byIndex = new Map(this.links.map((link) => [link.index, link]));
    this.#byName = new Map(this.links.map((link) => [link.name, link]));
    Object.freeze(this);
  }

  /** The link with index `index`, if there is one. */
  link(index: number): HostLink | undefined {
    return this.#byIndex.get(index);
  }

  /** The link named `name`, if there is one. */
  linkNamed(name: string): HostLink | undefined {
    return this.#byName.get(name);
  }

  /** The addresses configured on link `index`, in the kernel's order. */
  addressesOf(index: number): HostAddress[] {
    return this.addresses.filter((address) => address.index === index);
  }

  /** The links enslaved to `master` (a bridge's ports, a bond's slaves). */
  slavesOf(master: number): HostLink[] {
    return this.links.filter((link) => link.master === master);
  }

  /** The forwarding database of bridge `bridge`. */
  fdbOf(bridge: number): FdbEntry[] {
    return this.fdb.filter((entry) => entry.bridge === bridge);
  }
}

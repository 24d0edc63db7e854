/**
 * The rtnetlink messages arpkit reads (rtnetlink(7)): message types, the multicast groups that
 * carry them as events, the fixed header each family puts after the `nlmsghdr` (as frozen offset
 * tables), and the attribute numbers and flag bits of links, addresses and bridge forwarding
 * entries, as `linux/rtnetlink.h`, `linux/if_link.h`, `linux/if_bridge.h`, `linux/if_addr.h`,
 * `linux/neighbour.h`, `linux/if_tun.h`, `linux/if.h` and `bits/socket.h` define them. Every
 * value and layout was checked against those headers with a C program printing `sizeof`,
 * `offsetof` and each constant. Fields are in host byte order.
 */

/** rtnetlink message types (`RTM_*`, `linux/rtnetlink.h`). */
export const RtmType = Object.freeze({
  NEWLINK: 16,
  /** A link is gone; the message still describes it in full (name, MAC, master, kind). */
  DELLINK: 17,
  GETLINK: 18,
  NEWADDR: 20,
  DELADDR: 21,
  GETADDR: 22,
  NEWNEIGH: 28,
  DELNEIGH: 29,
  GETNEIGH: 30,
});

/**
 * rtnetlink multicast groups (`RTNLGRP_*`, `linux/rtnetlink.h`): a socket joins one with
 * `setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group)` and from then on receives every
 * change of that kind in its network namespace as an unsolicited message (nlmsg_pid 0, seq 0).
 */
export const RtnlGroup = Object.freeze({
  /** RTM_NEWLINK / RTM_DELLINK: links appear, change (flags, MAC, master…) and go. */
  LINK: 1,
  /** RTM_NEWNEIGH / RTM_DELNEIGH: neighbour tables, and the bridges' FDBs (family AF_BRIDGE). */
  NEIGH: 3,
  /** RTM_NEWADDR / RTM_DELADDR of IPv4 addresses. */
  IPV4_IFADDR: 5,
  /** RTM_NEWADDR / RTM_DELADDR of IPv6 addresses (also when DAD ends: the tentative flag goes). */
  IPV6_IFADDR: 9,
});

/** The address families a family header names (`AF_*`, `bits/socket.h`). */
export const Family = Object.freeze({
  UNSPEC: 0,
  INET: 2,
  /** `AF_BRIDGE` (= `PF_BRIDGE`): bridge port VLANs and forwarding entries. */
  BRIDGE: 7,
  INET6: 10,
});

/** `struct ifinfomsg` (`linux/rtnetlink.h`): the header of RTM_*LINK messages. */
export const Ifinfomsg = Object.freeze({
  /** `ifi_family` (u8). */
  FAMILY: 0,
  /** `ifi_type` (u16): ARPHRD_*. */
  TYPE: 2,
  /** `ifi_index` (s32). */
  INDEX: 4,
  /** `ifi_flags` (u32): IFF_*. */
  FLAGS: 8,
  /** `ifi_change` (u32). */
  CHANGE: 12,
  SIZE: 16,
});

/** `struct ifaddrmsg` (`linux/if_addr.h`): the header of RTM_*ADDR messages, all u8 but the index. */
export const Ifaddrmsg = Object.freeze({
  FAMILY: 0,
  PREFIXLEN: 1,
  /** `ifa_flags` (u8): the low 8 bits of IFA_F_*; IFA_FLAGS, when present, has them all. */
  FLAGS: 2,
  SCOPE: 3,
  /** `ifa_index` (u32). */
  INDEX: 4,
  SIZE: 8,
});

/** `struct ndmsg` (`linux/neighbour.h`): the header of RTM_*NEIGH messages. */
export const Ndmsg = Object.freeze({
  /** `ndm_family` (u8). */
  FAMILY: 0,
  /** `ndm_ifindex` (s32): for a bridge FDB entry, the port. */
  IFINDEX: 4,
  /** `ndm_state` (u16): NUD_*. */
  STATE: 8,
  /** `ndm_flags` (u8): NTF_*. */
  FLAGS: 10,
  /** `ndm_type` (u8). */
  TYPE: 11,
  SIZE: 12,
});

/** `struct bridge_vlan_info` (`linux/if_bridge.h`): the payload of IFLA_BRIDGE_VLAN_INFO. */
export const BridgeVlanInfo = Object.freeze({
  /** `flags` (u16): BRIDGE_VLAN_INFO_*. */
  FLAGS: 0,
  /** `vid` (u16). */
  VID: 2,
  SIZE: 4,
});

/** `IFLA_EXT_MASK` bits (`RTEXT_FILTER_*`, `linux/rtnetlink.h`). */
export const RtextFilter = Object.freeze({
  /** Bridge dumps carry each port's VLANs in IFLA_AF_SPEC, one IFLA_BRIDGE_VLAN_INFO per VID. */
  BRVLAN: 1 << 1,
  /** The same, runs of VIDs with equal flags as RANGE_BEGIN / RANGE_END pairs. */
  BRVLAN_COMPRESSED: 1 << 2,
});

/** `ifi_flags` bits (`IFF_*`, `linux/if.h`). */
export const Iff = Object.freeze({
  UP: 1 << 0,
  BROADCAST: 1 << 1,
  LOOPBACK: 1 << 3,
  /** The driver is ready (`netif_running`, with carrier: operationally up). */
  RUNNING: 1 << 6,
  NOARP: 1 << 7,
  /** A bond (also a team or eql). */
  MASTER: 1 << 10,
  /** A bond's slave. */
  SLAVE: 1 << 11,
  MULTICAST: 1 << 12,
  /** The driver reports a carrier (RFC 2863 lower layer up). */
  LOWER_UP: 1 << 16,
});

/** `RTM_NEWLINK` attributes (`IFLA_*`, `linux/if_link.h`). */
export const Ifla = Object.freeze({
  ADDRESS: 1,
  IFNAME: 3,
  MTU: 4,
  /** u32: the link this one is stacked on, or for a veth its peer. */
  LINK: 5,
  /** u32: the bridge or bond this link is enslaved to. */
  MASTER: 10,
  /** Nested: IFLA_INFO_*. */
  LINKINFO: 18,
  /** Nested per address family: for AF_BRIDGE dumps, IFLA_BRIDGE_*. */
  AF_SPEC: 26,
  /** u32 in a request: RTEXT_FILTER_* bits. */
  EXT_MASK: 29,
  /** s32: IFLA_LINK is an index in the namespace with this id, not in ours. */
  LINK_NETNSID: 37,
  /** u32, in event messages only: why the kernel sent it (IFLA_EVENT_*); absent for NONE. */
  EVENT: 44,
});

/**
 * `IFLA_EVENT` values (`linux/if_link.h`), each from the netdevice notifier that made the kernel
 * send the RTM_NEWLINK (`rtnl_get_event` in `net/core/rtnetlink.c`).
 */
export const IflaEvent = Object.freeze({
  NONE: 0,
  /** NETDEV_REBOOT. */
  REBOOT: 1,
  /** NETDEV_FEAT_CHANGE: the offload features changed. */
  FEATURES: 2,
  /** NETDEV_BONDING_FAILOVER: a bond (or a VLAN on one) changed its active slave. */
  BONDING_FAILOVER: 3,
  /** NETDEV_NOTIFY_PEERS: the link asks for gratuitous ARP / unsolicited NA (bond, VM migration). */
  NOTIFY_PEERS: 4,
  /** NETDEV_RESEND_IGMP: multicast joins are to be sent again. */
  IGMP_RESEND: 5,
  /** NETDEV_CHANGEINFODATA: a bond's options changed. */
  BONDING_OPTIONS: 6,
});

/** Attributes nested in IFLA_LINKINFO (`IFLA_INFO_*`). */
export const IflaInfo = Object.freeze({
  /** NUL-terminated string: `bridge`, `bond`, `veth`, `vlan`, `tun`… */
  KIND: 1,
  /** Nested: attributes of the kind (IFLA_VLAN_*, IFLA_BOND_*, IFLA_BR_*, IFLA_TUN_*). */
  DATA: 2,
  SLAVE_KIND: 4,
  SLAVE_DATA: 5,
});

/** Attributes in IFLA_INFO_DATA of a `vlan` (`IFLA_VLAN_*`). */
export const IflaVlan = Object.freeze({
  /** u16. */
  ID: 1,
  /** be16: the TPID (0x8100 or 0x88a8). */
  PROTOCOL: 5,
});

/** Attributes in IFLA_INFO_DATA of a `bond` (`IFLA_BOND_*`). */
export const IflaBond = Object.freeze({
  /** u8: BOND_MODE_* (`linux/if_bonding.h`). */
  MODE: 1,
  /** u32: the active slave's index. */
  ACTIVE_SLAVE: 2,
});

/** Attributes in IFLA_INFO_SLAVE_DATA of a bond's slave (`IFLA_BOND_SLAVE_*`). */
export const IflaBondSlave = Object.freeze({
  /** u8: BOND_STATE_ACTIVE (0) or BOND_STATE_BACKUP (1). */
  STATE: 1,
  /** u8: BOND_LINK_UP (0), FAIL, DOWN, BACK. */
  MII_STATUS: 2,
  /** 6 bytes: the slave's own MAC, before the bond gave it another. */
  PERM_HWADDR: 4,
});

/** Attributes in IFLA_INFO_DATA of a `bridge` (`IFLA_BR_*`). */
export const IflaBr = Object.freeze({
  /** u8: 1 when the bridge filters by VLAN (absent on kernels built without the option). */
  VLAN_FILTERING: 7,
});

/** Attributes in IFLA_INFO_DATA of a `tun` (`IFLA_TUN_*`). */
export const IflaTun = Object.freeze({
  /** u8: IFF_TUN or IFF_TAP (`linux/if_tun.h`). */
  TYPE: 3,
});

/** `IFLA_TUN_TYPE` values (`linux/if_tun.h`). */
export const TunType = Object.freeze({
  TUN: 0x0001,
  TAP: 0x0002,
});

/** Attributes nested in IFLA_AF_SPEC of an AF_BRIDGE link message (`IFLA_BRIDGE_*`, `linux/if_bridge.h`). */
export const IflaBridge = Object.freeze({
  FLAGS: 0,
  MODE: 1,
  /** `struct bridge_vlan_info`. */
  VLAN_INFO: 2,
});

/** `bridge_vlan_info.flags` bits (`BRIDGE_VLAN_INFO_*`). */
export const BridgeVlanFlag = Object.freeze({
  MASTER: 1 << 0,
  PVID: 1 << 1,
  UNTAGGED: 1 << 2,
  RANGE_BEGIN: 1 << 3,
  RANGE_END: 1 << 4,
  /** The bridge device's own membership ("global" entry). */
  BRENTRY: 1 << 5,
});

/** `RTM_NEWADDR` attributes (`IFA_*`, `linux/if_addr.h`). */
export const Ifa = Object.freeze({
  /** The prefix address; on a point-to-point link the peer. */
  ADDRESS: 1,
  /** The local address, where it differs from IFA_ADDRESS (always sent for IPv4). */
  LOCAL: 2,
  LABEL: 3,
  /** u32: every IFA_F_* bit (ifa_flags holds only the low 8). */
  FLAGS: 8,
});

/** Address flags (`IFA_F_*`, `linux/if_addr.h`). */
export const IfaFlag = Object.freeze({
  SECONDARY: 0x01,
  NODAD: 0x02,
  DADFAILED: 0x08,
  DEPRECATED: 0x20,
  TENTATIVE: 0x40,
  PERMANENT: 0x80,
});

/** `RTM_NEWNEIGH` attributes (`NDA_*`, `linux/neighbour.h`). */
export const Nda = Object.freeze({
  /** The MAC of a bridge FDB entry. */
  LLADDR: 2,
  CACHEINFO: 3,
  /** u16: the entry's VLAN on a VLAN-filtering bridge. */
  VLAN: 5,
  /** u32: the bridge that holds the entry; absent on a device's own (NTF_SELF) entries. */
  MASTER: 9,
});

/** `ndm_flags` bits (`NTF_*`, `linux/neighbour.h`). */
export const Ntf = Object.freeze({
  SELF: 1 << 1,
  MASTER: 1 << 2,
  EXT_LEARNED: 1 << 4,
});

/** `ndm_state` bits (`NUD_*`, `linux/neighbour.h`) as a bridge reports its FDB entries. */
export const Nud = Object.freeze({
  /** A learned entry seen recently. */
  REACHABLE: 0x02,
  /** A learned entry past its ageing time, about to go. */
  STALE: 0x04,
  /** A static entry (`bridge fdb add … static`). */
  NOARP: 0x40,
  /** A local entry: the bridge's or a port's own address. */
  PERMANENT: 0x80,
});

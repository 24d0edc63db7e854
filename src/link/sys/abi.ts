/**
 * The kernel ABI packet and netlink sockets use on x86_64 Linux: constants as the kernel and
 * glibc headers define them (`linux/if_packet.h`, `linux/if_ether.h`, `linux/filter.h`,
 * `linux/netlink.h`, `asm-generic/socket.h`, `bits/socket.h`, `linux/sockios.h`, `net/if.h`,
 * `sys/eventfd.h`, `poll.h`), and the C structures passed to the kernel, declared once with koffi
 * so that sizes, alignment and padding come from the declaration. Every value and layout here was
 * checked against those headers with a C program printing each one (`sockaddr_ll` 20 bytes,
 * `sockaddr_nl` 12, `msghdr` 56, `mmsghdr` 64, `ifreq` 40, `CMSG_SPACE(auxdata)` 40, `pollfd` 8).
 * Cold paths (bind, setsockopt) let koffi marshal objects; hot paths (`sendmmsg`, `recvmmsg`)
 * write native memory through the frozen offset table `layout`, read off these declarations
 * rather than typed in by hand.
 */
import koffi from 'koffi';

/** Address and protocol families, socket types and `socket(2)` flags (`bits/socket.h`). */
export const Socket = Object.freeze({
  AF_INET: 2,
  AF_NETLINK: 16,
  AF_PACKET: 17,
  SOCK_DGRAM: 2,
  SOCK_RAW: 3,
  SOCK_CLOEXEC: 0o2_000_000,
});

/** Netlink protocols (`linux/netlink.h`): the third argument of `socket(AF_NETLINK, …)`. */
export const NetlinkProtocol = Object.freeze({
  /** rtnetlink: links, addresses, neighbours and bridge FDBs (rtnetlink(7)). */
  ROUTE: 0,
});

/** Ethernet protocol numbers a packet socket binds to (`linux/if_ether.h`), host order. */
export const EthProtocol = Object.freeze({
  /** Every protocol, outgoing frames of other sockets included. */
  ALL: 0x0003,
});

/** Socket option levels. */
export const Level = Object.freeze({
  SOL_SOCKET: 1,
  SOL_PACKET: 263,
  /** Netlink's own options (`NetlinkOption`). */
  SOL_NETLINK: 270,
});

/** `SOL_PACKET` options (`linux/if_packet.h`). */
export const PacketOption = Object.freeze({
  ADD_MEMBERSHIP: 1,
  STATISTICS: 6,
  AUXDATA: 8,
});

/** `SOL_NETLINK` options (`linux/netlink.h`). */
export const NetlinkOption = Object.freeze({
  /** Joins the multicast group whose number is the option's int value. */
  ADD_MEMBERSHIP: 1,
});

/** `SOL_SOCKET` options (`asm-generic/socket.h`; SO_RCVTIMEO is the 64-bit `timeval` one). */
export const SocketOption = Object.freeze({
  SO_RCVBUF: 8,
  SO_RCVTIMEO: 20,
  SO_ATTACH_FILTER: 26,
  /** SO_RCVBUF past `net.core.rmem_max`; needs CAP_NET_ADMIN. */
  SO_RCVBUFFORCE: 33,
  /**
   * The kernel's receive time of each frame as a `timespec` control message (SCM_TIMESTAMPNS,
   * the same number; the 64-bit `_OLD` value, whose `timespec` has 64-bit fields).
   */
  SO_TIMESTAMPNS: 35,
});

/** `packet_mreq.mr_type` values. */
export const MembershipType = Object.freeze({
  PROMISC: 1,
});

/** `tpacket_auxdata.tp_status` bits that say which VLAN fields the kernel filled in. */
export const TpStatus = Object.freeze({
  VLAN_VALID: 1 << 4,
  VLAN_TPID_VALID: 1 << 6,
});

/** `recvfrom(2)` / `recvmmsg(2)` / `recvmsg(2)` flags (`bits/socket.h`). */
export const MsgFlag = Object.freeze({
  /** Return the datagram's real length even when it did not fit the buffer (`MSG_TRUNC`). */
  TRUNC: 0x20,
  /** Do not wait: EAGAIN when nothing is queued (`MSG_DONTWAIT`). */
  DONTWAIT: 0x40,
  /** Block for the first message only, then take what is already queued. */
  WAITFORONE: 0x1_0000,
});

/** `eventfd(2)` flags (`sys/eventfd.h`; the same bits as O_CLOEXEC and O_NONBLOCK). */
export const EventfdFlag = Object.freeze({
  CLOEXEC: 0x80000,
  NONBLOCK: 0x800,
});

/** `pollfd.events` bits (`poll.h`). */
export const PollEvent = Object.freeze({
  /** There is data to read. */
  IN: 0x1,
});

/** Interface ioctls (`linux/sockios.h`). */
export const Ioctl = Object.freeze({
  SIOCGIFFLAGS: 0x8913,
  SIOCGIFMTU: 0x8921,
  SIOCGIFHWADDR: 0x8927,
});

/** Interface flags as `SIOCGIFFLAGS` reports them (`net/if.h`, the low 16 bits). */
export const IfFlag = Object.freeze({
  UP: 0x1,
  LOOPBACK: 0x8,
  RUNNING: 0x40,
  PROMISC: 0x100,
});

/** Hardware types from `linux/if_arp.h` that the link accepts. */
export const Arphrd = Object.freeze({
  ETHER: 1,
  LOOPBACK: 772,
});

/** The most messages one `sendmmsg(2)` takes (`UIO_MAXIOV`); the kernel caps `vlen` there. */
export const UIO_MAXIOV = 1024;

/** Bytes in an interface name, the terminating NUL included (`IFNAMSIZ`). */
export const IFNAMSIZ = 16;

/** `struct sockaddr_ll` (`linux/if_packet.h`): a link-level address; the protocol is big-endian. */
export const SockaddrLl = koffi.struct('sockaddr_ll', {
  sll_family: 'uint16_t',
  sll_protocol: 'uint16_be_t',
  sll_ifindex: 'int',
  sll_hatype: 'uint16_t',
  sll_pkttype: 'uint8_t',
  sll_halen: 'uint8_t',
  sll_addr: koffi.array('uint8_t', 8),
});

/** `struct sockaddr_nl` (`linux/netlink.h`): a netlink address; port id 0 is the kernel. */
export const SockaddrNl = koffi.struct('sockaddr_nl', {
  nl_family: 'uint16_t',
  nl_pad: 'uint16_t',
  nl_pid: 'uint32_t',
  nl_groups: 'uint32_t',
});

/** `struct packet_mreq`: a membership (here: promiscuous mode) held while the socket is open. */
export const PacketMreq = koffi.struct('packet_mreq', {
  mr_ifindex: 'int',
  mr_type: 'uint16_t',
  mr_alen: 'uint16_t',
  mr_address: koffi.array('uint8_t', 8),
});

/** `struct tpacket_stats`: what `PACKET_STATISTICS` returns (and resets). */
export const TpacketStats = koffi.struct('tpacket_stats', {
  tp_packets: 'uint32_t',
  tp_drops: 'uint32_t',
});

/** `struct sock_filter` (`linux/filter.h`): one classic BPF instruction. */
const SockFilter = koffi.struct('sock_filter', {
  code: 'uint16_t',
  jt: 'uint8_t',
  jf: 'uint8_t',
  k: 'uint32_t',
});

/** One classic BPF instruction as a plain value: the fields of `struct sock_filter`. */
export interface SockFilterInstruction {
  readonly code: number;
  readonly jt: number;
  readonly jf: number;
  readonly k: number;
}

/** `struct sock_fprog`: a classic BPF program for `SO_ATTACH_FILTER`. */
export const SockFprog = koffi.struct('sock_fprog', {
  len: 'uint16_t',
  filter: koffi.pointer(SockFilter),
});

/** `struct timeval` with 64-bit fields, as `SO_RCVTIMEO` takes it. */
export const Timeval = koffi.struct('timeval', {
  tv_sec: 'int64_t',
  tv_usec: 'int64_t',
});

/** `struct if_nameindex` (`net/if.h`): one entry of the array `if_nameindex()` returns. */
export const IfNameindex = koffi.struct('if_nameindex', {
  if_index: 'unsigned int',
  if_name: 'char *',
});

const Pollfd = koffi.struct('pollfd', {
  fd: 'int',
  events: 'short',
  revents: 'short',
});

const Iovec = koffi.struct('iovec', {
  iov_base: 'void *',
  iov_len: 'size_t',
});

const Msghdr = koffi.struct('msghdr', {
  msg_name: 'void *',
  msg_namelen: 'uint32_t',
  msg_iov: 'void *',
  msg_iovlen: 'size_t',
  msg_control: 'void *',
  msg_controllen: 'size_t',
  msg_flags: 'int',
});

const Mmsghdr = koffi.struct('mmsghdr', {
  msg_hdr: Msghdr,
  msg_len: 'unsigned int',
});

const Cmsghdr = koffi.struct('cmsghdr', {
  cmsg_len: 'size_t',
  cmsg_level: 'int',
  cmsg_type: 'int',
});

const Timespec = koffi.struct('timespec', {
  tv_sec: 'int64_t',
  tv_nsec: 'int64_t',
});

const TpacketAuxdata = koffi.struct('tpacket_auxdata', {
  tp_status: 'uint32_t',
  tp_len: 'uint32_t',
  tp_snaplen: 'uint32_t',
  tp_mac: 'uint16_t',
  tp_net: 'uint16_t',
  tp_vlan_tci: 'uint16_t',
  tp_vlan_tpid: 'uint16_t',
});

const Sockaddr = koffi.struct('sockaddr', {
  sa_family: 'uint16_t',
  sa_data: koffi.array('uint8_t', 14),
});

const IfreqUnion = koffi.union('ifreq_ifru', {
  ifru_hwaddr: Sockaddr,
  ifru_flags: 'short',
  ifru_mtu: 'int',
  ifru_map: koffi.array('uint8_t', 24),
});

const Ifreq = koffi.struct('ifreq', {
  ifr_name: koffi.array('uint8_t', IFNAMSIZ),
  ifr_ifru: IfreqUnion,
});

/** `CMSG_ALIGN`: control messages start on `size_t` boundaries. */
export function cmsgAlign(length: number): number {
  const unit = koffi.sizeof('size_t');
  return Math.ceil(length / unit) * unit;
}

const msg = (field: string) => koffi.offsetof(Msghdr, field);

/** Sizes and byte offsets of the structures written by hand in native memory. */
export const layout = Object.freeze({
  iovec: Object.freeze({
    size: koffi.sizeof(Iovec),
    base: koffi.offsetof(Iovec, 'iov_base'),
    len: koffi.offsetof(Iovec, 'iov_len'),
  }),
  /** An `mmsghdr`: the `msghdr` fields at their offsets inside it, then the byte count. */
  mmsghdr: Object.freeze({
    size: koffi.sizeof(Mmsghdr),
    name: msg('msg_name'),
    namelen: msg('msg_namelen'),
    iov: msg('msg_iov'),
    iovlen: msg('msg_iovlen'),
    control: msg('msg_control'),
    controllen: msg('msg_controllen'),
    flags: msg('msg_flags'),
    len: koffi.offsetof(Mmsghdr, 'msg_len'),
  }),
  cmsghdr: Object.freeze({
    len: koffi.offsetof(Cmsghdr, 'cmsg_len'),
    level: koffi.offsetof(Cmsghdr, 'cmsg_level'),
    type: koffi.offsetof(Cmsghdr, 'cmsg_type'),
    /** `CMSG_DATA`: the payload follows the aligned header. */
    data: cmsgAlign(koffi.sizeof(Cmsghdr)),
  }),
  /**
   * `CMSG_SPACE(sizeof(struct tpacket_auxdata)) + CMSG_SPACE(sizeof(struct timespec))`: room for
   * the two control messages a received frame comes with (VLAN tag, receive time).
   */
  controlSpace:
    cmsgAlign(koffi.sizeof(Cmsghdr)) +
    cmsgAlign(koffi.sizeof(TpacketAuxdata)) +
    cmsgAlign(koffi.sizeof(Cmsghdr)) +
    cmsgAlign(koffi.sizeof(Timespec)),
  /** Byte offsets in a `timespec` (64-bit fields). */
  timespec: Object.freeze({
    sec: koffi.offsetof(Timespec, 'tv_sec'),
    nsec: koffi.offsetof(Timespec, 'tv_nsec'),
  }),
  auxdata: Object.freeze({
    status: koffi.offsetof(TpacketAuxdata, 'tp_status'),
    vlanTci: koffi.offsetof(TpacketAuxdata, 'tp_vlan_tci'),
    vlanTpid: koffi.offsetof(TpacketAuxdata, 'tp_vlan_tpid'),
  }),
  /** A `sockaddr_nl` as `recvmmsg` fills it in: who sent the datagram. */
  sockaddrNl: Object.freeze({
    size: koffi.sizeof(SockaddrNl),
    pid: koffi.offsetof(SockaddrNl, 'nl_pid'),
  }),
  /** One entry of the array `poll(2)` takes: a descriptor and the events to wait for. */
  pollfd: Object.freeze({
    size: koffi.sizeof(Pollfd),
    fd: koffi.offsetof(Pollfd, 'fd'),
    events: koffi.offsetof(Pollfd, 'events'),
  }),
  sockaddrLl: Object.freeze({
    size: koffi.sizeof(SockaddrLl),
    pkttype: koffi.offsetof(SockaddrLl, 'sll_pkttype'),
  }),
  ifreq: Object.freeze({
    size: koffi.sizeof(Ifreq),
    name: koffi.offsetof(Ifreq, 'ifr_name'),
    /** The union: `ifr_hwaddr.sa_family`, `ifr_flags` and `ifr_mtu` all start here. */
    union: koffi.offsetof(Ifreq, 'ifr_ifru'),
    /** `ifr_hwaddr.sa_data`, where the MAC is. */
    hwaddrData: koffi.offsetof(Ifreq, 'ifr_ifru') + koffi.offsetof(Sockaddr, 'sa_data'),
  }),
});

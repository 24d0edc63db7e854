/**
 * An AF_PACKET socket and the interface calls around it (packet(7), netdevice(7)), one thin
 * method per system call. Every failure throws an OsError naming the call and the interface;
 * rewording it for a person is the caller's job, which knows what was being attempted.
 */
import koffi from 'koffi';
import {
  EthProtocol,
  IFNAMSIZ,
  Ioctl,
  Level,
  layout,
  MembershipType,
  PacketMreq,
  PacketOption,
  type SockFilterInstruction,
  SockFprog,
  Socket,
  SocketOption,
  TpacketStats,
} from './abi.js';
import { lastOsError, libc, readNameindex } from './libc.js';
import { Errno, OsError } from './os-error.js';
import type { SendBatch } from './msg-batch.js';
import { setIntOption, setOption, setReceiveBuffer, setReceiveTimeout } from './socket-options.js';

/** An interface's hardware type (`ARPHRD_*`) and address as `SIOCGIFHWADDR` reports them. */
export interface HardwareAddress {
  readonly type: number;
  /** The first 6 bytes of `sa_data`: the MAC of an Ethernet interface. */
  readonly bytes: Uint8Array;
}

/** Counters from `PACKET_STATISTICS` since the previous read (the kernel resets them). */
export interface PacketCounts {
  readonly packets: number;
  readonly drops: number;
}

/** An open packet socket; `subject` (the interface name) goes into every error. */
export class PacketSocket {
  private constructor(
    readonly fd: number,
    readonly subject: string,
  ) {}

  /**
   * Creates the raw socket: the one place arpkit needs CAP_NET_RAW. arpkit raises no privilege
   * of its own; it runs with what it is given (root, file capabilities on node, or systemd's
   * `AmbientCapabilities`), and this is the only call that uses it. Protocol 0 receives nothing
   * until `bind`, so a filter attached before then sees the first frame.
   */
  static open(subject: string): PacketSocket {
    const fd = libc.socket(Socket.AF_PACKET, Socket.SOCK_RAW | Socket.SOCK_CLOEXEC, 0);
    if (fd < 0) throw lastOsError('socket', subject);
    return new PacketSocket(fd, subject);
  }

  /** Attaches a classic BPF program (`SO_ATTACH_FILTER`): frames it rejects never reach us. */
  attachFilter(program: readonly SockFilterInstruction[]): void {
    const fprog = koffi.as({ len: program.length, filter: program }, koffi.pointer(SockFprog));
    setOption(
      this.fd,
      Level.SOL_SOCKET,
      SocketOption.SO_ATTACH_FILTER,
      fprog,
      koffi.sizeof(SockFprog),
      this.subject,
    );
  }

  /** Asks for a `tpacket_auxdata` control message with every frame (VLAN tag the kernel took off). */
  enableAuxdata(): void {
    setIntOption(this.fd, Level.SOL_PACKET, PacketOption.AUXDATA, 1, this.subject);
  }

  /** Asks for each frame's kernel receive time as a control message (`SO_TIMESTAMPNS`). */
  enableTimestamps(): void {
    setIntOption(this.fd, Level.SOL_SOCKET, SocketOption.SO_TIMESTAMPNS, 1, this.subject);
  }

  /** Makes a blocking receive give up after `ms` with EAGAIN (`SO_RCVTIMEO`). */
  setReceiveTimeout(ms: number): void {
    setReceiveTimeout(this.fd, ms, this.subject);
  }

  /** Sets the receive buffer size in bytes: past `rmem_max` where allowed (see `setReceiveBuffer`). */
  setReceiveBuffer(bytes: number): void {
    setReceiveBuffer(this.fd, bytes, this.subject);
  }

  /** Binds to one interface for every protocol: any ethertype goes out, the filter decides what comes in. */
  bind(ifindex: number): void {
    const address = {
      sll_family: Socket.AF_PACKET,
      sll_protocol: EthProtocol.ALL,
      sll_ifindex: ifindex,
      sll_hatype: 0,
      sll_pkttype: 0,
      sll_halen: 0,
      sll_addr: [0, 0, 0, 0, 0, 0, 0, 0],
    };
    if (libc.bind(this.fd, address, layout.sockaddrLl.size) < 0) {
      throw lastOsError('bind', this.subject);
    }
  }

  /** Puts the interface in promiscuous mode for as long as this socket is open. */
  addPromiscuous(ifindex: number): void {
    const mreq = {
      mr_ifindex: ifindex,
      mr_type: MembershipType.PROMISC,
      mr_alen: 0,
      mr_address: [0, 0, 0, 0, 0, 0, 0, 0],
    };
    setOption(
      this.fd,
      Level.SOL_PACKET,
      PacketOption.ADD_MEMBERSHIP,
      koffi.as(mreq, koffi.pointer(PacketMreq)),
      koffi.sizeof(PacketMreq),
      this.subject,
    );
  }

  /** Reads (and so resets) the kernel's counters of frames accepted and dropped. */
  statistics(): PacketCounts {
    const stats: { tp_packets?: number; tp_drops?: number } = {};
    const length = [koffi.sizeof(TpacketStats)];
    if (libc.getStatistics(this.fd, Level.SOL_PACKET, PacketOption.STATISTICS, stats, length) < 0) {
      throw lastOsError('getsockopt', this.subject);
    }
    return { packets: stats.tp_packets ?? 0, drops: stats.tp_drops ?? 0 };
  }

  /** `SIOCGIFHWADDR`: the hardware type and address of interface `name`. */
  hardwareAddress(name: string): HardwareAddress {
    return hardwareAddressOf(this.fd, name);
  }

  /** `SIOCGIFFLAGS`: the `IFF_*` flags of interface `name` (the low 16 bits). */
  flags(name: string): number {
    const ifreq = this.#ioctl(name, Ioctl.SIOCGIFFLAGS, 'SIOCGIFFLAGS');
    return new DataView(ifreq.buffer, ifreq.byteOffset).getUint16(layout.ifreq.union, true);
  }

  /** `SIOCGIFMTU`: the MTU of interface `name`. */
  mtu(name: string): number {
    const ifreq = this.#ioctl(name, Ioctl.SIOCGIFMTU, 'SIOCGIFMTU');
    return new DataView(ifreq.buffer, ifreq.byteOffset).getInt32(layout.ifreq.union, true);
  }

  /** Sends one frame on the bound interface (`sendto` without an address). */
  send(frame: Uint8Array): void {
    if (libc.sendto(this.fd, frame, frame.length, 0, null, 0) < 0) {
      throw lastOsError('sendto', this.subject);
    }
  }

  /** Sends `frames[from…]`, as many as `batch` holds, with one `sendmmsg`; returns how many went. */
  sendBatch(batch: SendBatch, frames: readonly Uint8Array[], from: number): number {
    const sent = batch.send(this.fd, frames, from);
    if (sent < 0) throw lastOsError('sendmmsg', this.subject);
    return sent;
  }

  /** Closes the descriptor; the kernel drops the memberships and the filter with it. */
  close(): void {
    if (libc.close(this.fd) < 0) throw lastOsError('close', this.subject);
  }

  #ioctl(name: string, request: number, what: string): Uint8Array {
    return ifreqIoctl(this.fd, name, request, what);
  }
}

/** An `ifreq` ioctl on `fd` for interface `name`; returns the filled-in `ifreq`. */
function ifreqIoctl(fd: number, name: string, request: number, what: string): Uint8Array {
  const ifreq = new Uint8Array(layout.ifreq.size);
  ifreq.set(interfaceNameBytes(name), layout.ifreq.name);
  if (libc.ioctl(fd, request, 'void *', ifreq) < 0) throw lastOsError(what, name);
  return ifreq;
}

function hardwareAddressOf(fd: number, name: string): HardwareAddress {
  const ifreq = ifreqIoctl(fd, name, Ioctl.SIOCGIFHWADDR, 'SIOCGIFHWADDR');
  const at = layout.ifreq.hwaddrData;
  const type = new DataView(ifreq.buffer, ifreq.byteOffset).getUint16(layout.ifreq.union, true);
  return { type, bytes: ifreq.slice(at, at + 6) };
}

/**
 * `SIOCGIFHWADDR` on a datagram socket made for the question: needs no privilege, and answers for
 * the network namespace this process is in (sysfs may show another one's).
 */
export function interfaceHardwareAddress(name: string): HardwareAddress {
  const fd = libc.socket(Socket.AF_INET, Socket.SOCK_DGRAM | Socket.SOCK_CLOEXEC, 0);
  if (fd < 0) throw lastOsError('socket', name);
  try {
    return hardwareAddressOf(fd, name);
  } finally {
    libc.close(fd);
  }
}

/** The index of interface `name` (`if_nametoindex`); throws ENODEV when there is none. */
export function interfaceIndex(name: string): number {
  const index = name.length < IFNAMSIZ ? libc.ifNametoindex(name) : 0;
  if (index === 0)
    throw new OsError({ errno: Errno.ENODEV, syscall: 'if_nametoindex', subject: name });
  return index;
}

/** The name of interface `index` (`if_indextoname`); throws ENXIO when there is none. */
export function interfaceName(index: number): string {
  const name = new Uint8Array(IFNAMSIZ);
  if (libc.ifIndextoname(index, name) === null) {
    throw lastOsError('if_indextoname', `interface ${index}`);
  }
  const end = name.indexOf(0);
  return new TextDecoder().decode(name.subarray(0, end < 0 ? IFNAMSIZ : end));
}

/** Every interface of this network namespace, by index (`if_nameindex`). */
export function listInterfaces(): { index: number; name: string }[] {
  const list = libc.ifNameindex();
  if (list === null) throw lastOsError('if_nameindex', 'interfaces');
  try {
    return readNameindex(list).sort((a, b) => a.index - b.index);
  } finally {
    libc.ifFreenameindex(list);
  }
}

function interfaceNameBytes(name: string): Uint8Array {
  const bytes = new TextEncoder().encode(name);
  if (bytes.length >= IFNAMSIZ)
    throw new OsError({ errno: Errno.ENODEV, syscall: 'ioctl', subject: name });
  return bytes;
}

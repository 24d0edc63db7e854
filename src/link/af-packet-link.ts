/**
 * The Link over a Linux raw socket (packet(7), `AF_PACKET`/`SOCK_RAW`): whole Ethernet frames
 * out with `sendto` / `sendmmsg`, and in through a classic BPF filter with `recvmmsg` issued as
 * a koffi async call, so that waiting for frames never blocks the event loop. Every libc call is
 * in `sys/`; this file decides what to call and how to word what went wrong.
 *
 * Receiving holds one libuv thread-pool thread while a `recvmmsg` waits (at most
 * `RECEIVE_WAIT_MS`, after which it returns EAGAIN and is issued again; UV_THREADPOOL_SIZE is 4
 * by default); closing waits for the call in flight to return, so `close()` resolves within that
 * wait plus a turn of the loop. Frames that one call returned share one clock reading.
 */
import { type Clock, epochParts, systemClock } from '../time/clock.js';
import { type Mac, readMac } from '../wire/mac.js';
import { ARP_ND_FILTER } from './bpf.js';
import type { FrameHandler, Link, ReceivedFrame } from './link.js';
import { Arphrd, IfFlag, UIO_MAXIOV } from './sys/abi.js';
import { Errno, errnoCode, errnoText, OsError } from './sys/os-error.js';
import { ReceiveBatch, SendBatch } from './sys/msg-batch.js';
import {
  interfaceIndex,
  interfaceHardwareAddress,
  interfaceName,
  listInterfaces,
  PacketSocket,
} from './sys/packet-socket.js';

/** Which frames the kernel hands up: ARP, RARP and ND only (the default), or every frame. */
export type LinkFilter = 'arp-nd' | 'all';

/** How to open an AfPacketLink. */
export interface AfPacketOptions {
  /** Receive frames for other hosts' unicast MACs too (`PACKET_MR_PROMISC`) while open. */
  readonly promiscuous?: boolean;
  /** Default `arp-nd`. */
  readonly filter?: LinkFilter;
  /** Where receive timestamps come from (STYLE: time is a parameter); default the system clock. */
  readonly clock?: Pick<Clock, 'now'>;
  /**
   * Socket receive buffer: what a burst can queue while the event loop is busy (a 60-byte frame
   * takes about 1 KiB of it). Default 4 MiB; past `rmem_max` only with CAP_NET_ADMIN.
   */
  readonly receiveBufferBytes?: number;
  /** Told about a failed receive (the loop goes on); default: a process warning. */
  readonly onReceiveError?: (error: OsError) => void;
}

/** The `IFF_*` flags arpkit cares about, read when asked. */
export interface InterfaceFlags {
  readonly up: boolean;
  readonly running: boolean;
  readonly loopback: boolean;
  /**
   * Promiscuous by the administrator's `ip link set promisc on`. The kernel reports no socket's
   * `PACKET_MR_PROMISC` membership here (`dev_get_flags`): see `ip -d link`'s "promiscuity".
   */
  readonly promiscuous: boolean;
}

/** Kernel counters since the link opened: frames the filter accepted, and those dropped for lack of room. */
export interface LinkStats {
  readonly packets: number;
  readonly drops: number;
}

/** How long one `recvmmsg` waits for a first frame before it is issued again (bounds `close()`). */
export const RECEIVE_WAIT_MS = 50;
/** Socket receive buffer asked for by default: a storm of ARP waits here while the loop is busy. */
const RECEIVE_BUFFER_BYTES = 4 << 20;
/** Native memory one receive batch may take, and the most frames one `recvmmsg` returns. */
const RECEIVE_BATCH_BYTES = 1 << 20;
const RECEIVE_BATCH_MAX = 256;
/** Room beyond the MTU: the Ethernet header and two tags the kernel left in the frame. */
const FRAME_OVERHEAD = 14 + 8;
/** Pause after a failed receive before the next one, so a persistent error cannot spin. */
const RECEIVE_RETRY_MS = 100;
/** Native bytes a send batch starts with for frame data (it grows for bigger batches). */
const SEND_BATCH_BYTES = 128 << 10;

/** A raw socket bound to one Ethernet interface (needs CAP_NET_RAW; see `PacketSocket.open`). */
export class AfPacketLink implements Link {
  readonly name: string;
  /** The interface index the socket is bound to. */
  readonly index: number;
  readonly #socket: PacketSocket;
  readonly #frameSize: number;
  readonly #clock: Pick<Clock, 'now'>;
  readonly #onReceiveError: (error: OsError) => void;
  #handler: FrameHandler | undefined;
  #receiving = false;
  #rx: ReceiveBatch | undefined;
  #tx: SendBatch | undefined;
  #inFlight = false;
  #closing: Promise<void> | undefined;
  #settled: (() => void) | undefined;
  #retry: NodeJS.Timeout | undefined;
  #packets = 0;
  #drops = 0;

  private constructor(
    name: string,
    index: number,
    socket: PacketSocket,
    mtu: number,
    options: AfPacketOptions,
  ) {
    this.name = name;
    this.index = index;
    this.#socket = socket;
    this.#frameSize = mtu + FRAME_OVERHEAD;
    this.#clock = options.clock ?? systemClock;
    this.#onReceiveError = options.onReceiveError ?? ((error) => process.emitWarning(error));
  }

  /**
   * Opens a raw socket on interface `ifname` (or index), attaches the filter, asks for VLAN
   * auxdata and binds. Throws an OsError worded for a person: no privilege (and how to grant it),
   * no such interface (and which there are), not an Ethernet interface.
   */
  static open(iface: string | number, options: AfPacketOptions = {}): AfPacketLink {
    const { name, index } = resolveInterface(iface);
    let socket: PacketSocket;
    try {
      socket = PacketSocket.open(name);
    } catch (error) {
      throw privilegeError(error, name);
    }
    try {
      const { type } = socket.hardwareAddress(name);
      if (type !== Arphrd.ETHER && type !== Arphrd.LOOPBACK) {
        throw new Error(`${name} is not an Ethernet interface (hardware type ${type})`);
      }
      const mtu = socket.mtu(name);
      if ((options.filter ?? 'arp-nd') === 'arp-nd') socket.attachFilter(ARP_ND_FILTER);
      socket.enableAuxdata();
      socket.enableTimestamps();
      socket.setReceiveTimeout(RECEIVE_WAIT_MS);
      socket.setReceiveBuffer(options.receiveBufferBytes ?? RECEIVE_BUFFER_BYTES);
      socket.bind(index);
      if (options.promiscuous === true) socket.addPromiscuous(index);
      return new AfPacketLink(name, index, socket, mtu, options);
    } catch (error) {
      socket.close();
      throw error;
    }
  }

  /** The interface's MAC now (`SIOCGIFHWADDR`): it changes when a bond fails over. */
  mac(): Mac {
    return readMac(this.#socket.hardwareAddress(this.name).bytes, 0);
  }

  /** The interface's flags now (`SIOCGIFFLAGS`). */
  flags(): InterfaceFlags {
    const flags = this.#socket.flags(this.name);
    return {
      up: (flags & IfFlag.UP) !== 0,
      running: (flags & IfFlag.RUNNING) !== 0,
      loopback: (flags & IfFlag.LOOPBACK) !== 0,
      promiscuous: (flags & IfFlag.PROMISC) !== 0,
    };
  }

  /** Sends one frame with `sendto`; a down interface throws "interface X is down (ENETDOWN)". */
  send(frame: Uint8Array): void {
    this.#checkOpen();
    try {
      this.#socket.send(frame);
    } catch (error) {
      throw sendError(error, this.name);
    }
  }

  /**
   * Sends in `sendmmsg` calls of up to 1024 frames. Returns how many the kernel took: all of
   * them, or fewer when a call failed after some had gone out (sending the rest again reports
   * why); throws when not even the first could go.
   */
  sendBatch(frames: readonly Uint8Array[]): number {
    this.#checkOpen();
    this.#tx ??= new SendBatch(UIO_MAXIOV, SEND_BATCH_BYTES);
    let sent = 0;
    while (sent < frames.length) {
      let went: number;
      try {
        went = this.#socket.sendBatch(this.#tx, frames, sent);
      } catch (error) {
        if (sent > 0) return sent;
        throw sendError(error, this.name);
      }
      if (went === 0) break;
      sent += went;
    }
    return sent;
  }

  /** Starts (or re-targets) delivery; each frame's bytes are a view reused by the next receive. */
  receive(handler: FrameHandler): void {
    this.#checkOpen();
    this.#handler = handler;
    if (this.#receiving) return;
    this.#receiving = true;
    const count = Math.max(
      1,
      Math.min(RECEIVE_BATCH_MAX, Math.floor(RECEIVE_BATCH_BYTES / this.#frameSize)),
    );
    this.#rx = new ReceiveBatch(count, this.#frameSize);
    this.#pump();
  }

  /** Kernel counters (`PACKET_STATISTICS`), added up since the link opened. */
  stats(): LinkStats {
    this.#checkOpen();
    const counts = this.#socket.statistics();
    this.#packets += counts.packets;
    this.#drops += counts.drops;
    return { packets: this.#packets, drops: this.#drops };
  }

  /** Stops receiving and closes the socket once the `recvmmsg` in flight returns; idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#release();
    return this.#closing;
  }

  async #release(): Promise<void> {
    clearTimeout(this.#retry);
    if (this.#inFlight) await new Promise<void>((resolve) => (this.#settled = resolve));
    this.#socket.close();
  }

  #checkOpen(): void {
    if (this.#closing !== undefined) throw new Error(`${this.name}: the link is closed`);
  }

  /** Issues the next `recvmmsg`; its callback delivers what came and issues the next. */
  #pump(): void {
    const rx = this.#rx!;
    this.#inFlight = true;
    rx.receiveAsync(this.#socket.fd, (received, errno) => {
      this.#inFlight = false;
      if (this.#closing !== undefined) return this.#settled?.();
      if (received < 0) return this.#failed(errno);
      try {
        this.#deliver(rx, received);
      } finally {
        if (this.#closing === undefined) this.#pump();
        else this.#settled?.();
      }
    });
  }

  #deliver(rx: ReceiveBatch, received: number): void {
    // Each frame carries the kernel's receive time; the clock stands in only when it is missing.
    const delivered = this.#clock.now();
    for (let i = 0; i < received && this.#closing === undefined; i++) {
      const kernelMs = rx.receivedMs(i);
      const { sec, nsec } = epochParts(kernelMs < 0 ? delivered : kernelMs);
      const frame: ReceivedFrame = {
        bytes: rx.frameShared(i),
        sec,
        nsec,
        packetType: rx.packetType(i),
      };
      this.#handler!(frame);
    }
  }

  /** EAGAIN is the wait running out: go again. Anything else is reported, then retried after a pause. */
  #failed(errno: number): void {
    if (errno === Errno.EAGAIN || errno === Errno.EINTR) return this.#pump();
    const message = `${this.name}: receive failed: ${errnoText(errno)} (${errnoCode(errno)})`;
    this.#onReceiveError(new OsError({ errno, syscall: 'recvmmsg', subject: this.name, message }));
    this.#retry = setTimeout(() => this.#pump(), RECEIVE_RETRY_MS);
  }
}

/** Name and index of `iface`, or an OsError listing the interfaces there are. */
/**
 * The MAC of interface `iface` without opening a raw socket (no privilege needed), as this
 * process's network namespace sees it; an unknown name is reworded like `open` does.
 */
export function interfaceMac(iface: string): Mac {
  const { name } = resolveInterface(iface);
  return readMac(interfaceHardwareAddress(name).bytes, 0);
}

function resolveInterface(iface: string | number): { name: string; index: number } {
  try {
    return typeof iface === 'number'
      ? { name: interfaceName(iface), index: iface }
      : { name: iface, index: interfaceIndex(iface) };
  } catch (error) {
    if (!(error instanceof OsError)) throw error;
    const known = listInterfaces();
    const what = typeof iface === 'number' ? `with index ${iface}` : `"${iface}"`;
    const here = known.map((entry) =>
      typeof iface === 'number' ? `${entry.index} ${entry.name}` : entry.name,
    );
    throw reworded(error, `no interface ${what}; interfaces here: ${here.join(', ') || 'none'}`);
  }
}

/** The socket could not be made: EPERM / EACCES mean no CAP_NET_RAW, and the message says how to grant it. */
function privilegeError(error: unknown, name: string): never {
  if (error instanceof OsError && (error.errno === Errno.EPERM || error.errno === Errno.EACCES)) {
    throw reworded(
      error,
      `${name}: raw sockets need CAP_NET_RAW: run as root, or grant it to node with ` +
        '`sudo setcap cap_net_raw,cap_net_admin+ep "$(readlink -f "$(which node)")"`, ' +
        'or give the systemd unit `AmbientCapabilities=CAP_NET_RAW`',
    );
  }
  throw error;
}

/** A failed send, worded: a down interface says so, anything else names the errno. */
function sendError(error: unknown, name: string): unknown {
  if (!(error instanceof OsError)) return error;
  const why =
    error.errno === Errno.ENETDOWN
      ? `interface ${name} is down`
      : error.errno === Errno.ENXIO || error.errno === Errno.ENODEV
        ? `interface ${name} is gone`
        : errnoText(error.errno);
  return reworded(error, `${name}: send failed: ${why} (${error.code})`);
}

/** The same failure with a message for a person. */
function reworded(error: OsError, message: string): OsError {
  return new OsError({
    errno: error.errno,
    syscall: error.syscall,
    subject: error.subject,
    message,
  });
}

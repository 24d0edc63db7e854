/**
 * A NETLINK_ROUTE socket that listens (netlink(7), rtnetlink(7)): it joins rtnetlink multicast
 * groups (`RTNLGRP_*`, numbers the caller gives: their table is in `host/rtnetlink-abi.ts`, above
 * this layer) and hands up the datagrams the kernel sends on every change of a link, address or
 * neighbour in this process's network namespace. What the messages say is for `host/events.ts`.
 *
 * Receiving: a `poll` on the socket and an eventfd waits as a koffi async call on a libuv
 * thread-pool thread, with no timeout: an idle socket costs nothing, and `close()` writes to the
 * eventfd to end the wait at once. When a datagram comes, the event loop takes it and every
 * other one already queued with non-blocking receives (MSG_DONTWAIT) into one `ReceiveSlot`, up
 * to `BATCH_MAX`, and hands them up as one batch of copies. Datagrams not sent by the kernel
 * (port id ≠ 0) are dropped.
 *
 * Losses. The kernel queues events up to the receive buffer and drops what does not fit; the next
 * receive then fails once with ENOBUFS, which is `overrun()`, and receiving goes on. Everything
 * still queued at that moment is older than what was lost, so state read again must be read
 * after the batch that follows. A datagram longer than the receive slot (MSG_TRUNC) is lost too:
 * it is reported to `error()` with EMSGSIZE, then as an overrun, and the slot grows for the next.
 */
import {
  EventfdFlag,
  Level,
  layout,
  MsgFlag,
  NetlinkOption,
  PollEvent,
  Socket,
  SocketOption,
} from './abi.js';
import { addressOf, lastErrno, lastOsError, libc } from './libc.js';
import { NETLINK_RECEIVE_BYTES, ReceiveSlot } from './netlink-receive-slot.js';
import { Errno, errnoCode, errnoText, OsError } from './os-error.js';
import { openRouteSocket, setReceiveBuffer } from './socket-options.js';

/** Receive buffer asked for by default: thousands of link events (~1.5 KiB each, more in kernel memory). */
export const EVENT_BUFFER_BYTES = 4 << 20;
/** The most datagrams one batch holds; a longer queue goes on in the next batch at once. */
export const BATCH_MAX = 1024;
/** Pause after a failed receive before the next one, so a persistent error cannot spin. */
const RETRY_MS = 200;
/** Every receive takes what is queued without waiting, and learns a datagram's real length. */
const RECEIVE_FLAGS = MsgFlag.DONTWAIT | MsgFlag.TRUNC;
/** What `close()` adds to the eventfd's counter (a native 64-bit 1) to end the wait. */
const WAKE = new Uint8Array(new BigUint64Array([1n]).buffer);

/** How to open a NetlinkEventSocket. */
export interface NetlinkEventOptions {
  /** Receive buffer to ask for, in bytes (the kernel doubles it); default `EVENT_BUFFER_BYTES`. */
  readonly receiveBufferBytes?: number;
  /** What errors name; default `rtnetlink events`. */
  readonly subject?: string;
  /**
   * Bytes the receive slot starts with (default `NETLINK_RECEIVE_BYTES`, 64 KiB, above any
   * event the kernel sends); it grows when a datagram does not fit. Small values are for tests.
   */
  readonly datagramBytes?: number;
}

/** What a started socket calls, always on the event loop, never two at once. */
export interface NetlinkEventHandlers {
  /** Datagrams from the kernel in arrival order, copies the handler may keep. */
  datagrams(batch: readonly Uint8Array[]): void;
  /** Events were lost since the previous batch: what they described must be read again. */
  overrun(): void;
  /** A receive failed (it is tried again after a pause), or a datagram was too long (EMSGSIZE). */
  error(error: OsError): void;
}

/** Counters since the socket opened. */
export interface NetlinkEventStats {
  /** Datagrams handed up. */
  readonly datagrams: number;
  /** ENOBUFS returns, and datagrams lost to truncation. */
  readonly overruns: number;
  /** Datagrams longer than the receive slot. */
  readonly truncated: number;
  /** Datagrams from a port other than the kernel, dropped. */
  readonly foreign: number;
}

/** A NETLINK_ROUTE socket subscribed to rtnetlink multicast groups. */
export class NetlinkEventSocket {
  #slot: ReceiveSlot;
  #handlers: NetlinkEventHandlers | undefined;
  #inFlight = false;
  #closing: Promise<void> | undefined;
  #settled: (() => void) | undefined;
  #retry: NodeJS.Timeout | undefined;
  #datagrams = 0;
  #overruns = 0;
  #truncated = 0;
  #foreign = 0;
  /** An eventfd `close()` writes to; polled with the socket. */
  readonly #wake: number;
  /** Two `pollfd`s, the socket's and the eventfd's, in memory that never moves. */
  readonly #pollfds: Uint8Array;
  readonly #pollPointer: bigint;

  private constructor(
    readonly fd: number,
    readonly subject: string,
    datagramBytes: number,
  ) {
    this.#slot = new ReceiveSlot(datagramBytes);
    this.#wake = libc.eventfd(0, EventfdFlag.CLOEXEC | EventfdFlag.NONBLOCK);
    if (this.#wake < 0) throw lastOsError('eventfd', subject);
    const { pollfd } = layout;
    this.#pollfds = new Uint8Array(new ArrayBuffer(2 * pollfd.size));
    const view = new DataView(this.#pollfds.buffer);
    [fd, this.#wake].forEach((watched, i) => {
      view.setInt32(i * pollfd.size + pollfd.fd, watched, true);
      view.setInt16(i * pollfd.size + pollfd.events, PollEvent.IN, true);
    });
    this.#pollPointer = addressOf(this.#pollfds);
  }

  /**
   * Opens the socket, binds it (the kernel picks the port id; an unbound socket has port 0, the
   * kernel's, and would be left out of every broadcast), sets the receive buffer, and joins each
   * group of `groups`. Events are queued from here on, and delivered once `start` is called.
   * Needs no privilege (a larger buffer than `rmem_max` needs CAP_NET_ADMIN).
   */
  static open(groups: readonly number[], options: NetlinkEventOptions = {}): NetlinkEventSocket {
    const subject = options.subject ?? 'rtnetlink events';
    return openRouteSocket(subject, (fd) => {
      const address = { nl_family: Socket.AF_NETLINK, nl_pad: 0, nl_pid: 0, nl_groups: 0 };
      if (libc.bindNetlink(fd, address, layout.sockaddrNl.size) < 0) {
        throw lastOsError('bind', subject);
      }
      setReceiveBuffer(fd, options.receiveBufferBytes ?? EVENT_BUFFER_BYTES, subject);
      for (const group of groups) join(fd, group, subject);
      return new NetlinkEventSocket(fd, subject, options.datagramBytes ?? NETLINK_RECEIVE_BYTES);
    });
  }

  /** The port id the kernel gave the socket (`nl_pid` of `getsockname`), as senders see it. */
  get portId(): number {
    this.#checkOpen();
    const address = new Uint8Array(layout.sockaddrNl.size);
    const length = Uint32Array.of(address.length);
    if (libc.getsockname(this.fd, address, length) < 0) {
      throw lastOsError('getsockname', this.subject);
    }
    return new DataView(address.buffer).getUint32(layout.sockaddrNl.pid, true);
  }

  /** The receive buffer the kernel granted, in bytes (`SO_RCVBUF`: twice what was asked, capped). */
  get receiveBufferBytes(): number {
    this.#checkOpen();
    const value = new Int32Array(1);
    const length = Uint32Array.of(4);
    if (libc.getsockopt(this.fd, Level.SOL_SOCKET, SocketOption.SO_RCVBUF, value, length) < 0) {
      throw lastOsError('getsockopt', this.subject);
    }
    return value[0]!;
  }

  /** Counters since the socket opened. */
  stats(): NetlinkEventStats {
    return {
      datagrams: this.#datagrams,
      overruns: this.#overruns,
      truncated: this.#truncated,
      foreign: this.#foreign,
    };
  }

  /**
   * Starts delivering to `handlers` until `close()`; once only. A handler that throws does not
   * stop receiving: the next wait is issued first, then the exception goes on to the process.
   */
  start(handlers: NetlinkEventHandlers): void {
    this.#checkOpen();
    if (this.#handlers !== undefined) throw new Error(`${this.subject}: already started`);
    this.#handlers = handlers;
    this.#wait();
  }

  /** Stops receiving and closes the socket once the wait in flight returns; idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#release();
    return this.#closing;
  }

  async #release(): Promise<void> {
    clearTimeout(this.#retry);
    if (this.#inFlight) {
      const settled = new Promise<void>((resolve) => (this.#settled = resolve));
      libc.write(this.#wake, WAKE, WAKE.length);
      await settled;
    }
    libc.close(this.#wake);
    if (libc.close(this.fd) < 0) throw lastOsError('close', this.subject);
  }

  #checkOpen(): void {
    if (this.#closing !== undefined) throw new Error(`${this.subject}: the socket is closed`);
  }

  /** Issues the next wait; its callback delivers what came and issues the next (or pauses). */
  #wait(): void {
    this.#inFlight = true;
    libc.poll.async(this.#pollPointer, 2, -1, (error: unknown, polled: number) => {
      this.#inFlight = false;
      if (error !== null && error !== undefined) throw error;
      if (this.#closing !== undefined) return this.#settled?.();
      let pause = false;
      try {
        pause = polled < 0 ? this.#failed(lastErrno(), 'poll') : this.#drain();
      } finally {
        if (this.#closing === undefined) {
          if (pause) this.#retry = setTimeout(() => this.#wait(), RETRY_MS);
          else this.#wait();
        }
      }
    });
  }

  /**
   * Hands up every datagram queued, up to `BATCH_MAX`, in batches split by losses; returns
   * whether receiving must pause (a receive failed).
   */
  #drain(): boolean {
    const handlers = this.#handlers!;
    let batch: Uint8Array[] = [];
    const flush = () => {
      if (batch.length === 0 || this.#closing !== undefined) return;
      this.#datagrams += batch.length;
      const full = batch;
      batch = [];
      handlers.datagrams(full);
    };
    for (let taken = 0; taken < BATCH_MAX; taken++) {
      const next = this.#receiveQueued(flush);
      if (next === 'pause') return true;
      if (next === 'empty') break;
      this.#take(batch, flush);
    }
    flush();
    return false;
  }

  /**
   * Receives the next queued datagram into the slot without waiting. An overrun on the way is
   * reported (after what came before it is flushed) and receiving goes on; another failure is
   * reported and pauses receiving, and so does a handler that closed the socket.
   */
  #receiveQueued(flush: () => void): 'received' | 'empty' | 'pause' {
    while (this.#closing === undefined) {
      if (this.#slot.receive(this.fd, RECEIVE_FLAGS) >= 0) return 'received';
      const errno = lastErrno();
      if (errno === Errno.EAGAIN) return 'empty';
      flush();
      if (this.#closing === undefined && this.#failed(errno, 'recvmmsg')) return 'pause';
    }
    return 'pause';
  }

  /** Puts a copy of the slot's datagram in `batch`, unless it is foreign or was truncated. */
  #take(batch: Uint8Array[], flush: () => void): void {
    const slot = this.#slot;
    if (slot.sender !== 0) {
      this.#foreign += 1;
    } else if (slot.truncated) {
      flush();
      this.#lostToTruncation(slot);
    } else {
      batch.push(slot.copy());
    }
  }

  /**
   * What a failed `syscall` means: EAGAIN and EINTR nothing, go on; ENOBUFS an overrun, reported,
   * go on. Anything else is reported, and receiving pauses (returns true).
   */
  #failed(errno: number, syscall: string): boolean {
    if (errno === Errno.EAGAIN || errno === Errno.EINTR) return false;
    if (errno === Errno.ENOBUFS) {
      this.#overruns += 1;
      this.#handlers!.overrun();
      return false;
    }
    const message = `${this.subject}: receive failed: ${errnoText(errno)} (${errnoCode(errno)})`;
    this.#handlers!.error(new OsError({ errno, syscall, subject: this.subject, message }));
    return true;
  }

  /** A datagram that did not fit: reported, counted as an overrun, and the slot grows to fit. */
  #lostToTruncation(slot: ReceiveSlot): void {
    this.#truncated += 1;
    this.#overruns += 1;
    const message =
      `${this.subject}: a ${slot.length}-byte event datagram did not fit ` +
      `${slot.capacity} bytes and was lost`;
    const handlers = this.#handlers!;
    handlers.error(
      new OsError({ errno: Errno.EMSGSIZE, syscall: 'recvmmsg', subject: this.subject, message }),
    );
    this.#slot = new ReceiveSlot(Math.ceil(slot.length / 4096) * 4096);
    if (this.#closing === undefined) handlers.overrun();
  }
}

/** Joins multicast group `group`; the kernel refuses (EINVAL) a group its family does not have. */
function join(fd: number, group: number, subject: string): void {
  const value = Int32Array.of(group);
  if (libc.setsockopt(fd, Level.SOL_NETLINK, NetlinkOption.ADD_MEMBERSHIP, value, 4) === 0) return;
  const errno = lastErrno();
  throw new OsError({
    errno,
    syscall: 'setsockopt',
    subject,
    message: `${subject}: joining rtnetlink group ${group} failed: ${errnoText(errno)} (${errnoCode(errno)})`,
  });
}

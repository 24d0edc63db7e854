/**
 * A NETLINK_ROUTE socket that runs dumps (netlink(7), rtnetlink(7)): one request out, every
 * reply datagram in until NLMSG_DONE. The socket reads only the `nlmsghdr` of each reply (to find
 * the end, an error, a stale sequence number or an interrupted dump); what the messages say is
 * for the pure codecs in `host/`, which sit above this layer and so cannot be imported here.
 *
 * Receives (into a `ReceiveSlot`) block (a dump of thousands of objects takes milliseconds) but
 * give up after `RECEIVE_TIMEOUT_MS`, so a kernel that never ends a dump cannot hang the caller.
 * Datagrams not sent by the kernel (port id ≠ 0) are dropped. Every failure is an OsError naming
 * the dump; a reply header that breaks netlink's own framing is a WireError.
 */
import { WireError } from '../../wire/error.js';
import { Level, MsgFlag, SocketOption } from './abi.js';
import { lastErrno, lastOsError, libc } from './libc.js';
import { NETLINK_RECEIVE_BYTES, ReceiveSlot } from './netlink-receive-slot.js';
import { Errno, OsError } from './os-error.js';
import { openRouteSocket, setIntOption, setReceiveTimeout } from './socket-options.js';
import {
  NLMSG_DONE_ERROR_LEN,
  NlmFlag,
  NlmsgError,
  NlmsgHeader,
  NlmsgType,
  netlinkAlign,
} from './netlink-abi.js';

/** How many times a dump the kernel marks as interrupted (NLM_F_DUMP_INTR) is run again. */
export const DUMP_ATTEMPTS = 5;

/** The socket's receive buffer, asked for with SO_RCVBUF (the kernel caps it at `rmem_max`). */
const SOCKET_BUFFER_BYTES = 1 << 20;

/** The longest one receive waits for the kernel's next datagram. */
const RECEIVE_TIMEOUT_MS = 5_000;

/** What one pass over a reply datagram found. */
export interface ReplyScan {
  /** The datagram answers an earlier request (a stale sequence number): drop it. */
  readonly stale: boolean;
  /** It holds NLMSG_DONE or NLMSG_ERROR: the dump is over. */
  readonly done: boolean;
  /** A message carries NLM_F_DUMP_INTR: the dump may be inconsistent. */
  readonly interrupted: boolean;
  /** The errno of an NLMSG_ERROR or of an NLMSG_DONE that reports one; 0 when none. */
  readonly errno: number;
}

/** An open NETLINK_ROUTE socket; `subject` (by default `rtnetlink`) goes into every error. */
export class NetlinkSocket {
  readonly #slot = new ReceiveSlot(NETLINK_RECEIVE_BYTES);
  /** The sequence number of the dump in flight; replies to this socket's earlier ones differ. */
  #sequence = 0;

  private constructor(
    readonly fd: number,
    readonly subject: string,
  ) {}

  /** Opens the socket (no privilege needed to dump), with a large buffer and a receive timeout. */
  static open(subject = 'rtnetlink'): NetlinkSocket {
    return openRouteSocket(subject, (fd) => {
      setIntOption(fd, Level.SOL_SOCKET, SocketOption.SO_RCVBUF, SOCKET_BUFFER_BYTES, subject);
      setReceiveTimeout(fd, RECEIVE_TIMEOUT_MS, subject);
      return new NetlinkSocket(fd, subject);
    });
  }

  /**
   * Sends `request` (one message; its flags get NLM_F_REQUEST | NLM_F_DUMP and a fresh sequence
   * number) and returns a copy of every reply datagram, the one with NLMSG_DONE included. A dump
   * the kernel marks NLM_F_DUMP_INTR is read to its end and run again, up to `DUMP_ATTEMPTS`
   * times. `what` names the dump in errors (`links (RTM_GETLINK)`).
   */
  dump(request: Uint8Array, what: string): Uint8Array[] {
    const message = this.#prepare(request, what);
    const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
    for (let attempt = 1; attempt <= DUMP_ATTEMPTS; attempt++) {
      this.#sequence = (this.#sequence + 1) >>> 0;
      view.setUint32(NlmsgHeader.SEQ, this.#sequence, true);
      if (libc.sendto(this.fd, message, message.length, 0, null, 0) < 0) {
        throw lastOsError('sendto', this.subject);
      }
      const { datagrams, interrupted } = this.#collect(what);
      if (!interrupted) return datagrams;
    }
    throw new OsError({
      errno: Errno.EINTR,
      syscall: `dump of ${what}`,
      subject: this.subject,
      message: `${this.subject}: dump of ${what} was interrupted by changes ${DUMP_ATTEMPTS} times in a row; try again`,
    });
  }

  /** Closes the descriptor. */
  close(): void {
    if (libc.close(this.fd) < 0) throw lastOsError('close', this.subject);
  }

  /** A copy of `request` with the dump flags set, after checking it is one whole message. */
  #prepare(request: Uint8Array, what: string): Uint8Array {
    const message = request.slice();
    const view = new DataView(message.buffer);
    const length = message.length >= NlmsgHeader.SIZE ? view.getUint32(NlmsgHeader.LEN, true) : 0;
    if (length < NlmsgHeader.SIZE || length !== message.length) {
      throw new WireError(
        {
          kind: 'malformed',
          layer: 'netlink',
          offset: NlmsgHeader.LEN,
          got: `nlmsg_len ${length} in ${message.length} bytes`,
          expected: 'one whole message',
        },
        `request for ${what}`,
      );
    }
    const flags = view.getUint16(NlmsgHeader.FLAGS, true);
    view.setUint16(NlmsgHeader.FLAGS, flags | NlmFlag.REQUEST | NlmFlag.DUMP, true);
    view.setUint32(NlmsgHeader.PID, 0, true);
    return message;
  }

  /** Receives the datagrams of the dump in flight until NLMSG_DONE. */
  #collect(what: string): { datagrams: Uint8Array[]; interrupted: boolean } {
    const datagrams: Uint8Array[] = [];
    let interrupted = false;
    for (;;) {
      if (!this.#receiveFromKernel(what)) continue;
      const datagram = this.#slot.datagramShared();
      const scan = scanReply(datagram, this.#sequence);
      if (scan.stale) continue;
      if (scan.errno !== 0) {
        throw new OsError({ errno: scan.errno, syscall: `dump of ${what}`, subject: this.subject });
      }
      interrupted ||= scan.interrupted;
      datagrams.push(datagram.slice());
      if (scan.done) return { datagrams, interrupted };
    }
  }

  /** One datagram into the slot; false for one not from the kernel. */
  #receiveFromKernel(what: string): boolean {
    const slot = this.#slot;
    while (slot.receive(this.fd, MsgFlag.TRUNC) < 0) {
      const errno = lastErrno();
      if (errno === Errno.EINTR) continue;
      if (errno === Errno.EAGAIN) {
        throw new OsError({
          errno,
          syscall: 'recvmmsg',
          subject: this.subject,
          message: `${this.subject}: dump of ${what}: no reply from the kernel within ${RECEIVE_TIMEOUT_MS} ms`,
        });
      }
      throw lastOsError('recvmmsg', `${this.subject} (dump of ${what})`);
    }
    if (slot.truncated) {
      throw new OsError({
        errno: Errno.EMSGSIZE,
        syscall: 'recvmmsg',
        subject: this.subject,
        message: `${this.subject}: dump of ${what}: a ${slot.length}-byte datagram does not fit ${slot.capacity} bytes`,
      });
    }
    return slot.sender === 0;
  }
}

/** `nlmsg_len` of the message at `at`, after checking it is a whole header inside the datagram. */
function messageLength(view: DataView, at: number, end: number): number {
  const room = end - at;
  const size = room >= NlmsgHeader.SIZE ? view.getUint32(at + NlmsgHeader.LEN, true) : 0;
  if (size < NlmsgHeader.SIZE || size > room) {
    throw new WireError(
      {
        kind: room < NlmsgHeader.SIZE ? 'truncated' : 'malformed',
        layer: 'netlink',
        offset: at,
        got: room < NlmsgHeader.SIZE ? `${room} bytes` : `nlmsg_len ${size}`,
        expected: `${NlmsgHeader.SIZE}-${room}`,
      },
      'reply header',
    );
  }
  return size;
}

/**
 * Walks the message headers of one reply datagram of the dump with sequence number `sequence`.
 * A header that breaks framing is a WireError; an error the kernel reports is in `errno`.
 */
export function scanReply(datagram: Uint8Array, sequence: number): ReplyScan {
  const view = new DataView(datagram.buffer, datagram.byteOffset, datagram.byteLength);
  let done = false;
  let interrupted = false;
  let errno = 0;
  for (let at = 0; at < datagram.length && !done;) {
    const size = messageLength(view, at, datagram.length);
    if (view.getUint32(at + NlmsgHeader.SEQ, true) !== sequence) {
      return { stale: true, done: false, interrupted: false, errno: 0 };
    }
    const type = view.getUint16(at + NlmsgHeader.TYPE, true);
    interrupted ||= (view.getUint16(at + NlmsgHeader.FLAGS, true) & NlmFlag.DUMP_INTR) !== 0;
    const payload = at + NlmsgHeader.SIZE;
    if (type === NlmsgType.ERROR) {
      // An error too short to hold its code is a protocol error in itself.
      const error =
        size >= NlmsgHeader.SIZE + NlmsgError.SIZE
          ? view.getInt32(payload + NlmsgError.ERROR, true)
          : -Errno.EPROTO;
      errno = Math.abs(error);
      done = true;
    } else if (type === NlmsgType.DONE) {
      const error =
        size >= NlmsgHeader.SIZE + NLMSG_DONE_ERROR_LEN ? view.getInt32(payload, true) : 0;
      errno = error < 0 ? -error : 0;
      done = true;
    }
    at += netlinkAlign(size);
  }
  return { stale: false, done, interrupted, errno };
}

/**
 * One receive slot for a netlink socket: an `mmsghdr` for `recvmmsg(2)` of a single message, its
 * `iovec`, the sender's `sockaddr_nl` and the datagram's bytes, in one ArrayBuffer outside the JS
 * heap (it never moves), written through the offsets of `layout`. After a receive it says who
 * sent the datagram and whether it fit. The dump socket receives into one blocking (up to its
 * receive timeout); the event socket without waiting, once `poll` says a datagram is there.
 */
import { layout, MsgFlag } from './abi.js';
import { addressOf, libc } from './libc.js';

/** Bytes a slot takes by default: the kernel fills a dump datagram up to 32 KiB at most. */
export const NETLINK_RECEIVE_BYTES = 64 * 1024;

const TWO_32 = 2 ** 32;

/** Writes a 64-bit native word (a pointer or a `size_t`) that holds a safe integer. */
function setWord(view: DataView, at: number, value: number): void {
  view.setUint32(at, value % TWO_32, true);
  view.setUint32(at + 4, Math.floor(value / TWO_32), true);
}

/** A slot for one datagram of up to `capacity` bytes, and who sent it. */
export class ReceiveSlot {
  readonly capacity: number;
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  readonly #pointer: bigint;
  readonly #nameAt: number;
  readonly #dataAt: number;

  constructor(capacity: number) {
    const { mmsghdr, iovec, sockaddrNl } = layout;
    this.capacity = capacity;
    const iovAt = mmsghdr.size;
    this.#nameAt = iovAt + iovec.size;
    this.#dataAt = this.#nameAt + Math.ceil(sockaddrNl.size / 8) * 8;
    this.#bytes = new Uint8Array(new ArrayBuffer(this.#dataAt + capacity));
    this.#view = new DataView(this.#bytes.buffer);
    this.#pointer = addressOf(this.#bytes);
    const address = Number(this.#pointer);
    setWord(this.#view, mmsghdr.name, address + this.#nameAt);
    setWord(this.#view, mmsghdr.iov, address + iovAt);
    setWord(this.#view, mmsghdr.iovlen, 1);
    setWord(this.#view, iovAt + iovec.base, address + this.#dataAt);
    setWord(this.#view, iovAt + iovec.len, capacity);
  }

  /**
   * Receives one datagram; waits for it unless `flags` hold MSG_DONTWAIT (then EAGAIN when none
   * is queued). Returns 1, or -1 with errno set.
   */
  receive(fd: number, flags: number): number {
    this.#reset();
    return libc.recvmmsg(fd, this.#pointer, 1, flags, null);
  }

  /** The datagram's real length (MSG_TRUNC makes the kernel report it even when it did not fit). */
  get length(): number {
    return this.#view.getUint32(layout.mmsghdr.len, true);
  }

  /** Whether the datagram was longer than the slot. */
  get truncated(): boolean {
    const flags = this.#view.getInt32(layout.mmsghdr.flags, true);
    return (flags & MsgFlag.TRUNC) !== 0 || this.length > this.capacity;
  }

  /** The sender's port id (`nl_pid`): 0 for the kernel. */
  get sender(): number {
    return this.#view.getUint32(this.#nameAt + layout.sockaddrNl.pid, true);
  }

  /** The datagram (shared: a view of the slot, overwritten by the next receive). */
  datagramShared(): Uint8Array {
    return this.#bytes.subarray(this.#dataAt, this.#dataAt + Math.min(this.length, this.capacity));
  }

  /** A copy of the datagram, for the caller to keep. */
  copy(): Uint8Array {
    return this.datagramShared().slice();
  }

  /** What the kernel writes back: the address length, the flags, the sender. */
  #reset(): void {
    const { mmsghdr, sockaddrNl } = layout;
    this.#view.setUint32(mmsghdr.namelen, sockaddrNl.size, true);
    this.#view.setInt32(mmsghdr.flags, 0, true);
    this.#view.setUint32(this.#nameAt + sockaddrNl.pid, 0, true);
  }
}

/**
 * Memory laid out for `sendmmsg(2)` and `recvmmsg(2)`: arrays of `mmsghdr`, their `iovec`s,
 * addresses, control buffers and frame bytes in one ArrayBuffer each (outside the JS heap, never
 * moved, freed by the garbage collector), written through DataViews at the offsets of `layout`.
 * x86_64 is little-endian and user-space addresses fit in 47 bits, so a pointer or a `size_t` is
 * written as two 32-bit halves of a safe integer, without a bigint. Nothing is marshalled per
 * call: a batch of N frames costs N copies into the block and one system call.
 */
import { MAC_LEN } from '../../wire/mac.js';
import { cmsgAlign, Level, layout, MsgFlag, PacketOption, SocketOption, TpStatus } from './abi.js';
import { addressOf, lastErrno, libc } from './libc.js';

const TWO_32 = 2 ** 32;
/** Bytes an 802.1Q tag takes: the TPID and the TCI. */
const TAG_LEN = 4;
/** Where a frame's ethertype (or the TPID of a tag) sits: after the two addresses. */
const TYPE_AT = 2 * MAC_LEN;
/** The TPID Linux means when it reports a tag without `TP_STATUS_VLAN_TPID_VALID`. */
const TPID_8021Q = 0x8100;

/** Writes a 64-bit native word (a pointer or a `size_t`) at `at`, without making a bigint. */
function setWord(view: DataView, at: number, value: number): void {
  view.setUint32(at, value % TWO_32, true);
  view.setUint32(at + 4, Math.floor(value / TWO_32), true);
}

/** Reads a 64-bit native word that holds a safe integer. */
function getWord(view: DataView, at: number): number {
  return view.getUint32(at, true) + view.getUint32(at + 4, true) * TWO_32;
}

/** One block of memory the kernel reads or writes: its address as a bigint for calls, as a number for arithmetic. */
class NativeBlock {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly pointer: bigint;
  readonly address: number;

  constructor(size: number) {
    this.bytes = new Uint8Array(new ArrayBuffer(size));
    this.view = new DataView(this.bytes.buffer);
    this.pointer = addressOf(this.bytes);
    this.address = Number(this.pointer);
  }
}

/** `mmsghdr`s, then one `iovec` each, then the frames packed end to end; grown when a frame does not fit. */
export class SendBatch {
  readonly #capacity: number;
  #dataSize: number;
  #block: NativeBlock;

  constructor(capacity: number, dataSize: number) {
    this.#capacity = capacity;
    this.#dataSize = dataSize;
    this.#block = this.#allocate();
  }

  get #dataAt(): number {
    return this.#capacity * (layout.mmsghdr.size + layout.iovec.size);
  }

  /** Lays out the headers once: message i points at iovec i; no address, no control data. */
  #allocate(): NativeBlock {
    const block = new NativeBlock(this.#dataAt + this.#dataSize);
    const { mmsghdr, iovec } = layout;
    const iovAt = this.#capacity * mmsghdr.size;
    for (let i = 0; i < this.#capacity; i++) {
      const at = i * mmsghdr.size;
      setWord(block.view, at + mmsghdr.iov, block.address + iovAt + i * iovec.size);
      setWord(block.view, at + mmsghdr.iovlen, 1);
    }
    return block;
  }

  /**
   * Copies `frames[from…]` into native memory (as many as fit, at least one) and sends them with
   * one `sendmmsg`; returns its result: how many went out, or -1 with errno set.
   */
  send(fd: number, frames: readonly Uint8Array[], from: number): number {
    const iovAt = this.#capacity * layout.mmsghdr.size;
    const dataAt = this.#dataAt;
    let count = 0;
    let used = 0;
    while (from + count < frames.length && count < this.#capacity) {
      const frame = frames[from + count]!;
      if (used + frame.length > this.#dataSize) {
        if (count > 0) break;
        this.#grow(frame.length);
      }
      const { bytes, view, address } = this.#block;
      bytes.set(frame, dataAt + used);
      const iov = iovAt + count * layout.iovec.size;
      setWord(view, iov + layout.iovec.base, address + dataAt + used);
      setWord(view, iov + layout.iovec.len, frame.length);
      used += frame.length;
      count++;
    }
    return libc.sendmmsg(fd, this.#block.pointer, count, 0);
  }

  #grow(atLeast: number): void {
    this.#dataSize = Math.max(atLeast, this.#dataSize * 2);
    this.#block = this.#allocate();
  }
}

/**
 * Slots for `recvmmsg`: per message an `mmsghdr`, an `iovec`, a `sockaddr_ll` (who the frame
 * was for), room for the `PACKET_AUXDATA` and `SCM_TIMESTAMPNS` control messages, and the frame
 * buffer, which starts 4 bytes into its slot so that a VLAN tag the kernel took off can be put
 * back in place.
 */
export class ReceiveBatch {
  /** How many frames one `recvmmsg` may return. */
  readonly count: number;
  readonly #frameSize: number;
  readonly #block: NativeBlock;
  readonly #nameAt: number;
  readonly #controlAt: number;
  readonly #dataAt: number;

  constructor(count: number, frameSize: number) {
    const { mmsghdr, iovec, sockaddrLl, controlSpace } = layout;
    this.count = count;
    this.#frameSize = frameSize;
    const iovAt = count * mmsghdr.size;
    this.#nameAt = iovAt + count * iovec.size;
    this.#controlAt = this.#nameAt + count * align8(sockaddrLl.size);
    this.#dataAt = this.#controlAt + count * controlSpace;
    this.#block = new NativeBlock(this.#dataAt + count * this.#slotSize);
    const { view, address } = this.#block;
    for (let i = 0; i < count; i++) {
      const at = i * mmsghdr.size;
      const iov = iovAt + i * iovec.size;
      setWord(view, at + mmsghdr.name, address + this.#nameAt + i * align8(sockaddrLl.size));
      setWord(view, at + mmsghdr.iov, address + iov);
      setWord(view, at + mmsghdr.iovlen, 1);
      setWord(view, at + mmsghdr.control, address + this.#controlAt + i * controlSpace);
      setWord(view, iov + iovec.base, address + this.#dataAt + i * this.#slotSize + TAG_LEN);
      setWord(view, iov + iovec.len, frameSize);
    }
  }

  get #slotSize(): number {
    return align8(TAG_LEN + this.#frameSize);
  }

  /**
   * Calls `recvmmsg` as a koffi async call, on a libuv thread-pool thread: it waits for the first frame up to the socket's
   * receive timeout, then takes whatever else is queued. `done(received, errno)` runs on the
   * event loop (errno is 0 unless `received` is -1); the slots must not be touched until then.
   * koffi reports a call it could not make (its queue full) by throwing from the callback.
   */
  receiveAsync(fd: number, done: (received: number, errno: number) => void): void {
    const { view } = this.#block;
    const { mmsghdr, sockaddrLl, controlSpace } = layout;
    for (let i = 0; i < this.count; i++) {
      const at = i * mmsghdr.size;
      view.setUint32(at + mmsghdr.namelen, sockaddrLl.size, true);
      setWord(view, at + mmsghdr.controllen, controlSpace);
    }
    libc.recvmmsg.async(
      fd,
      this.#block.pointer,
      this.count,
      MsgFlag.WAITFORONE,
      null,
      (error, result) => {
        if (error !== null && error !== undefined) throw error;
        done(result, result < 0 ? lastErrno() : 0);
      },
    );
  }

  /** The `sll_pkttype` of message `i`: 0 to us, 1 broadcast, 2 multicast, 3 other host, 4 outgoing. */
  packetType(i: number): number {
    return this.#block.bytes[
      this.#nameAt + i * align8(layout.sockaddrLl.size) + layout.sockaddrLl.pkttype
    ]!;
  }

  /**
   * Message `i` as it was on the wire (shared: a view of the slot, overwritten by the next
   * receive). When `PACKET_AUXDATA` says the kernel took a VLAN tag off, the tag is written back
   * between the source address and the ethertype, in place: call it once per message.
   */
  frameShared(i: number): Uint8Array {
    const { bytes, view } = this.#block;
    const slot = this.#dataAt + i * this.#slotSize;
    const length = view.getUint32(i * layout.mmsghdr.size + layout.mmsghdr.len, true);
    const aux = this.#auxdataAt(i);
    const status = aux < 0 ? 0 : view.getUint32(aux + layout.auxdata.status, true);
    if ((status & TpStatus.VLAN_VALID) === 0 || length < TYPE_AT) {
      return bytes.subarray(slot + TAG_LEN, slot + TAG_LEN + length);
    }
    const tpid =
      (status & TpStatus.VLAN_TPID_VALID) !== 0
        ? view.getUint16(aux + layout.auxdata.vlanTpid, true)
        : TPID_8021Q;
    bytes.copyWithin(slot, slot + TAG_LEN, slot + TAG_LEN + TYPE_AT);
    view.setUint16(slot + TYPE_AT, tpid, false);
    view.setUint16(slot + TYPE_AT + 2, view.getUint16(aux + layout.auxdata.vlanTci, true), false);
    return bytes.subarray(slot, slot + TAG_LEN + length);
  }

  /**
   * The kernel's receive time of message `i` (`SO_TIMESTAMPNS`) as epoch milliseconds, or -1
   * when it sent none.
   */
  receivedMs(i: number): number {
    const at = this.#controlMessage(i, Level.SOL_SOCKET, SocketOption.SO_TIMESTAMPNS);
    if (at < 0) return -1;
    const { view } = this.#block;
    const sec = Number(view.getBigInt64(at + layout.timespec.sec, true));
    const nsec = Number(view.getBigInt64(at + layout.timespec.nsec, true));
    return sec * 1000 + nsec / 1e6;
  }

  /** Where message `i`'s `tpacket_auxdata` is, or -1 when the kernel sent none. */
  #auxdataAt(i: number): number {
    return this.#controlMessage(i, Level.SOL_PACKET, PacketOption.AUXDATA);
  }

  /** Where the data of message `i`'s control message of `level` and `type` is, or -1. */
  #controlMessage(i: number, level: number, type: number): number {
    const { view } = this.#block;
    const { mmsghdr, cmsghdr } = layout;
    const start = this.#controlAt + i * layout.controlSpace;
    const end =
      start + Math.min(getWord(view, i * mmsghdr.size + mmsghdr.controllen), layout.controlSpace);
    for (let at = start; at + cmsghdr.data <= end;) {
      const length = getWord(view, at + cmsghdr.len);
      if (length < cmsghdr.data || at + length > end) return -1;
      if (view.getInt32(at + cmsghdr.level, true) === level) {
        if (view.getInt32(at + cmsghdr.type, true) === type) return at + cmsghdr.data;
      }
      at += cmsgAlign(length);
    }
    return -1;
  }
}

function align8(length: number): number {
  return Math.ceil(length / 8) * 8;
}

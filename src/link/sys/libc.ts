/**
 * The libc functions arpkit calls, declared with koffi (ARCHITECTURE.md: every FFI declaration
 * lives in `sys/`; no other module calls libc). Each function returns what libc returns; the
 * callers in this folder turn -1 into an OsError (`os-error.ts`) with `lastOsError`. `void *`
 * parameters take a Buffer or typed array (passed by reference, no copy) or a native pointer as
 * a bigint.
 */
import koffi, { type KoffiFunc } from 'koffi';
import { OsError } from './os-error.js';
import { IfNameindex, SockaddrLl, SockaddrNl, TpacketStats } from './abi.js';

const lib = koffi.load('libc.so.6');

/** The declared functions, typed by what they take and return. */
export const libc = Object.freeze({
  socket: lib.func('int socket(int domain, int type, int protocol)') as (
    domain: number,
    type: number,
    protocol: number,
  ) => number,
  bind: lib.func('bind', 'int', ['int', koffi.pointer(SockaddrLl), 'uint32_t']) as (
    fd: number,
    address: object,
    length: number,
  ) => number,
  /** `bind` with a `sockaddr_nl`, given as an object with its fields. */
  bindNetlink: lib.func('bind', 'int', ['int', koffi.pointer(SockaddrNl), 'uint32_t']) as (
    fd: number,
    address: { nl_family: number; nl_pad: number; nl_pid: number; nl_groups: number },
    length: number,
  ) => number,
  /** `getsockname` into `address` (a `sockaddr_*` as bytes), `length` in and out. */
  getsockname: lib.func('int getsockname(int fd, void *address, void *length)') as (
    fd: number,
    address: Uint8Array,
    length: Uint32Array,
  ) => number,
  setsockopt: lib.func(
    'int setsockopt(int fd, int level, int name, const void *value, uint32_t length)',
  ) as (fd: number, level: number, name: number, value: unknown, length: number) => number,
  getStatistics: lib.func('getsockopt', 'int', [
    'int',
    'int',
    'int',
    koffi.out(koffi.pointer(TpacketStats)),
    koffi.inout(koffi.pointer('uint32_t')),
  ]) as (
    fd: number,
    level: number,
    name: number,
    value: { tp_packets?: number; tp_drops?: number },
    length: number[],
  ) => number,
  /** `getsockopt` of an int option into `value`; `getStatistics` is the one for packet statistics. */
  getsockopt: lib.func(
    'int getsockopt(int fd, int level, int name, void *value, void *length)',
  ) as (fd: number, level: number, name: number, value: Int32Array, length: Uint32Array) => number,
  /** `ioctl(fd, request, void *arg)`: the variadic libc function called with one pointer. */
  ioctl: lib.func('int ioctl(int fd, unsigned long request, ...)') as (
    fd: number,
    request: number,
    argType: 'void *',
    arg: Uint8Array,
  ) => number,
  sendto: lib.func(
    'long sendto(int fd, const void *buffer, size_t length, int flags, const void *address, uint32_t addressLength)',
  ) as (
    fd: number,
    buffer: Uint8Array,
    length: number,
    flags: number,
    address: Uint8Array | null,
    addressLength: number,
  ) => number,
  sendmmsg: lib.func('int sendmmsg(int fd, void *messages, unsigned int count, int flags)') as (
    fd: number,
    messages: bigint,
    count: number,
    flags: number,
  ) => number,
  /**
   * With `.async`, a packet socket's wait for frames (until one comes or the receive timeout);
   * called directly, a netlink socket's receive of one datagram (blocking up to the timeout, or
   * not at all with MSG_DONTWAIT).
   */
  recvmmsg: lib.func(
    'int recvmmsg(int fd, void *messages, unsigned int count, int flags, void *timeout)',
  ) as KoffiFunc<
    (fd: number, messages: bigint, count: number, flags: number, timeout: null) => number
  >,
  /** Called with `.async`: it waits on a thread-pool thread, forever with a timeout of -1. */
  poll: lib.func('int poll(void *fds, unsigned long count, int timeout)') as KoffiFunc<
    (fds: bigint, count: number, timeout: number) => number
  >,
  eventfd: lib.func('int eventfd(unsigned int value, int flags)') as (
    value: number,
    flags: number,
  ) => number,
  write: lib.func('long write(int fd, const void *bytes, size_t count)') as (
    fd: number,
    bytes: Uint8Array,
    count: number,
  ) => number,
  close: lib.func('int close(int fd)') as (fd: number) => number,
  ifNametoindex: lib.func('unsigned int if_nametoindex(const char *name)') as (
    name: string,
  ) => number,
  ifIndextoname: lib.func('void *if_indextoname(unsigned int index, _Out_ uint8_t *name)') as (
    index: number,
    name: Uint8Array,
  ) => bigint | null,
  ifNameindex: lib.func('void *if_nameindex(void)') as () => bigint | null,
  ifFreenameindex: lib.func('void if_freenameindex(void *list)') as (list: bigint) => void,
});

/**
 * The address of `bytes`' first byte, for structures that point into JS memory. The memory of an
 * ArrayBuffer made with `new ArrayBuffer(n)` lives outside the JS heap and never moves, and the
 * garbage collector frees it only once nothing refers to it: no use after free.
 */
export function addressOf(bytes: Uint8Array): bigint {
  return koffi.address(bytes);
}

/** Reads the NUL-terminated interface names of an `if_nameindex()` array. */
export function readNameindex(list: bigint): { index: number; name: string }[] {
  const entries: { index: number; name: string }[] = [];
  const size = koffi.sizeof(IfNameindex);
  for (let at = 0; ; at += size) {
    const entry = koffi.decode(list, at, IfNameindex) as { if_index: number; if_name: string };
    if (entry.if_index === 0) return entries;
    entries.push({ index: entry.if_index, name: entry.if_name });
  }
}

/** The errno the last libc call left (koffi saves it right after the call, async ones too). */
export function lastErrno(): number {
  return koffi.errno();
}

/** An OsError for the call that just failed, from the errno it left. */
export function lastOsError(syscall: string, subject: string): OsError {
  return new OsError({ errno: lastErrno(), syscall, subject });
}

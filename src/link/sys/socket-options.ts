/**
 * Socket set-up that more than one socket of this folder does: opening a NETLINK_ROUTE socket
 * that is closed again when its set-up throws (the dump socket and the event socket), and
 * setting an option (`setsockopt(2)`), an int, the receive timeout (`SO_RCVTIMEO`) or the receive
 * buffer (past `rmem_max` where allowed). A failure
 * is an OsError naming the call and `subject`.
 */
import koffi from 'koffi';
import { Level, NetlinkProtocol, Socket, SocketOption, Timeval } from './abi.js';
import { lastErrno, lastOsError, libc } from './libc.js';
import { Errno } from './os-error.js';

/**
 * Opens a NETLINK_ROUTE socket (no privilege needed) and returns what `setUp` makes of its
 * descriptor; when `setUp` throws, the descriptor is closed and the error goes on.
 */
export function openRouteSocket<T>(subject: string, setUp: (fd: number) => T): T {
  const fd = libc.socket(
    Socket.AF_NETLINK,
    Socket.SOCK_RAW | Socket.SOCK_CLOEXEC,
    NetlinkProtocol.ROUTE,
  );
  if (fd < 0) throw lastOsError('socket', subject);
  try {
    return setUp(fd);
  } catch (error) {
    libc.close(fd);
    throw error;
  }
}

/** `setsockopt` of `length` bytes of `value` (a typed array or a koffi pointer). */
export function setOption(
  fd: number,
  level: number,
  name: number,
  value: unknown,
  length: number,
  subject: string,
): void {
  if (libc.setsockopt(fd, level, name, value, length) < 0) {
    throw lastOsError('setsockopt', subject);
  }
}

/** `setsockopt` of an int. */
export function setIntOption(
  fd: number,
  level: number,
  name: number,
  value: number,
  subject: string,
): void {
  setOption(fd, level, name, Int32Array.of(value), 4, subject);
}

/** Makes a blocking receive give up after `ms` with EAGAIN (`SO_RCVTIMEO`). */
export function setReceiveTimeout(fd: number, ms: number, subject: string): void {
  const timeout = { tv_sec: Math.floor(ms / 1000), tv_usec: (ms % 1000) * 1000 };
  const value = koffi.as(timeout, koffi.pointer(Timeval));
  setOption(fd, Level.SOL_SOCKET, SocketOption.SO_RCVTIMEO, value, koffi.sizeof(Timeval), subject);
}

/**
 * SO_RCVBUFFORCE when allowed (it passes over `rmem_max`), else SO_RCVBUF (capped there). Both
 * double the value and raise it to the kernel's minimum (about 2 KiB), so for a small size, as
 * the tests ask for, the two are the same.
 */
export function setReceiveBuffer(fd: number, bytes: number, subject: string): void {
  const value = Int32Array.of(bytes);
  if (libc.setsockopt(fd, Level.SOL_SOCKET, SocketOption.SO_RCVBUFFORCE, value, 4) === 0) return;
  if (lastErrno() !== Errno.EPERM) throw lastOsError('setsockopt', subject);
  setIntOption(fd, Level.SOL_SOCKET, SocketOption.SO_RCVBUF, bytes, subject);
}

/**
 * errno as a person reads it: the symbolic code (`ENETDOWN`), libuv's lower-case description
 * ("network is down"), the call and what it was called on. Kept apart from the koffi
 * declarations in `libc.ts` so that code which only names these errors (the command line's
 * error handling) does not load the FFI.
 */
import { getSystemErrorMap } from 'node:util';

/** errno values the link code branches on (Linux, `asm-generic/errno*.h`). */
export const Errno = Object.freeze({
  EPERM: 1,
  EINTR: 4,
  ENXIO: 6,
  EAGAIN: 11,
  EACCES: 13,
  ENODEV: 19,
  EPROTO: 71,
  EMSGSIZE: 90,
  ENETDOWN: 100,
  /** A netlink socket's receive queue overflowed: the kernel dropped messages for it. */
  ENOBUFS: 105,
});

/** Node's table, keyed by negated errno on Linux: `-100` → `['ENETDOWN', 'network is down']`. */
const systemErrors = getSystemErrorMap();

/** The symbolic name of `errno`, or `errno 4242` for one Node does not know. */
export function errnoCode(errno: number): string {
  return systemErrors.get(-errno)?.[0] ?? `errno ${errno}`;
}

/** The description of `errno` in lower case, as Node prints it (`network is down`). */
export function errnoText(errno: number): string {
  return systemErrors.get(-errno)?.[1] ?? 'unknown error';
}

/** What an `OsError` says and about what. */
export interface OsErrorDetail {
  readonly errno: number;
  /** The libc function that failed, e.g. `sendto`. */
  readonly syscall: string;
  /** What it was called on, usually the interface name. */
  readonly subject: string;
  /** The one-line message; by default `<subject>: <syscall> failed: <text> (<CODE>)`. */
  readonly message?: string;
}

/**
 * A failed system call, worded so that a command line can print `arpkit: <message>` as it is.
 * `code` is the errno name (ENODEV, ENETDOWN, EPERM, EACCES, ENXIO…), like Node's own errors.
 */
export class OsError extends Error {
  override readonly name = 'OsError';
  readonly errno: number;
  readonly code: string;
  readonly syscall: string;
  readonly subject: string;

  constructor(detail: OsErrorDetail) {
    const code = errnoCode(detail.errno);
    super(
      detail.message ??
        `${detail.subject}: ${detail.syscall} failed: ${errnoText(detail.errno)} (${code})`,
    );
    this.errno = detail.errno;
    this.code = code;
    this.syscall = detail.syscall;
    this.subject = detail.subject;
  }
}

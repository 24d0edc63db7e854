/**
 * The netlink message format (`linux/netlink.h`, netlink(7)): the 16-byte `nlmsghdr` every
 * message starts with, the `nlmsgerr` an error carries, the 4-byte `nlattr`/`rtattr` header of an
 * attribute, their alignment, and the message types and flags a dump uses. Plain numbers, no
 * koffi: these structures travel inside datagrams as bytes (like an ARP header), so the socket in
 * this folder and the pure codecs in `host/` read them through the same frozen tables. Every
 * value was checked against the kernel headers with a C program printing `sizeof`, `offsetof`
 * and each constant. Multi-byte fields are in host byte order (little-endian on x86_64).
 */

/** Messages and attributes start on 4-byte boundaries (`NLMSG_ALIGNTO`, `NLA_ALIGNTO`). */
export const NETLINK_ALIGNTO = 4;

/** `NLMSG_ALIGN` / `NLA_ALIGN` / `RTA_ALIGN`: `length` rounded up to the next 4-byte boundary. */
export function netlinkAlign(length: number): number {
  return (length + NETLINK_ALIGNTO - 1) & ~(NETLINK_ALIGNTO - 1);
}

/** `struct nlmsghdr`: byte offsets of its fields and its size (`NLMSG_HDRLEN`). */
export const NlmsgHeader = Object.freeze({
  /** `nlmsg_len` (u32): the message's length, header included, padding excluded. */
  LEN: 0,
  /** `nlmsg_type` (u16): NLMSG_* or the family's RTM_*. */
  TYPE: 4,
  /** `nlmsg_flags` (u16): NLM_F_*. */
  FLAGS: 6,
  /** `nlmsg_seq` (u32): copied from the request into every reply. */
  SEQ: 8,
  /** `nlmsg_pid` (u32): the sending port; the kernel fills in the requester's in replies. */
  PID: 12,
  SIZE: 16,
});

/** `struct nlmsgerr`, the payload of NLMSG_ERROR: a negated errno, then the request's header. */
export const NlmsgError = Object.freeze({
  /** `error` (s32): 0 for an acknowledgement, `-errno` for a failure. */
  ERROR: 0,
  /** `msg`: the header of the request that failed. */
  MSG: 4,
  SIZE: 4 + NlmsgHeader.SIZE,
});

/** The payload of NLMSG_DONE: an `int` error, negated errno when the dump failed part way. */
export const NLMSG_DONE_ERROR_LEN = 4;

/** Message types every netlink family shares (`NLMSG_*`); a family's own start at 16. */
export const NlmsgType = Object.freeze({
  NOOP: 0x1,
  ERROR: 0x2,
  DONE: 0x3,
  OVERRUN: 0x4,
  /** `NLMSG_MIN_TYPE`: the first type a family may use. */
  MIN_TYPE: 0x10,
});

/** `nlmsg_flags` bits (`NLM_F_*`) a dump request sets or a dump reply carries. */
export const NlmFlag = Object.freeze({
  REQUEST: 0x01,
  /** Part of a multipart reply that ends with NLMSG_DONE. */
  MULTI: 0x02,
  ACK: 0x04,
  /** The table changed while it was being dumped: the dump may be inconsistent. */
  DUMP_INTR: 0x10,
  DUMP_FILTERED: 0x20,
  /** `NLM_F_ROOT | NLM_F_MATCH`: every object of the table. */
  DUMP: 0x300,
});

/** `struct nlattr` (= `struct rtattr`): byte offsets of its fields and its size (`NLA_HDRLEN`). */
export const NlattrHeader = Object.freeze({
  /** `nla_len` (u16): the attribute's length, header included, padding excluded. */
  LEN: 0,
  /** `nla_type` (u16): the type, with the two flag bits below on top. */
  TYPE: 2,
  SIZE: 4,
});

/** Flag bits on top of `nla_type` (`NLA_F_*`) and the mask that leaves the type. */
export const NlaFlag = Object.freeze({
  NESTED: 1 << 15,
  NET_BYTEORDER: 1 << 14,
  /** `NLA_TYPE_MASK`. */
  TYPE_MASK: 0x3fff,
});

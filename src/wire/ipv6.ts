import { AddressParseError } from './address-error.js';
import { DOTTED_QUAD } from './ipv4.js';

declare const ipv6Brand: unique symbol;
/** An IPv6 address held as a 128-bit `bigint`: compares with `===`, keys a `Map` by value. */
export type Ipv6 = bigint & { readonly [ipv6Brand]: true };

/** `::`, the unspecified address (the source of a DAD Neighbor Solicitation). */
export const IPV6_ANY = 0n as Ipv6;
/** `ff02::1`, all nodes on the link: where an unsolicited Neighbor Advertisement goes (RFC 4861 §7.2.6). */
export const IPV6_ALL_NODES = 0xff02_0000_0000_0000_0000_0000_0000_0001n as Ipv6;
/** The number of bytes an IPv6 address takes on the wire. */
export const IPV6_LEN = 16;

const EXAMPLE = '2001:db8::1';
const GROUP = /^[0-9a-f]{1,4}$/i;

/** Parses RFC 4291 §2.2 text: eight groups, one `::`, an optional dotted-quad tail; case-insensitive. */
export function parseIpv6(text: string): Ipv6 {
  const groups = parseGroups(text.trim());
  if (groups === undefined) throw new AddressParseError('IPv6', text, EXAMPLE);
  let value = 0n;
  for (const group of groups) value = (value << 16n) | BigInt(group);
  return value as Ipv6;
}

function parseGroups(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = splitGroups(halves[0]!, halves.length === 1);
  const tail = halves.length === 2 ? splitGroups(halves[1]!, true) : [];
  if (head === undefined || tail === undefined) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const missing = 8 - head.length - tail.length;
  if (missing < 1) return undefined;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

/** Splits `a:b:c` into 16-bit groups; a dotted quad is allowed as the last part when `last`. */
function splitGroups(text: string, last: boolean): number[] | undefined {
  if (text === '') return [];
  const parts = text.split(':');
  const groups: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const dotted = last && i === parts.length - 1 ? DOTTED_QUAD.exec(part) : null;
    if (dotted) {
      const bytes = dotted.slice(1).map(Number);
      if (bytes.some((b) => b > 255)) return undefined;
      groups.push((bytes[0]! << 8) | bytes[1]!, (bytes[2]! << 8) | bytes[3]!);
    } else if (GROUP.test(part)) {
      groups.push(Number.parseInt(part, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}

/** RFC 5952 text: lower case, no leading zeros, the longest run (≥ 2) of zero groups as `::`. */
export function formatIpv6(ip: Ipv6): string {
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((ip >> shift) & 0xffffn));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

/** Reads sixteen bytes at `offset`; the caller has checked that they exist. */
export function readIpv6(bytes: Uint8Array, offset: number): Ipv6 {
  let value = 0n;
  for (let i = 0; i < 16; i += 4) {
    const word =
      ((bytes[offset + i]! << 24) |
        (bytes[offset + i + 1]! << 16) |
        (bytes[offset + i + 2]! << 8) |
        bytes[offset + i + 3]!) >>>
      0;
    value = (value << 32n) | BigInt(word);
  }
  return value as Ipv6;
}

/** Writes sixteen bytes at `offset`; the caller has sized the buffer. */
export function writeIpv6(ip: Ipv6, bytes: Uint8Array, offset: number): void {
  for (let i = 15; i >= 0; i--) {
    bytes[offset + i] = Number((ip >> BigInt((15 - i) * 8)) & 0xffn);
  }
}

/** Orders addresses numerically (negative, zero, positive). */
export function compareIpv6(a: Ipv6, b: Ipv6): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The solicited-node multicast address of `ip` (ff02::1:ffXX:XXXX, RFC 4291 §2.7.1). */
export function solicitedNodeIpv6(ip: Ipv6): Ipv6 {
  return (0xff02_0000_0000_0000_0000_0001_ff00_0000n | (ip & 0xff_ffffn)) as Ipv6;
}

import { AddressParseError } from './address-error.js';

declare const macBrand: unique symbol;
/**
 * A 48-bit MAC address held as an integer (exact in a double), so it compares with `===`,
 * sorts with `-` and keys a `Map` without a string.
 */
export type Mac = number & { readonly [macBrand]: true };

const TWO_32 = 0x1_0000_0000;
const HEX2: readonly string[] = Array.from({ length: 256 }, (_, i) =>
  i.toString(16).padStart(2, '0'),
);

/** ff:ff:ff:ff:ff:ff */
export const MAC_BROADCAST = 0xffff_ffff_ffff as Mac;
/** 00:00:00:00:00:00 */
export const MAC_ZERO = 0 as Mac;
/** The number of bytes a MAC takes on the wire. */
export const MAC_LEN = 6;

const EXAMPLE = '00:11:22:33:44:55';
const GROUPED =
  /^([0-9a-f]{1,2})([:-])([0-9a-f]{1,2})\2([0-9a-f]{1,2})\2([0-9a-f]{1,2})\2([0-9a-f]{1,2})\2([0-9a-f]{1,2})$/i;
const CISCO = /^([0-9a-f]{4})\.([0-9a-f]{4})\.([0-9a-f]{4})$/i;
const BARE = /^[0-9a-f]{12}$/i;

/**
 * Parses `00:11:22:aa:bb:cc`, `00-11-22-AA-BB-CC`, `0:11:22:a:b:c` (ether_aton's one-digit
 * groups), `0011.22aa.bbcc` (Cisco) or `001122aabbcc`; case-insensitive.
 */
export function parseMac(text: string): Mac {
  const trimmed = text.trim();
  let hex: string | undefined;
  const grouped = GROUPED.exec(trimmed);
  if (grouped) {
    hex = '';
    for (let i = 1; i <= 7; i++) if (i !== 2) hex += grouped[i]!.padStart(2, '0');
  } else {
    const cisco = CISCO.exec(trimmed);
    if (cisco) hex = cisco[1]! + cisco[2]! + cisco[3]!;
    else if (BARE.test(trimmed)) hex = trimmed;
  }
  if (hex === undefined) throw new AddressParseError('MAC', text, EXAMPLE);
  return Number.parseInt(hex, 16) as Mac;
}

/** Like `parseMac`, but the word `auto` (any case) means "the interface's own MAC". */
export function parseMacOrAuto(text: string): Mac | 'auto' {
  return text.trim().toLowerCase() === 'auto' ? 'auto' : parseMac(text);
}

/** Lower-case, colon-separated, two digits a byte: `00:11:22:aa:bb:cc`. */
export function formatMac(mac: Mac): string {
  const hi = Math.floor(mac / TWO_32);
  const lo = mac >>> 0;
  return `${HEX2[hi >>> 8]}:${HEX2[hi & 0xff]}:${HEX2[lo >>> 24]}:${HEX2[(lo >>> 16) & 0xff]}:${
    HEX2[(lo >>> 8) & 0xff]
  }:${HEX2[lo & 0xff]}`;
}

/** Reads six bytes at `offset`; the caller has checked that they exist. */
export function readMac(bytes: Uint8Array, offset: number): Mac {
  const hi = (bytes[offset]! << 8) | bytes[offset + 1]!;
  const lo =
    ((bytes[offset + 2]! << 24) |
      (bytes[offset + 3]! << 16) |
      (bytes[offset + 4]! << 8) |
      bytes[offset + 5]!) >>>
    0;
  return (hi * TWO_32 + lo) as Mac;
}

/** Writes six bytes at `offset`; the caller has sized the buffer. */
export function writeMac(mac: Mac, bytes: Uint8Array, offset: number): void {
  const hi = Math.floor(mac / TWO_32);
  const lo = mac >>> 0;
  bytes[offset] = hi >>> 8;
  bytes[offset + 1] = hi & 0xff;
  bytes[offset + 2] = lo >>> 24;
  bytes[offset + 3] = (lo >>> 16) & 0xff;
  bytes[offset + 4] = (lo >>> 8) & 0xff;
  bytes[offset + 5] = lo & 0xff;
}

/** Orders MACs as their bytes order (negative, zero, positive). */
export function compareMac(a: Mac, b: Mac): number {
  return a - b;
}

/** True for a group address (I/G bit set), broadcast included. */
export function isMulticastMac(mac: Mac): boolean {
  return Math.floor(mac / 0x100_0000_0000) % 2 === 1;
}

/** True for a MAC that can name one station: not zero, not broadcast, not multicast. */
export function isUnicastMac(mac: Mac): boolean {
  return mac !== MAC_ZERO && !isMulticastMac(mac);
}

import { AddressParseError } from './address-error.js';

declare const ipv4Brand: unique symbol;
/** An IPv4 address held as an unsigned 32-bit integer: compares with `===`, keys a `Map`. */
export type Ipv4 = number & { readonly [ipv4Brand]: true };

/** 0.0.0.0, the "unspecified" sender of an RFC 5227 probe. */
export const IPV4_ANY = 0 as Ipv4;
/** The number of bytes an IPv4 address takes on the wire. */
export const IPV4_LEN = 4;

/** Four decimal parts without leading zeros: `010` would be octal 8 to inet_aton and ping. */
export const DOTTED_QUAD =
  /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;
const DECIMAL: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));

/**
 * Parses dotted-quad text (`192.0.2.1`); each part 0–255 in decimal, no shorthand forms and no
 * leading zeros (ambiguous: inet_aton reads `010` as octal).
 */
export function parseIpv4(text: string): Ipv4 {
  const match = DOTTED_QUAD.exec(text.trim());
  if (match) {
    let value = 0;
    for (let i = 1; i <= 4; i++) {
      const part = Number(match[i]);
      if (part > 255) break;
      value = value * 256 + part;
      if (i === 4) return value as Ipv4;
    }
  }
  throw new AddressParseError('IPv4', text, '192.0.2.1');
}

/** Dotted-quad text. */
export function formatIpv4(ip: Ipv4): string {
  return `${DECIMAL[ip >>> 24]}.${DECIMAL[(ip >>> 16) & 0xff]}.${DECIMAL[(ip >>> 8) & 0xff]}.${DECIMAL[ip & 0xff]}`;
}

/** Reads four bytes (network order) at `offset`; the caller has checked that they exist. */
export function readIpv4(bytes: Uint8Array, offset: number): Ipv4 {
  return (((bytes[offset]! << 24) |
    (bytes[offset + 1]! << 16) |
    (bytes[offset + 2]! << 8) |
    bytes[offset + 3]!) >>>
    0) as Ipv4;
}

/** Writes four bytes (network order) at `offset`; the caller has sized the buffer. */
export function writeIpv4(ip: Ipv4, bytes: Uint8Array, offset: number): void {
  bytes[offset] = ip >>> 24;
  bytes[offset + 1] = (ip >>> 16) & 0xff;
  bytes[offset + 2] = (ip >>> 8) & 0xff;
  bytes[offset + 3] = ip & 0xff;
}

/** Orders addresses numerically (negative, zero, positive). */
export function compareIpv4(a: Ipv4, b: Ipv4): number {
  return a - b;
}

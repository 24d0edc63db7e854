import fc from 'fast-check';
import type { Ipv4 } from '../wire/ipv4.js';
import type { Ipv6 } from '../wire/ipv6.js';
import type { Mac } from '../wire/mac.js';

/** Any 48-bit MAC. */
export function arbMac(): fc.Arbitrary<Mac> {
  return fc.integer({ min: 0, max: 0xffff_ffff_ffff }).map((n) => n as Mac);
}

/** Any IPv4 address. */
export function arbIpv4(): fc.Arbitrary<Ipv4> {
  return fc.integer({ min: 0, max: 0xffff_ffff }).map((n) => n as Ipv4);
}

/** Any IPv6 address. */
export function arbIpv6(): fc.Arbitrary<Ipv6> {
  return fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }).map((n) => n as Ipv6);
}

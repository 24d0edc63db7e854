import fc from 'fast-check';
import type { Ipv4 } from '../wire/ipv4.js';
import type { Ipv6 } from '../wire/ipv6.js';
import type { Mac } from '../wire/mac.js';
import type { NdpRepr } from '../wire/ndp.js';

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

/** Any NS or NA; an absent link-layer address is an absent key. */
export function arbNdp(): fc.Arbitrary<NdpRepr> {
  return fc.oneof(
    fc.record(
      { type: fc.constant('ns' as const), target: arbIpv6(), sourceLla: arbMac() },
      { requiredKeys: ['type', 'target'], noNullPrototype: true },
    ),
    fc.record(
      {
        type: fc.constant('na' as const),
        target: arbIpv6(),
        router: fc.boolean(),
        solicited: fc.boolean(),
        override: fc.boolean(),
        targetLla: arbMac(),
      },
      {
        requiredKeys: ['type', 'target', 'router', 'solicited', 'override'],
        noNullPrototype: true,
      },
    ),
  );
}

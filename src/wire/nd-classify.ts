import { IPV6_ANY } from './ipv6.js';
import type { NdPacket } from './nd-packet.js';

/**
 * What kind of Neighbor Discovery message this is, as names: the NA flags as words (`router`,
 * `solicited`, `override`, RFC 4861 §4.4), `unsolicited` for an NA without S (an announcement,
 * §7.2.6), `dad` for a solicitation from `::` (duplicate address detection, RFC 4862 §5.4.2),
 * and `bad-checksum` when the ICMPv6 checksum does not verify (RFC 4443 §2.3).
 */
export function ndFlagNames(packet: NdPacket): string[] {
  const flags: string[] = [];
  const nd = packet.nd;
  if (nd.type === 'na') {
    if (nd.router) flags.push('router');
    flags.push(nd.solicited ? 'solicited' : 'unsolicited');
    if (nd.override) flags.push('override');
  } else if (packet.ip.source === IPV6_ANY) {
    flags.push('dad');
  }
  if (!packet.checksumOk) flags.push('bad-checksum');
  return flags;
}

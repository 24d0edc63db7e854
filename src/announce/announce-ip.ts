/**
 * An address to announce as people write it and as it is shown, shared by `arpkit announce --ip` and `arpkit watch`
 * (its `--ip` and `--address`, and the same keys of its configuration file); each wraps the
 * `AddressParseError` in its own error, naming the option or the key.
 */
import { formatIpv4, parseIpv4 } from '../wire/ipv4.js';
import { formatIpv6, parseIpv6 } from '../wire/ipv6.js';
import type { AnnounceIp } from './select.js';

/** An address of either family as text (RFC 5952 for IPv6): an AnnounceIp or a host's address. */
export function formatAnnounceIp(ip: AnnounceIp): string {
  return ip.family === 'ipv4' ? formatIpv4(ip.ip) : formatIpv6(ip.ip);
}

/** An IPv6 address when `text` has a colon, else an IPv4 one; throws an AddressParseError. */
export function parseAnnounceIp(text: string): AnnounceIp {
  return text.includes(':')
    ? { family: 'ipv6', ip: parseIpv6(text) }
    : { family: 'ipv4', ip: parseIpv4(text) };
}

/**
 * RTM_NEWADDR messages (rtnetlink(7), `linux/if_addr.h`) read into `HostAddress`es. The address
 * is IFA_LOCAL when the message has one, else IFA_ADDRESS: the kernel sends IFA_LOCAL for every
 * IPv4 address (IFA_ADDRESS is the peer on a point-to-point link) and, for IPv6, only when a peer
 * is configured (IFA_LOCAL ours, IFA_ADDRESS the peer); otherwise IPv6 has IFA_ADDRESS alone.
 * Flags come from IFA_FLAGS (u32, every bit) when present, else the u8 `ifa_flags`. Families
 * other than IPv4 and IPv6 are passed over.
 */
import type { HostAddress } from './snapshot.js';
import { AttributeTable } from './netlink-attributes.js';
import { MessageCursorShared } from './netlink-message.js';
import { Family, Ifa, IfaFlag, Ifaddrmsg, RtmType } from './rtnetlink-abi.js';
import { WireError } from '../wire/error.js';
import { IPV4_LEN, readIpv4 } from '../wire/ipv4.js';
import { IPV6_LEN, readIpv6 } from '../wire/ipv6.js';

/** The layer name in errors about these messages. */
const LAYER = 'RTM_NEWADDR';

/** Reads address messages one after another, reusing one attribute table. */
export class AddressReader {
  readonly #table = new AttributeTable(LAYER, Ifa.FLAGS);

  /** The address in the RTM_NEWADDR message at `message`, or undefined for another family. */
  read(message: MessageCursorShared): HostAddress | undefined {
    message.needHeader(LAYER, Ifaddrmsg.SIZE);
    const { bytes, view, payload } = message;
    const family = view.getUint8(payload + Ifaddrmsg.FAMILY);
    if (family !== Family.INET && family !== Family.INET6) return undefined;
    const table = this.#table.read(bytes, view, payload + Ifaddrmsg.SIZE, message.end);
    const type = table.has(Ifa.LOCAL) ? Ifa.LOCAL : Ifa.ADDRESS;
    const length = family === Family.INET ? IPV4_LEN : IPV6_LEN;
    if (table.size(type) !== length) {
      throw new WireError(
        {
          kind: 'malformed',
          layer: LAYER,
          offset: table.has(type) ? table.offset(type) : message.start,
          got: table.has(type) ? `${table.size(type)} bytes` : 'no IFA_LOCAL or IFA_ADDRESS',
          expected: `${length} bytes`,
        },
        family === Family.INET ? 'IPv4 address' : 'IPv6 address',
      );
    }
    const flags = table.u32(Ifa.FLAGS) ?? view.getUint8(payload + Ifaddrmsg.FLAGS);
    const common = {
      index: view.getUint32(payload + Ifaddrmsg.INDEX, true),
      prefixLength: view.getUint8(payload + Ifaddrmsg.PREFIXLEN),
      scope: view.getUint8(payload + Ifaddrmsg.SCOPE),
      tentative: (flags & IfaFlag.TENTATIVE) !== 0,
      deprecated: (flags & IfaFlag.DEPRECATED) !== 0,
      secondary: (flags & IfaFlag.SECONDARY) !== 0,
    };
    const at = table.offset(type);
    return family === Family.INET
      ? { family: 'ipv4', ip: readIpv4(bytes, at), ...common }
      : { family: 'ipv6', ip: readIpv6(bytes, at), ...common };
  }
}

/** Every IPv4 and IPv6 address in the datagrams of an RTM_GETADDR dump, in the kernel's order. */
export function parseAddressDump(datagrams: readonly Uint8Array[]): HostAddress[] {
  const reader = new AddressReader();
  const addresses: HostAddress[] = [];
  const message = new MessageCursorShared(datagrams);
  while (message.next()) {
    if (message.type !== RtmType.NEWADDR) continue;
    const address = reader.read(message);
    if (address !== undefined) addresses.push(address);
  }
  return addresses;
}

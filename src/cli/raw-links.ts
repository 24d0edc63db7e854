import { readFileSync } from 'node:fs';
import { AfPacketLink } from '../link/af-packet-link.js';
import type { Link } from '../link/link.js';
import { listInterfaces } from '../link/sys/packet-socket.js';
import { type Mac, parseMac } from '../wire/mac.js';
import { RuntimeError } from './errors.js';
import type { LinkOpener } from './io.js';

/** An interface name as the kernel allows it: at most 15 bytes, no slash or whitespace. */
const IFNAME = /^[^/\s]{1,15}$/;

/** What the machine has, for an error about an interface it does not have. */
function noSuchInterface(iface: string): RuntimeError {
  const names = listInterfaces().map((entry) => entry.name);
  return new RuntimeError(
    `no interface "${iface}"; interfaces here: ${names.join(', ') || 'none'}`,
  );
}

/** Interfaces of this machine (of its network namespace), reached through AF_PACKET sockets. */
export const rawLinks: LinkOpener = {
  interfaceMac(iface: string): Mac {
    if (!IFNAME.test(iface)) throw noSuchInterface(iface);
    let text: string;
    try {
      // sysfs needs no privilege, so `--dry-run` works as any user.
      text = readFileSync(`/sys/class/net/${iface}/address`, 'utf8');
    } catch {
      throw noSuchInterface(iface);
    }
    return parseMac(text.trim());
  },

  async open(iface: string): Promise<Link> {
    let link: AfPacketLink;
    try {
      link = AfPacketLink.open(iface);
    } catch (error) {
      throw new RuntimeError((error as Error).message);
    }
    if (!link.flags().up) {
      await link.close();
      throw new RuntimeError(`${iface}: interface is down (ip link set ${iface} up)`);
    }
    return link;
  },
};

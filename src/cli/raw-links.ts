import { AfPacketLink, interfaceMac } from '../link/af-packet-link.js';
import type { Link } from '../link/link.js';
import type { Mac } from '../wire/mac.js';
import { RuntimeError } from './errors.js';
import type { LinkOpener, ListeningLink } from './io.js';

/** Runs `call`, turning a link-layer failure into a RuntimeError with the same one-line message. */
function worded<T>(call: () => T): T {
  try {
    return call();
  } catch (error) {
    throw new RuntimeError((error as Error).message);
  }
}

/**
 * The receive buffer of a listening link: 64 MiB queue about 64,000 frames, a tenth of a second of
 * a flood at line rate on a small link, enough to ride out a garbage collection.
 */
const LISTEN_BUFFER_BYTES = 64 << 20;

/** Interfaces of this machine (of this process's network namespace), through AF_PACKET sockets. */
export const rawLinks: LinkOpener = {
  async interfaceMac(iface: string): Promise<Mac> {
    // SIOCGIFHWADDR on a datagram socket: no privilege needed, so `--dry-run` works as any user.
    return worded(() => interfaceMac(iface));
  },

  async open(iface: string): Promise<Link> {
    const link = worded(() => AfPacketLink.open(iface));
    let refusal: string | undefined;
    try {
      const flags = link.flags();
      if (!flags.up) refusal = `${iface}: interface is down (ip link set ${iface} up)`;
      else if (!flags.running) refusal = `${iface}: no carrier: nothing sent would arrive`;
    } catch (error) {
      refusal = (error as Error).message;
    }
    if (refusal === undefined) return link;
    await link.close();
    throw new RuntimeError(refusal);
  },

  async listen(iface: string, options: { promiscuous: boolean }): Promise<ListeningLink> {
    return worded(() =>
      AfPacketLink.open(iface, {
        promiscuous: options.promiscuous,
        receiveBufferBytes: LISTEN_BUFFER_BYTES,
      }),
    );
  },
};

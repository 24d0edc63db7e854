import { fdSource } from '../io/fd-source.js';
import { fdSink, type OutputSink } from '../io/output.js';
import type { HostSnapshot } from '../host/snapshot.js';
import type { ByteSource } from '../pcap/byte-source.js';
import type { Link } from '../link/link.js';
import type { LinkStats } from '../link/af-packet-link.js';
import { type Clock, systemClock } from '../time/clock.js';
import type { Mac } from '../wire/mac.js';

/** How commands reach interfaces; tests pass memory links, the real process raw sockets. */
export interface LinkOpener {
  /** The interface's own MAC; rejects with a RuntimeError naming the interfaces that exist. */
  interfaceMac(iface: string): Promise<Mac>;
  /** Opens a raw link on `iface`; throws a RuntimeError (no privilege, no such interface, down). */
  open(iface: string): Promise<Link>;
  /**
   * Opens `iface` to listen (ARP, RARP and ND frames, promiscuous unless told not), with the
   * kernel's counters; throws a RuntimeError (no privilege, no such interface).
   */
  listen(iface: string, options: { promiscuous: boolean }): Promise<ListeningLink>;
}

/** A link that reports what the kernel received and dropped for it. */
export interface ListeningLink extends Link {
  stats(): LinkStats;
}

/** Everything a command touches outside its arguments, so tests can run `main` in-process. */
export interface Io {
  readonly stdout: OutputSink;
  readonly stderr: OutputSink;
  readonly stdin: ByteSource;
  readonly clock: Clock;
  readonly links: LinkOpener;
  /** What this machine has (links, addresses, bridge FDBs), read when called. */
  readonly host: () => Promise<HostSnapshot>;
}

/**
 * Raw links, loaded on first use: koffi and the socket code cost a command that never opens an
 * interface (`decode`) a good part of its start-up.
 */
const lazyRawLinks: LinkOpener = {
  interfaceMac: async (iface) => (await import('./raw-links.js')).rawLinks.interfaceMac(iface),
  open: async (iface) => (await import('./raw-links.js')).rawLinks.open(iface),
  listen: async (iface, options) =>
    (await import('./raw-links.js')).rawLinks.listen(iface, options),
};

/** The real process: fds 0, 1 and 2. */
export function processIo(): Io {
  return {
    stdout: fdSink(1, 'standard output'),
    stderr: fdSink(2, 'standard error'),
    stdin: fdSource(0),
    clock: systemClock,
    links: lazyRawLinks,
    host: async () => (await import('../host/discover.js')).readHostSnapshot(),
  };
}

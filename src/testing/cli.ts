import { RuntimeError } from '../cli/errors.js';
import type { LinkOpener, ListeningLink } from '../cli/io.js';
import { main } from '../cli/main.js';
import { HostSnapshot } from '../host/snapshot.js';
import type { Link } from '../link/link.js';
import { bytesSource } from '../pcap/byte-source.js';
import { type Clock, systemClock } from '../time/clock.js';
import type { Mac } from '../wire/mac.js';

/** What one in-process `arpkit` run printed and returned. */
export interface CliRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** What an in-process run sees instead of the machine. */
export interface CliWorld {
  readonly stdin?: Uint8Array;
  readonly clock?: Clock;
  /** Interfaces by name: their MAC and the link a command opening them gets. */
  readonly interfaces?: Readonly<Record<string, { readonly mac: Mac; readonly link: Link }>>;
  /** What `arpkit announce` finds on the host (default: nothing at all). */
  readonly host?: HostSnapshot;
}

const EMPTY_HOST = new HostSnapshot({ links: [], addresses: [], fdb: [] });

/** Interfaces from a table; an unknown name is refused the way the real opener words it. */
function tableLinks(world: CliWorld): LinkOpener {
  const find = (iface: string) => {
    const found = world.interfaces?.[iface];
    if (found === undefined) {
      const names = Object.keys(world.interfaces ?? {}).join(', ');
      throw new RuntimeError(`no interface "${iface}"; interfaces here: ${names}`);
    }
    return found;
  };
  return {
    interfaceMac: async (iface) => find(iface).mac,
    open: async (iface) => find(iface).link,
    listen: async (iface) => countingLink(iface, find(iface).link),
  };
}

/** `link` with kernel-like counters: every frame it delivers is a packet, none is dropped. */
function countingLink(name: string, link: Link): ListeningLink {
  let packets = 0;
  return {
    name,
    send: (frame) => link.send(frame),
    sendBatch: (frames) => link.sendBatch(frames),
    receive: (handler) =>
      link.receive((frame) => {
        packets++;
        handler(frame);
      }),
    close: () => link.close(),
    stats: () => ({ packets, drops: 0 }),
  };
}

/** Runs `arpkit ARGV` in this process against `world`, capturing both outputs. */
export async function runCli(argv: readonly string[], world: CliWorld = {}): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const decoder = new TextDecoder();
  const sink = (into: string[]) => ({
    write(chunk: string | Uint8Array) {
      into.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk));
    },
  });
  const status = await main(argv, {
    stdout: sink(out),
    stderr: sink(err),
    stdin: bytesSource(world.stdin ?? new Uint8Array(0)),
    clock: world.clock ?? systemClock,
    links: tableLinks(world),
    host: async () => world.host ?? EMPTY_HOST,
  });
  return { status, stdout: out.join(''), stderr: err.join('') };
}

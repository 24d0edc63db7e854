/**
 * The raw links a watch announces on, opened on first use and kept open between announcements:
 * a packet socket bound with protocol 0 receives nothing, so an idle one costs nothing, and the
 * first frame after an event does not wait for a socket. A link is known by name and the index
 * it had when opened: when the name comes back with another index (deleted and created again),
 * the old socket is closed and a new one opened.
 */
import type { HostSnapshot } from '../host/snapshot.js';
import type { Link } from '../link/link.js';

/** Opens the raw link named (AF_PACKET in the daemon, memory links in tests). */
export type LinkOpen = (name: string) => Promise<Link>;

/** The links an announcement has, and why the others could not be opened. */
export interface PooledLinks {
  readonly links: ReadonlyMap<string, Link>;
  readonly failures: ReadonlyMap<string, string>;
}

export class LinkPool {
  readonly #open: LinkOpen;
  readonly #links = new Map<string, { readonly index: number; readonly link: Link }>();

  constructor(open: LinkOpen) {
    this.#open = open;
  }

  /**
   * An open link for each of `names` as `snapshot` has them. A link that cannot be opened is in
   * `failures` with the opener's message; the others are still returned.
   */
  async get(names: readonly string[], snapshot: HostSnapshot): Promise<PooledLinks> {
    const links = new Map<string, Link>();
    const failures = new Map<string, string>();
    for (const name of names) {
      const index = snapshot.linkNamed(name)?.index ?? -1;
      const pooled = this.#links.get(name);
      if (pooled !== undefined && pooled.index === index) {
        links.set(name, pooled.link);
        continue;
      }
      if (pooled !== undefined) await this.#drop(name);
      try {
        const link = await this.#open(name);
        this.#links.set(name, { index, link });
        links.set(name, link);
      } catch (error) {
        failures.set(name, error instanceof Error ? error.message : String(error));
      }
    }
    return { links, failures };
  }

  /** Closes the link opened for `index`, which the kernel deleted. */
  async forget(index: number): Promise<void> {
    for (const [name, pooled] of this.#links) {
      if (pooled.index === index) await this.#drop(name);
    }
  }

  /** Closes every link. */
  async close(): Promise<void> {
    await Promise.all([...this.#links.keys()].map((name) => this.#drop(name)));
  }

  async #drop(name: string): Promise<void> {
    const pooled = this.#links.get(name);
    this.#links.delete(name);
    // A socket on a deleted link fails to close only if it is already gone: nothing to keep.
    await pooled?.link.close().catch(() => undefined);
  }
}

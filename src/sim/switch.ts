import type { Mac } from '../wire/mac.js';
import type { Engine } from './engine.js';
import type { SimFrame } from './frame.js';
import type { LoseFrame, Port, SimNode } from './link.js';
import type { Nanos } from './units.js';
import { SECOND } from './units.js';

/** How a switch (or a host's Linux bridge) learns and forwards. */
export interface SwitchParams {
  /** FDB ageing: an entry not refreshed by a frame from its MAC for this long is gone (0: never). */
  readonly ageing_time_s: number;
  /** Learned entries at most; 0 for no limit (Linux fdb_max_learned). A full table learns nothing new. */
  readonly max_entries: number;
  /** Whether source MACs are learned at all. */
  readonly learning: boolean;
  /** Whether unknown unicast is flooded (broadcast always is). */
  readonly flood_unknown: boolean;
  /** Whether entries on a port are flushed when its link goes down (Linux bridge, most switches). */
  readonly flush_on_link_down: boolean;
}

/** Defaults of a Linux bridge and of IEEE 802.1D (300 s ageing, learning and flooding on). */
export const SWITCH_DEFAULTS: Readonly<SwitchParams> = Object.freeze({
  ageing_time_s: 300,
  max_entries: 0,
  learning: true,
  flood_unknown: true,
  flush_on_link_down: true,
});

/** One FDB entry: where a MAC was last seen and when. */
interface FdbEntry {
  port: Port;
  seen: Nanos;
}

/** Picks, for a frame a switch floods, which of its directly attached hosts must get it. */
export interface FloodSelector {
  /**
   * Appends to `into` each port of `sw` to a host that must see `frame` (its owner, the
   * hosts whose caches care about it, hosts that read every frame), once each; the others
   * would drop it unread, so the flood skips them.
   */
  floodTargets(frame: SimFrame, sw: Switch, into: Port[]): void;
}

/**
 * A learning bridge: learns each frame's source MAC on its ingress port, forwards known unicast
 * to its port, and floods broadcast and unknown unicast. A flood is one step: it goes to every
 * port towards other switches and bonds, but only to the attached hosts that would read it
 * (`FloodSelector`), so a broadcast costs what it changes, not one event per host.
 */
export class Switch implements SimNode {
  readonly ports: Port[] = [];
  readonly #fdb = new Map<Mac, FdbEntry>();
  readonly #trunks: Port[] = [];
  readonly #ageing: Nanos;
  #floods = 0;
  /** The hosts a flood goes to, reused (a flood never starts another synchronously). */
  readonly #targets: Port[] = [];

  constructor(
    readonly name: string,
    readonly engine: Engine,
    readonly params: SwitchParams,
    readonly selector: FloodSelector,
    readonly lose: LoseFrame,
  ) {
    this.#ageing = params.ageing_time_s * SECOND;
  }

  /** Frames flooded so far. */
  get floods(): number {
    return this.#floods;
  }

  /** Learned entries now (aged ones that no frame has looked up yet included). */
  get fdbSize(): number {
    return this.#fdb.size;
  }

  /**
   * Registers `port` (already created for this switch, its link plugged in): a port to a host is
   * reached through the flood selector, any other through every flood.
   */
  attach(port: Port, host: boolean): void {
    this.ports.push(port);
    const far = port.peer;
    if (far === undefined) throw new Error(`${this.name}: port ${port.name} has no link`);
    if (!host) this.#trunks.push(port);
    port.link!.watchers.push((_, up) => {
      if (!up && this.params.flush_on_link_down) this.flush(port);
    });
  }

  /**
   * Unregisters `port` (its cable is being pulled): it no longer floods there, and its entries
   * are forgotten.
   */
  detach(port: Port): void {
    const at = this.ports.indexOf(port);
    if (at < 0) throw new Error(`${this.name}: port ${port.name} is not attached`);
    this.ports.splice(at, 1);
    const trunk = this.#trunks.indexOf(port);
    if (trunk >= 0) this.#trunks.splice(trunk, 1);
    this.flush(port);
  }

  /** The port the FDB sends `mac` to now, if it has a live entry. */
  lookup(mac: Mac): Port | undefined {
    const entry = this.#fdb.get(mac);
    if (entry === undefined) return undefined;
    if (this.#ageing > 0 && this.engine.now - entry.seen >= this.#ageing) {
      this.#fdb.delete(mac);
      return undefined;
    }
    return entry.port;
  }

  /** Forgets every entry on `port`. */
  flush(port: Port): void {
    for (const [mac, entry] of this.#fdb) if (entry.port === port) this.#fdb.delete(mac);
  }

  /**
   * Learns `mac` on `port` now, as a frame from it would teach (scenario set-up: a switch that
   * has heard a host recently, e.g. answering the gateway whose cache holds it).
   */
  learn(mac: Mac, port: Port): void {
    if (this.params.learning) this.#learn(mac, port);
  }

  receive(frame: SimFrame, port: Port): void {
    if (this.params.learning) this.#learn(frame.source, port);
    if (frame.broadcast) {
      this.#flood(frame, port);
      return;
    }
    const out = this.lookup(frame.destination);
    if (out === port) {
      this.lose(frame, 'wrong-port');
    } else if (out !== undefined) {
      out.send(frame);
    } else if (this.params.flood_unknown) {
      this.#flood(frame, port);
    } else {
      this.lose(frame, 'no-fdb-entry');
    }
  }

  #learn(mac: Mac, port: Port): void {
    const now = this.engine.now;
    const entry = this.#fdb.get(mac);
    if (entry !== undefined) {
      entry.port = port;
      entry.seen = now;
      return;
    }
    const max = this.params.max_entries;
    if (max > 0 && this.#fdb.size >= max) {
      this.#expireAged();
      if (this.#fdb.size >= max) return;
    }
    this.#fdb.set(mac, { port, seen: now });
  }

  /** Drops aged entries (only when a full table needs room: lookups age entries lazily). */
  #expireAged(): void {
    if (this.#ageing === 0) return;
    const now = this.engine.now;
    for (const [mac, entry] of this.#fdb)
      if (now - entry.seen >= this.#ageing) this.#fdb.delete(mac);
  }

  /**
   * Floods `frame` out of every forwarding port but its ingress; a data frame that goes out of
   * none is lost as `no-fdb-entry` (the switch does not know where its destination is).
   */
  #flood(frame: SimFrame, ingress: Port): void {
    this.#floods++;
    let sent = 0;
    const now = this.engine.now;
    for (const trunk of this.#trunks) {
      if (trunk === ingress || !trunk.link!.forwards(trunk, now)) continue;
      trunk.send(frame);
      sent++;
    }
    const targets = this.#targets;
    this.selector.floodTargets(frame, this, targets);
    for (let i = 0; i < targets.length; i++) {
      const port = targets[i]!;
      if (port === ingress || !port.link!.forwards(port, now)) continue;
      port.send(frame);
      sent++;
    }
    targets.length = 0;
    if (sent === 0) this.lose(frame, 'no-fdb-entry');
  }
}

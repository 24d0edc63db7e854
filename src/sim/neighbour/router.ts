import { ArpOp } from '../../wire/arp.js';
import type { Ipv4 } from '../../wire/ipv4.js';
import { MAC_ZERO, type Mac } from '../../wire/mac.js';
import type { Packet } from '../packet.js';
import { fromMs, fromSeconds, type Nanos } from '../units.js';
import { dropHeld, holdPacket, releaseHeld } from './held-queue.js';
import type { ArpInput, NeighbourHost, NeighbourState, NeighbourTable } from './table.js';

/** The knobs of an L3 switch or router's ARP table (Cisco IOS/NX-OS, Juniper, Avaya, Dell). */
export interface RouterParams {
  /** Lifetime of a resolved entry before it is refreshed (IOS `arp timeout` 14400; NX-OS 1500). */
  readonly timeout_s: number;
  /** Each lifetime gets a random extra in [0, jitter_s) (IOS adds 0–30 min). */
  readonly jitter_s: number;
  /** 0: refresh each entry at its expiry; N: every N s refresh all entries due before the next scan. */
  readonly scan_interval_s: number;
  /** Refresh requests per entry before it is deleted. */
  readonly refresh_tries: number;
  /** Gap between refresh or resolve requests for one entry. */
  readonly retry_ms: number;
  /** Refresh requests go unicast to the cached MAC (true) or broadcast (false). */
  readonly refresh_unicast: boolean;
  /** Broadcast requests for an unresolved next hop before the hold-down. */
  readonly resolve_tries: number;
  /** Hold-down after a failed resolution: packets dropped, no requests (Avaya, Dell: ~20 s). */
  readonly down_s: number;
  /** Packets queued per unresolved next hop; further ones are dropped. */
  readonly hold: number;
  /** Whether a gratuitous ARP *reply* updates the cache (Junos QFX `gratuitous-arp-reply`: off). */
  readonly gratuitous_arp_reply: boolean;
  /** Most entries held (0: unlimited); new entries beyond it fail (Avaya VSP 7000: 4096). */
  readonly max_entries: number;
}

/** Cisco IOS defaults: 4 h timeout, per-entry refresh, 3 tries 1 s apart, 20 s hold-down. */
export const ROUTER_DEFAULTS: Readonly<RouterParams> = Object.freeze({
  timeout_s: 14400,
  jitter_s: 0,
  scan_interval_s: 0,
  refresh_tries: 3,
  retry_ms: 1000,
  refresh_unicast: true,
  resolve_tries: 3,
  down_s: 20,
  hold: 1,
  gratuitous_arp_reply: true,
  max_entries: 0,
});

/** What `arpkit sim --list` says about each parameter: meaning, unit and the knob it mirrors. */
export const ROUTER_HELP: Readonly<Record<keyof RouterParams, string>> = Object.freeze({
  timeout_s:
    'lifetime of a resolved entry before it is refreshed, s (IOS arp timeout, NX-OS ip arp timeout)',
  jitter_s: 'each lifetime gets a random extra in [0, jitter), s (IOS adds 0–30 min)',
  scan_interval_s:
    '0: refresh each entry as it expires; N: every N s refresh all entries due before the next scan',
  refresh_tries: 'refresh requests per entry before it is deleted',
  retry_ms: 'gap between two refresh or resolve requests for one entry, ms',
  refresh_unicast: 'refresh requests go unicast to the cached MAC (true) or broadcast (false)',
  resolve_tries:
    'broadcast requests for an unresolved next hop before the hold-down (Dell OS arp retries)',
  down_s:
    'hold-down after a failed resolution, s: packets dropped, no requests (Dell OS arp backoff-time)',
  hold: 'packets queued per unresolved next hop; further ones are dropped',
  gratuitous_arp_reply:
    'a gratuitous ARP reply updates the cache (Junos QFX gratuitous-arp-reply, off by default)',
  max_entries: 'most entries held, 0: unlimited; new ones beyond it fail (Avaya VSP 7000: 4096)',
});

type RouterState = 'incomplete' | 'reachable' | 'probe' | 'hold-down';

/** One cache line. Times are virtual nanoseconds. */
interface Entry {
  readonly ip: Ipv4;
  mac: Mac | undefined;
  state: RouterState;
  /** Bumped to cancel the pending timer. */
  gen: number;
  /** When the pending timer fires, if one is pending. */
  timerAt: Nanos | undefined;
  /** When the entry's next step is due (the timer re-arms itself until then). */
  deadline: Nanos;
  /** Requests sent in the current resolution or refresh. */
  tries: number;
  /** When a resolved entry is due for refresh. */
  expiresAt: Nanos;
  /** Its scan slot (`scan_interval_s` > 0 and resolved), else -1. */
  slot: number;
  held: Packet[] | undefined;
}

/**
 * An L3 switch or router's ARP table: long-lived entries refreshed before they are purged
 * (Cisco: "2 chances to be refreshed"; with CEF every entry is refreshed as it expires), with
 * optional jitter "to avoid synchronous expiration", or a periodic scan that refreshes in one
 * batch every entry due before the next scan. A failed resolution holds the next hop down.
 * The entry stays usable while it is being refreshed.
 */
export class RouterTable implements NeighbourTable {
  readonly #host: NeighbourHost;
  readonly #params: RouterParams;
  readonly #timeout: Nanos;
  readonly #jitter: Nanos;
  readonly #scan: Nanos;
  readonly #retry: Nanos;
  readonly #down: Nanos;
  readonly #entries = new Map<Ipv4, Entry>();
  /** Resolved entries by scan slot: slot k holds those due in [k·scan, (k+1)·scan). */
  readonly #slots = new Map<number, Set<Entry>>();
  /** The slot of the next scan; -1 when none is scheduled. */
  #nextScan = -1;
  #scanGen = 0;
  #scanned = 0;
  #holdDowns = 0;
  #refreshLost = 0;
  #overflows = 0;
  #garpIgnored = 0;

  /** A table acting through `host`; `params` as in `ROUTER_DEFAULTS`. */
  constructor(host: NeighbourHost, params: RouterParams) {
    for (const key of ['timeout_s', 'retry_ms', 'refresh_tries', 'resolve_tries'] as const) {
      if (!(params[key] > 0)) throw new RangeError(`router: ${key}: ${params[key]} is not above 0`);
    }
    for (const key of ['jitter_s', 'scan_interval_s', 'down_s', 'hold', 'max_entries'] as const) {
      if (!(params[key] >= 0)) throw new RangeError(`router: ${key}: ${params[key]} is below 0`);
    }
    this.#host = host;
    this.#params = params;
    this.#timeout = fromSeconds(params.timeout_s);
    this.#jitter = fromSeconds(params.jitter_s);
    this.#scan = fromSeconds(params.scan_interval_s);
    this.#retry = fromMs(params.retry_ms);
    this.#down = fromSeconds(params.down_s);
  }

  get size(): number {
    return this.#entries.size;
  }

  /** A router learns only from frames for itself or from senders it holds. */
  /** Any frame from a known sender renews its entry. */
  readonly renewsOnOverheard = true;

  get overhearsAll(): boolean {
    return false;
  }

  /** Entries examined by periodic scans so far (a cost measure: only entries due are touched). */
  get scanned(): number {
    return this.#scanned;
  }

  output(ip: Ipv4, packet: Packet): void {
    const entry = this.#entries.get(ip);
    if (entry === undefined) {
      const created = this.#create(ip);
      if (created === undefined) {
        this.#host.drop(packet, 'unresolved');
        return;
      }
      created.held = [];
      holdPacket(created.held, packet, this.#params.hold, 'drop-newest', this.#host);
      this.#ask(created);
      return;
    }
    switch (entry.state) {
      case 'reachable':
      case 'probe':
        this.#host.transmit(packet, entry.mac!);
        return;
      case 'incomplete':
        entry.held ??= [];
        holdPacket(entry.held, packet, this.#params.hold, 'drop-newest', this.#host);
        return;
      case 'hold-down':
        this.#host.drop(packet, 'unresolved');
        return;
    }
  }

  input(arp: ArpInput): void {
    if (arp.senderIp === 0) return; // an RFC 5227 probe says nothing about its sender
    if (arp.gratuitous && arp.op === ArpOp.REPLY && !this.#params.gratuitous_arp_reply) {
      this.#garpIgnored++; // Junos QFX: GARP replies are ignored unless configured
      return;
    }
    const entry = this.#entries.get(arp.senderIp);
    if (entry !== undefined) {
      this.#resolve(entry, arp.senderMac);
    } else if (arp.forMe && arp.op === ArpOp.REQUEST) {
      // Cisco: a request for the router's own address creates the sender's entry.
      const created = this.#create(arp.senderIp);
      if (created !== undefined) this.#resolve(created, arp.senderMac);
    }
  }

  learn(ip: Ipv4, mac: Mac): void {
    const entry = this.#entries.get(ip) ?? this.#create(ip);
    if (entry !== undefined) this.#resolve(entry, mac);
  }

  clear(): void {
    this.#scanGen++;
    this.#nextScan = -1;
    this.#slots.clear();
    const entries = [...this.#entries.values()];
    for (const entry of entries) this.#delete(entry);
  }

  state(ip: Ipv4): NeighbourState | undefined {
    return this.#entries.get(ip)?.state;
  }

  mac(ip: Ipv4): Mac | undefined {
    return this.#entries.get(ip)?.mac;
  }

  counters(): Readonly<Record<string, number>> {
    return {
      holdDowns: this.#holdDowns,
      refreshLost: this.#refreshLost,
      overflows: this.#overflows,
      garpIgnored: this.#garpIgnored,
    };
  }

  /** A new incomplete entry, or undefined (counted) when the table is full. */
  #create(ip: Ipv4): Entry | undefined {
    const max = this.#params.max_entries;
    if (max > 0 && this.#entries.size >= max) {
      this.#overflows++;
      return undefined;
    }
    const entry: Entry = {
      ip,
      mac: undefined,
      state: 'incomplete',
      gen: 0,
      timerAt: undefined,
      deadline: 0,
      tries: 0,
      expiresAt: 0,
      slot: -1,
      held: undefined,
    };
    this.#entries.set(ip, entry);
    this.#host.holds(ip, MAC_ZERO);
    return entry;
  }

  /** Confirms the entry with `mac`: resolved for `timeout` (+ jitter); held packets go out. */
  #resolve(entry: Entry, mac: Mac): void {
    const now = this.#host.engine.now;
    entry.mac = mac;
    this.#host.holds(entry.ip, mac);
    entry.state = 'reachable';
    entry.tries = 0;
    const jitter =
      this.#jitter > 0 ? Math.floor(this.#host.engine.random.next() * this.#jitter) : 0;
    entry.expiresAt = now + this.#timeout + jitter;
    if (this.#scan > 0) {
      this.#disarm(entry);
      this.#place(entry);
    } else {
      this.#arm(entry, entry.expiresAt);
    }
    if (entry.held !== undefined && entry.held.length > 0) {
      releaseHeld(entry.held, mac, this.#host);
    }
  }

  /** Sends the next resolve or refresh request, or gives up when the tries are spent. */
  #ask(entry: Entry): void {
    const now = this.#host.engine.now;
    const { resolve_tries, refresh_tries, refresh_unicast } = this.#params;
    if (entry.state === 'incomplete') {
      if (entry.tries < resolve_tries) {
        entry.tries++;
        this.#host.request(entry.ip);
        this.#arm(entry, now + this.#retry);
        return;
      }
      // Avaya VSP, Dell OS: after the retries, "about 20 seconds" before trying again.
      entry.state = 'hold-down';
      if (entry.held !== undefined) dropHeld(entry.held, this.#host);
      this.#holdDowns++;
      this.#arm(entry, now + this.#down);
      return;
    }
    if (entry.tries < refresh_tries) {
      entry.tries++;
      if (refresh_unicast) this.#host.request(entry.ip, entry.mac);
      else this.#host.request(entry.ip);
      this.#arm(entry, now + this.#retry);
      return;
    }
    this.#refreshLost++;
    this.#delete(entry);
  }

  #refresh(entry: Entry): void {
    entry.state = 'probe';
    entry.tries = 0;
    this.#ask(entry);
  }

  #due(entry: Entry): void {
    switch (entry.state) {
      case 'incomplete':
      case 'probe':
        this.#ask(entry);
        return;
      case 'hold-down':
        this.#delete(entry); // the next packet starts a new resolution
        return;
      case 'reachable':
        this.#refresh(entry);
        return;
    }
  }

  #delete(entry: Entry): void {
    this.#disarm(entry);
    this.#unplace(entry);
    this.#entries.delete(entry.ip);
    if (entry.held !== undefined) dropHeld(entry.held, this.#host);
    this.#host.holds(entry.ip, undefined);
  }

  /**
   * Puts a resolved entry in the slot of the scan that must refresh it: the last scan before
   * it expires, or the next scan if that one is already past. Only slots come due, so a scan
   * touches the entries it refreshes and no others.
   */
  #place(entry: Entry): void {
    if (this.#nextScan < 0) {
      this.#nextScan = Math.floor(this.#host.engine.now / this.#scan) + 1;
      const gen = this.#scanGen;
      const slot = this.#nextScan;
      this.#host.engine.at(slot * this.#scan, () => this.#runScan(gen, slot));
    }
    const slot = Math.max(Math.floor(entry.expiresAt / this.#scan), this.#nextScan);
    if (slot === entry.slot) return;
    this.#unplace(entry);
    let set = this.#slots.get(slot);
    if (set === undefined) {
      set = new Set();
      this.#slots.set(slot, set);
    }
    set.add(entry);
    entry.slot = slot;
  }

  #unplace(entry: Entry): void {
    const slot = entry.slot;
    if (slot < 0) return;
    entry.slot = -1;
    const set = this.#slots.get(slot);
    if (set === undefined) return;
    set.delete(entry);
    if (set.size === 0) this.#slots.delete(slot);
  }

  /** The periodic scan: refreshes at once every entry due before the next one. */
  #runScan(gen: number, slot: number): void {
    if (gen !== this.#scanGen) return;
    // Set first: an entry confirmed while this scan runs belongs to a later slot.
    this.#nextScan = slot + 1;
    const due = this.#slots.get(slot);
    this.#slots.delete(slot);
    if (due !== undefined) {
      this.#scanned += due.size;
      for (const entry of due) {
        entry.slot = -1;
        this.#refresh(entry);
      }
    }
    if (this.#slots.size === 0) {
      this.#nextScan = -1;
      return;
    }
    this.#host.engine.at(this.#nextScan * this.#scan, () => this.#runScan(gen, slot + 1));
  }

  /**
   * Makes the entry's next step due at `at`. A pending timer that fires no later is kept (it
   * re-arms itself when it finds the deadline moved on), so renewing an entry on every frame
   * heard costs no engine event.
   */
  #arm(entry: Entry, at: Nanos): void {
    entry.deadline = at;
    if (entry.timerAt !== undefined && entry.timerAt <= at) return;
    const gen = ++entry.gen;
    entry.timerAt = at;
    this.#host.engine.at(at, () => this.#fire(entry, gen));
  }

  #disarm(entry: Entry): void {
    entry.gen++;
    entry.timerAt = undefined;
  }

  #fire(entry: Entry, gen: number): void {
    if (entry.gen !== gen) return;
    entry.timerAt = undefined;
    if (this.#host.engine.now < entry.deadline) this.#arm(entry, entry.deadline);
    else this.#due(entry);
  }
}

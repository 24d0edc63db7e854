import { ArpOp } from '../../wire/arp.js';
import type { Ipv4 } from '../../wire/ipv4.js';
import { MAC_ZERO, type Mac } from '../../wire/mac.js';
import type { Packet } from '../packet.js';
import { fromMs, type Nanos, SECOND } from '../units.js';
import { dropHeld, holdPacket } from './held-queue.js';
import { checkLinuxParams, type LinuxParams } from './linux-params.js';
import type { ArpInput, NeighbourHost, NeighbourState, NeighbourTable } from './table.js';

/** NUD_NONE exists only between neigh_alloc and the first update, inside one call. */
type State = Exclude<NeighbourState, 'hold-down'> | 'none';

/**
 * One `struct neighbour`, times in virtual ns: `mac` (`ha`, meaningful when NUD_VALID),
 * `updated` (last change of state or MAC: locktime, forced GC), `confirmed` (last unicast
 * reply), `used` (last packet), `probes` (requests of this INCOMPLETE or PROBE cycle),
 * `timer` (generation: a timer that fires with another one does nothing), `reachable` (its
 * own REACHABLE time, per-entry draw), `queue` (`arp_queue`, oldest first).
 */
interface Entry {
  readonly ip: Ipv4;
  state: State;
  mac: Mac;
  updated: Nanos;
  confirmed: Nanos;
  used: Nanos;
  probes: number;
  timer: number;
  reachable: Nanos;
  readonly queue: Packet[];
  live: boolean;
}

/** NUD_VALID: the entry has a MAC packets may go to. */
function isValid(state: State): boolean {
  return state === 'reachable' || state === 'stale' || state === 'delay' || state === 'probe';
}

/** neigh_periodic_work redraws reachable_time when it last did more than 300 s ago. */
const REDRAW_INTERVAL: Nanos = 300 * SECOND;
/** neigh_forced_gc spares entries updated within the last 5 s; neigh_alloc's flush interval. */
const FORCED_GC_AGE: Nanos = 5 * SECOND;

/**
 * The Linux neighbour table (neighbour.c, arp.c `arp_process`): NUD states and timers, the
 * receive rules with locktime and arp_accept, a bounded queue per unresolved entry, and both
 * garbage collectors with their thresholds.
 *
 * Cost is O(events). Timers are per entry, cancelled by generation; a REACHABLE entry
 * confirmed again only moves `confirmed`, and its timer re-arms itself when it fires (as
 * `neigh_timer_handler` does). The periodic GC is neigh_periodic_work's sweep every
 * base_reachable_time/2, armed only while there are ≥ gc_thresh1 entries and some STALE or
 * FAILED one, and it visits only those (the kernel skips timer states too). A STALE entry's
 * `used` moves only with an input that confirms it, so between two inputs a sweep visits it
 * at most gc_stale_time/(base/2) + 1 times before deleting it. Forced GC takes FAILED
 * entries, then STALE ones oldest `updated` first, and stops at the first updated within
 * 5 s: it costs what it frees, plus one.
 *
 * Small deviations: no 10 ms timer floor (HZ/100), so REACHABLE ends at exactly confirmed +
 * reachable_time; forced GC frees by age of `updated`, not in creation order; the per-table
 * reachable_time is redrawn at its first use 300 s after the last draw, not on a sweep.
 */
export class LinuxTable implements NeighbourTable {
  /** arp_accept ≥ 1: GARPs and replies from unknown senders create entries. */
  readonly overhearsAll: boolean;
  readonly renewsOnOverheard: boolean;
  readonly #host: NeighbourHost;
  readonly #p: Readonly<LinuxParams>;
  /** The params' times in ns. */
  readonly #base: Nanos;
  readonly #delay: Nanos;
  readonly #retrans: Nanos;
  readonly #gcStale: Nanos;
  readonly #locktime: Nanos;
  readonly #entries = new Map<Ipv4, Entry>();
  /** FAILED entries (no timer): GC candidates. */
  readonly #failed = new Set<Entry>();
  /** STALE entries (no timer), in order of `updated`: GC candidates. */
  readonly #stale = new Set<Entry>();
  #reachable: Nanos = 0;
  #lastRand = -Infinity;
  #lastFlush: Nanos;
  #sweepOrigin: Nanos;
  #sweepArmed = false;
  #epoch = 0;
  readonly #count = { overflows: 0, failed: 0, gcDeleted: 0, forcedGcRuns: 0, unresDiscards: 0 };

  /** A table for `host` with `params` (see `LINUX_DEFAULTS`); throws RangeError on a bad one. */
  constructor(host: NeighbourHost, params: Readonly<LinuxParams>) {
    this.#host = host;
    this.#p = checkLinuxParams(params);
    this.overhearsAll = params.arp_accept >= 1;
    this.renewsOnOverheard = false;
    this.#base = fromMs(params.base_reachable_time_ms);
    this.#delay = fromMs(params.delay_first_probe_time_ms);
    this.#retrans = fromMs(params.retrans_time_ms);
    this.#gcStale = fromMs(params.gc_stale_time_ms);
    this.#locktime = fromMs(params.locktime_ms);
    this.#lastFlush = this.#sweepOrigin = host.engine.now; // neigh_table_init
  }

  /** Entries held, in any state. */
  get size(): number {
    return this.#entries.size;
  }

  /** ip_finish_output2: find or create the entry, then neigh_resolve_output. */
  output(ip: Ipv4, packet: Packet): void {
    const entry = this.#entries.get(ip) ?? this.#create(ip);
    if (entry === undefined) this.#host.drop(packet, 'unresolved');
    else this.#send(entry, packet);
  }

  /** arp.c `arp_process`, from the special cases down to neigh_update. */
  input(arp: ArpInput): void {
    if (arp.op !== ArpOp.REQUEST && arp.op !== ArpOp.REPLY) return;
    // RFC 5227 probe (sender 0.0.0.0): answered if for me, never learnt from.
    if (arp.senderIp === 0) return;
    // A GARP for one of my own addresses: fib_validate_source refuses the local source and
    // arp_is_garp wants a unicast sender, so nothing is learnt.
    if (arp.forMe && arp.gratuitous) return;
    if (arp.op === ArpOp.REQUEST && arp.forMe) {
      // neigh_event_ns: create if need be, STALE, always override; then the host replies.
      const entry = this.#entries.get(arp.senderIp) ?? this.#create(arp.senderIp);
      if (entry !== undefined) this.#update(entry, arp.senderMac, 'stale', true);
      return;
    }
    let entry = this.#entries.get(arp.senderIp);
    // arp_accept(): a GARP or any reply from an unknown sender creates an entry (2 acts as 1).
    if (entry === undefined && this.overhearsAll && (arp.gratuitous || arp.op === ArpOp.REPLY))
      entry = this.#create(arp.senderIp);
    if (entry === undefined) return;
    // "If several different ARP replies follow back-to-back, use the FIRST one."
    const now = this.#host.engine.now;
    const override = arp.gratuitous || this.#locktime === 0 || now > entry.updated + this.#locktime;
    // "Broadcast replies and request packets do not assert neighbour reachability."
    const wanted = arp.op === ArpOp.REPLY && !arp.broadcast ? 'reachable' : 'stale';
    this.#update(entry, arp.senderMac, wanted, override);
  }

  /** `ip neigh replace … nud reachable`: created through neigh_alloc, so it may overflow. */
  learn(ip: Ipv4, mac: Mac): void {
    const entry = this.#entries.get(ip) ?? this.#create(ip);
    if (entry !== undefined) this.#update(entry, mac, 'reachable', true);
  }

  /** A reboot: every entry and timer goes, held packets are dropped ('unresolved'). */
  clear(): void {
    this.#epoch++;
    this.#sweepArmed = false;
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    this.#failed.clear();
    this.#stale.clear();
    this.#lastFlush = this.#sweepOrigin = this.#host.engine.now;
    this.#lastRand = -Infinity;
    for (const entry of entries) {
      entry.live = false;
      entry.timer++;
      dropHeld(entry.queue, this.#host);
      this.#host.holds(entry.ip, undefined);
    }
  }

  /** The entry's NUD state, if there is an entry. */
  state(ip: Ipv4): NeighbourState | undefined {
    const state = this.#entries.get(ip)?.state;
    return state === 'none' ? undefined : state;
  }

  /** The entry's MAC in a NUD_VALID state (as `ip neigh` shows lladdr only then). */
  mac(ip: Ipv4): Mac | undefined {
    const entry = this.#entries.get(ip);
    return entry !== undefined && isValid(entry.state) ? entry.mac : undefined;
  }

  /**
   * `overflows` (neigh_alloc failed: "neighbor table overflow!"), `failed` (entries that went
   * FAILED), `gcDeleted` (both collectors), `forcedGcRuns`, `unresDiscards` (queue overflow).
   */
  counters(): Readonly<Record<string, number>> {
    return { ...this.#count };
  }

  /** neigh_alloc: forced GC when crowded; undefined when the table is full. */
  #create(ip: Ipv4): Entry | undefined {
    const now = this.#host.engine.now;
    const count = this.#entries.size;
    const { gc_thresh2, gc_thresh3 } = this.#p;
    if (count >= gc_thresh3 || (count >= gc_thresh2 && now > this.#lastFlush + FORCED_GC_AGE)) {
      if (this.#forcedGc(count + 1) === 0 && count >= gc_thresh3) {
        this.#count.overflows++;
        return undefined;
      }
    }
    const entry: Entry = {
      ip,
      state: 'none',
      mac: 0 as Mac,
      updated: now,
      confirmed: now - 2 * this.#base, // ___neigh_create: not confirmed
      used: now,
      probes: 0,
      timer: 0,
      reachable: 0,
      queue: [],
      live: true,
    };
    this.#entries.set(ip, entry);
    this.#host.holds(ip, MAC_ZERO);
    this.#armSweep();
    return entry;
  }

  /**
   * neigh_resolve_output → neigh_event_send → __neigh_event_send. A REACHABLE entry sends by its
   * cached header (neigh_hh_output) and is not marked used; only the slow path of the other
   * states is, so a busy entry goes STALE at expiry and DELAY at its next packet (measured).
   */
  #send(entry: Entry, packet: Packet): void {
    const now = this.#host.engine.now;
    if (entry.state !== 'reachable') entry.used = now;
    switch (entry.state) {
      case 'reachable':
      case 'delay':
      case 'probe':
        this.#host.transmit(packet, entry.mac);
        return;
      case 'stale':
        this.#setState(entry, 'delay');
        this.#arm(entry, now + this.#delay);
        this.#host.transmit(packet, entry.mac);
        return;
      case 'incomplete':
        this.#enqueue(entry, packet);
        return;
      case 'none':
      case 'failed':
        // A new cycle at once: Linux has no hold-down after FAILED.
        if (this.#p.mcast_solicit === 0) {
          this.#fail(entry);
          this.#host.drop(packet, 'unresolved');
          return;
        }
        entry.probes = this.#p.ucast_solicit; // so arp_solicit broadcasts
        this.#setState(entry, 'incomplete');
        this.#arm(entry, now + this.#retrans);
        this.#enqueue(entry, packet);
        this.#probe(entry); // immediate_probe
        return;
    }
  }

  /** __neigh_event_send's queue: the oldest packets go until the new one fits (≥ 1 fits). */
  #enqueue(entry: Entry, packet: Packet): void {
    const limit = Math.max(1, this.#p.unres_qlen);
    if (holdPacket(entry.queue, packet, limit, 'drop-oldest', this.#host))
      this.#count.unresDiscards++;
  }

  /**
   * __neigh_update for an ARP input or `learn`, with `wanted` REACHABLE or STALE and the
   * override flag arp_process computed.
   */
  #update(entry: Entry, mac: Mac, wanted: 'reachable' | 'stale', override: boolean): void {
    const old = entry.state;
    const oldValid = isValid(old);
    const changed = !oldValid || mac !== entry.mac;
    // Set before the override check, so even an update ignored under locktime confirms.
    if (wanted === 'reachable') entry.confirmed = this.#host.engine.now;
    let next: State = wanted;
    if (oldValid) {
      if (changed && !override) return; // locktime: the first answer wins
      // "If entry was valid and address is not changed, do not change entry state if new
      // one is STALE": a REACHABLE (or DELAY, PROBE) entry stays as it is.
      if (!changed && wanted === 'stale') next = old;
    }
    if (next === old && !changed) return;
    if (changed) {
      entry.mac = mac;
      if (oldValid) this.#host.holds(entry.ip, mac);
      if (next !== 'reachable') entry.confirmed = this.#host.engine.now - 2 * this.#base;
    }
    if (next === old) {
      // A new MAC, same state: `updated` moves, and a STALE entry to the back of the GC order.
      entry.updated = this.#host.engine.now;
      if (this.#stale.delete(entry)) this.#stale.add(entry);
      return;
    }
    if (next === 'reachable') this.#becomeReachable(entry);
    else {
      this.#setState(entry, next);
      entry.timer++; // STALE has no timer
    }
    // Now valid: send what waited, each through neigh_resolve_output (a STALE entry → DELAY).
    if (!oldValid) {
      for (const packet of entry.queue.splice(0)) {
        if (entry.live && isValid(entry.state)) this.#send(entry, packet);
        else this.#host.drop(packet, 'unresolved');
      }
    }
  }

  /** neigh_timer_handler. */
  #expire(entry: Entry): void {
    const now = this.#host.engine.now;
    switch (entry.state) {
      case 'reachable': {
        const until = entry.confirmed + this.#reachableOf(entry);
        if (now < until) {
          this.#arm(entry, until); // confirmed again meanwhile
        } else if (now <= entry.used + this.#delay) {
          this.#setState(entry, 'delay');
          this.#arm(entry, now + this.#delay);
        } else {
          this.#setState(entry, 'stale');
        }
        return;
      }
      case 'delay':
        if (now <= entry.confirmed + this.#delay) {
          this.#becomeReachable(entry);
          return;
        }
        this.#setState(entry, 'probe');
        entry.probes = 0;
        break;
      case 'incomplete':
      case 'probe':
        break;
      default: // STALE, FAILED: no timer
        return;
    }
    // neigh_max_probes: ucast + app (0) + mcast_solicit, or + mcast_resolicit when PROBE.
    const { ucast_solicit, mcast_solicit, mcast_resolicit } = this.#p;
    if (
      entry.probes >=
      ucast_solicit + (entry.state === 'probe' ? mcast_resolicit : mcast_solicit)
    ) {
      this.#fail(entry);
      return;
    }
    this.#arm(entry, now + this.#retrans);
    this.#probe(entry);
  }

  /** neigh_probe → arp_solicit: the first ucast_solicit probes are unicast to the cached MAC. */
  #probe(entry: Entry): void {
    const unicast = entry.probes < this.#p.ucast_solicit;
    entry.probes++;
    if (unicast) this.#host.request(entry.ip, entry.mac);
    else this.#host.request(entry.ip);
  }

  /** NUD_FAILED and neigh_invalidate: held packets are dropped (the sender gets an error). */
  #fail(entry: Entry): void {
    this.#setState(entry, 'failed');
    entry.timer++;
    this.#count.failed++;
    dropHeld(entry.queue, this.#host);
  }

  /** To REACHABLE until `confirmed` + reachable_time (drawn now if per entry). */
  #becomeReachable(entry: Entry): void {
    this.#setState(entry, 'reachable');
    if (this.#p.reachable_draw === 'per-entry') entry.reachable = this.#draw();
    this.#arm(entry, entry.confirmed + this.#reachableOf(entry));
  }

  /** The REACHABLE time that applies to `entry` now. */
  #reachableOf(entry: Entry): Nanos {
    if (this.#p.reachable_draw === 'per-entry') return entry.reachable;
    const now = this.#host.engine.now;
    if (now > this.#lastRand + REDRAW_INTERVAL) {
      this.#lastRand = now;
      this.#reachable = this.#draw();
    }
    return this.#reachable;
  }

  /** neigh_rand_reach_time: uniform in [base/2, 3·base/2). */
  #draw(): Nanos {
    return Math.floor(this.#base / 2) + Math.floor(this.#host.engine.random.next() * this.#base);
  }

  /** Every state change moves `updated` (and the entry's place among GC candidates). */
  #setState(entry: Entry, next: State): void {
    if (entry.state === 'stale') this.#stale.delete(entry);
    else if (entry.state === 'failed') this.#failed.delete(entry);
    if (isValid(next) !== isValid(entry.state))
      this.#host.holds(entry.ip, isValid(next) ? entry.mac : MAC_ZERO);
    entry.state = next;
    entry.updated = this.#host.engine.now;
    if (next === 'stale') this.#stale.add(entry);
    else if (next === 'failed') this.#failed.add(entry);
    else return;
    this.#armSweep();
  }

  /** mod_timer: replaces the entry's pending timer. */
  #arm(entry: Entry, time: Nanos): void {
    const generation = ++entry.timer;
    this.#host.engine.at(time, () => {
      if (entry.live && entry.timer === generation) this.#expire(entry);
    });
  }

  /** Deletes an entry (it is STALE or FAILED: no timer, no queue). */
  #remove(entry: Entry): void {
    this.#entries.delete(entry.ip);
    this.#stale.delete(entry);
    this.#failed.delete(entry);
    entry.live = false;
    entry.timer++;
    this.#count.gcDeleted++;
    this.#host.holds(entry.ip, undefined);
  }

  /**
   * neigh_forced_gc: FAILED entries and those not updated within 5 s, until the table is down
   * to gc_thresh2. Returns how many it freed.
   */
  #forcedGc(count: number): number {
    this.#count.forcedGcRuns++;
    const now = this.#host.engine.now;
    const maxClean = Math.max(1, count - this.#p.gc_thresh2);
    let shrunk = 0;
    for (const entry of this.#failed) {
      if (shrunk >= maxClean) break;
      this.#remove(entry);
      shrunk++;
    }
    for (const entry of this.#stale) {
      if (shrunk >= maxClean || entry.updated >= now - FORCED_GC_AGE) break;
      this.#remove(entry);
      shrunk++;
    }
    this.#lastFlush = now;
    return shrunk;
  }

  /** Schedules the next sweep on the base_reachable_time/2 grid, if one could delete anything. */
  #armSweep(): void {
    if (this.#sweepArmed || this.#entries.size < this.#p.gc_thresh1) return;
    if (this.#failed.size === 0 && this.#stale.size === 0) return;
    this.#sweepArmed = true;
    const period = Math.max(1, Math.floor(this.#base / 2));
    const engine = this.#host.engine;
    const time =
      this.#sweepOrigin + (Math.floor((engine.now - this.#sweepOrigin) / period) + 1) * period;
    const epoch = this.#epoch;
    engine.at(time, () => {
      if (epoch === this.#epoch) this.#sweep();
    });
  }

  /** neigh_periodic_work: FAILED entries, and unused ones older than gc_stale_time, go. */
  #sweep(): void {
    this.#sweepArmed = false;
    if (this.#entries.size >= this.#p.gc_thresh1) {
      const now = this.#host.engine.now;
      for (const entry of this.#failed) this.#remove(entry);
      for (const entry of this.#stale) {
        if (entry.used < entry.confirmed && entry.confirmed <= now) entry.used = entry.confirmed;
        if (now >= entry.used + this.#gcStale) this.#remove(entry);
      }
    }
    this.#armSweep();
  }
}

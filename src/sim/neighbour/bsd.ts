import { ArpOp } from '../../wire/arp.js';
import type { Ipv4 } from '../../wire/ipv4.js';
import { MAC_ZERO, type Mac } from '../../wire/mac.js';
import type { Packet } from '../packet.js';
import { fromMs, fromSeconds, type Nanos } from '../units.js';
import { dropHeld, holdPacket, releaseHeld } from './held-queue.js';
import type { ArpInput, NeighbourHost, NeighbourState, NeighbourTable } from './table.js';

/** The knobs of a BSD ARP cache (FreeBSD `net.link.ether.inet.*` sysctls, OpenBSD constants). */
export interface BsdParams {
  /** Lifetime of a resolved entry (FreeBSD `max_age`, OpenBSD `arpt_keep`). */
  readonly max_age_s: number;
  /** Requests per resolution, and refresh requests per entry (`maxtries`). */
  readonly maxtries: number;
  /** Least gap between two requests for one entry (FreeBSD `arpt_rexmit`, 1 s). */
  readonly rexmit_ms: number;
  /** Hold-down after `maxtries` unanswered requests (OpenBSD `arpt_down`, FreeBSD `wait`). */
  readonly down_s: number;
  /** Packets held per unresolved entry; the oldest is dropped beyond it (`maxhold`). */
  readonly maxhold: number;
  /** Create entries from every ARP request heard, not only those for this host (Hirschmann). */
  readonly learn_all_requests?: boolean;
  /**
   * Refresh requests go unicast to the cached MAC (true) or broadcast (false). FreeBSD's
   * `arptimer` sends them with `arprequest()`, which broadcasts; true is a unicast variant.
   */
  readonly refresh_unicast?: boolean;
}

/** FreeBSD defaults (`sys/netinet/if_ether.c`): 1200 s, 5 tries 1 s apart, 20 s down, 16 held. */
export const BSD_DEFAULTS: Readonly<Required<BsdParams>> = Object.freeze({
  max_age_s: 1200,
  maxtries: 5,
  rexmit_ms: 1000,
  down_s: 20,
  maxhold: 16,
  learn_all_requests: false,
  refresh_unicast: true,
});

/** What `arpkit sim --list` says about each parameter: meaning, unit and the knob it mirrors. */
export const BSD_HELP: Readonly<Record<keyof BsdParams, string>> = Object.freeze({
  max_age_s:
    'lifetime of a resolved entry, s (FreeBSD net.link.ether.inet.max_age, OpenBSD arpt_keep)',
  maxtries:
    'requests per resolution, and refresh requests per entry (net.link.ether.inet.maxtries)',
  rexmit_ms: 'least gap between two requests for one entry, ms (FreeBSD arpt_rexmit)',
  down_s:
    'hold-down after maxtries unanswered requests, s (FreeBSD net.link.ether.inet.wait, OpenBSD arpt_down)',
  maxhold:
    'packets held per unresolved entry; the oldest is dropped beyond it (net.link.ether.inet.maxhold)',
  learn_all_requests:
    'create entries from every ARP request heard, not only those for this host (Hirschmann)',
  refresh_unicast:
    "refresh requests go unicast to the cached MAC (true) or broadcast, as FreeBSD's arptimer (false)",
});

type BsdState = 'incomplete' | 'reachable' | 'probe' | 'hold-down';

/** One cache line. Times are virtual nanoseconds. */
interface Entry {
  readonly ip: Ipv4;
  mac: Mac | undefined;
  state: BsdState;
  /** Bumped to cancel the pending timer. */
  gen: number;
  /** When the pending timer fires, if one is pending. */
  timerAt: Nanos | undefined;
  /** When the entry's next step is due (the timer re-arms itself until then). */
  deadline: Nanos;
  /** Requests sent since the entry was last resolved (`la_asked`, or refreshes sent). */
  asked: number;
  lastAsked: Nanos;
  /** Resolved: the moment it expires. Hold-down: the moment the hold-down ends. */
  until: Nanos;
  /** A packet went out through the entry since it was last resolved (FreeBSD hit feedback). */
  used: boolean;
  held: Packet[] | undefined;
}

/**
 * A BSD ARP cache: traffic-driven requests at most one per `rexmit`, a 20 s hold-down after
 * `maxtries` unanswered ones (OpenBSD `arpresolve`, classic FreeBSD; "once declared down, don't
 * send for 20 secs"), and FreeBSD's refresh of used entries just before `max_age` (`arptimer`).
 * Entries learned together are therefore refreshed together.
 */
export class BsdTable implements NeighbourTable {
  readonly #host: NeighbourHost;
  readonly #maxAge: Nanos;
  readonly #rexmit: Nanos;
  readonly #down: Nanos;
  readonly #maxtries: number;
  readonly #maxhold: number;
  readonly #learnAll: boolean;
  readonly #unicast: boolean;
  readonly #entries = new Map<Ipv4, Entry>();
  #holdDowns = 0;
  #timeouts = 0;
  #expired = 0;
  #refreshLost = 0;
  #holdOverflows = 0;

  /** A table acting through `host`; `params` as in `BSD_DEFAULTS`. */
  constructor(host: NeighbourHost, params: BsdParams) {
    for (const key of ['max_age_s', 'rexmit_ms', 'maxtries'] as const) {
      if (!(params[key] > 0)) throw new RangeError(`bsd: ${key}: ${params[key]} is not above 0`);
    }
    for (const key of ['down_s', 'maxhold'] as const) {
      if (!(params[key] >= 0)) throw new RangeError(`bsd: ${key}: ${params[key]} is below 0`);
    }
    this.#host = host;
    this.#maxAge = fromSeconds(params.max_age_s);
    this.#rexmit = fromMs(params.rexmit_ms);
    this.#down = fromSeconds(params.down_s);
    this.#maxtries = params.maxtries;
    this.#maxhold = params.maxhold;
    this.#learnAll = params.learn_all_requests ?? BSD_DEFAULTS.learn_all_requests;
    this.#unicast = params.refresh_unicast ?? BSD_DEFAULTS.refresh_unicast;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Any frame from a known sender renews its entry. */
  readonly renewsOnOverheard = true;

  get overhearsAll(): boolean {
    return this.#learnAll;
  }

  output(ip: Ipv4, packet: Packet): void {
    const now = this.#host.engine.now;
    let entry = this.#entries.get(ip);
    if (entry === undefined) entry = this.#create(ip);
    switch (entry.state) {
      case 'reachable':
      case 'probe':
        entry.used = true;
        this.#host.transmit(packet, entry.mac!);
        return;
      case 'hold-down':
        // OpenBSD: RTF_REJECT with rt_expire in the future fails the send at once.
        if (now < entry.until) {
          this.#host.drop(packet, 'unresolved');
          return;
        }
        entry.state = 'incomplete';
        entry.asked = 0;
        break;
      case 'incomplete':
        break;
    }
    // OpenBSD/FreeBSD arpresolve: hold the packet (oldest dropped beyond maxhold), then ask
    // again if no request went out within rexmit; after maxtries, declare the host down.
    entry.held ??= [];
    if (holdPacket(entry.held, packet, this.#maxhold, 'drop-oldest', this.#host)) {
      this.#holdOverflows++;
    }
    if (entry.asked > 0 && now - entry.lastAsked < this.#rexmit) return;
    if (entry.asked < this.#maxtries) {
      entry.asked++;
      entry.lastAsked = now;
      this.#host.request(ip);
      // FreeBSD: an unresolved entry lives `arpt_down` after its last request.
      this.#arm(entry, now + this.#down);
      return;
    }
    entry.state = 'hold-down';
    entry.until = now + this.#down;
    dropHeld(entry.held, this.#host);
    this.#holdDowns++;
    this.#arm(entry, entry.until);
  }

  input(arp: ArpInput): void {
    if (arp.senderIp === 0) return; // an RFC 5227 probe says nothing about its sender
    const entry = this.#entries.get(arp.senderIp);
    if (entry !== undefined) {
      // FreeBSD in_arpinput → arp_check_update_lle: any frame from the sender updates it.
      this.#resolve(entry, arp.senderMac);
    } else if (arp.forMe || (this.#learnAll && arp.op === ArpOp.REQUEST)) {
      // FreeBSD: "Request/reply to our address, but no lle exists yet" creates one.
      this.#resolve(this.#create(arp.senderIp), arp.senderMac);
    }
  }

  learn(ip: Ipv4, mac: Mac): void {
    this.#resolve(this.#entries.get(ip) ?? this.#create(ip), mac);
  }

  clear(): void {
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
      timeouts: this.#timeouts,
      expired: this.#expired,
      refreshLost: this.#refreshLost,
      holdOverflows: this.#holdOverflows,
    };
  }

  #create(ip: Ipv4): Entry {
    const entry: Entry = {
      ip,
      mac: undefined,
      state: 'incomplete',
      gen: 0,
      timerAt: undefined,
      deadline: 0,
      asked: 0,
      lastAsked: 0,
      until: 0,
      used: false,
      held: undefined,
    };
    this.#entries.set(ip, entry);
    this.#host.holds(ip, MAC_ZERO);
    return entry;
  }

  /**
   * FreeBSD `arp_mark_lle_reachable`: valid for `max_age`, checked again at
   * `max_age − maxtries × rexmit` (or at `max_age` if that is negative). Held packets go out.
   */
  #resolve(entry: Entry, mac: Mac): void {
    const now = this.#host.engine.now;
    entry.mac = mac;
    this.#host.holds(entry.ip, mac);
    entry.state = 'reachable';
    entry.asked = 0;
    entry.used = false;
    entry.until = now + this.#maxAge;
    const verify = this.#maxAge - this.#maxtries * this.#rexmit;
    this.#arm(entry, verify < 0 ? entry.until : now + verify);
    if (entry.held !== undefined && entry.held.length > 0) {
      releaseHeld(entry.held, mac, this.#host);
    }
  }

  #due(entry: Entry): void {
    const now = this.#host.engine.now;
    switch (entry.state) {
      case 'incomplete':
        this.#timeouts++;
        this.#delete(entry);
        return;
      case 'hold-down':
        this.#delete(entry);
        return;
      case 'reachable':
      case 'probe':
        break;
    }
    if (now >= entry.until) {
      if (entry.asked > 0) this.#refreshLost++;
      else this.#expired++;
      this.#delete(entry);
      return;
    }
    // FreeBSD arptimer, ARP_LLINFO_VERIFY: a used entry sends up to maxtries refresh requests,
    // one per rexmit; an unused one is left to expire at max_age. (FreeBSD's first request goes
    // out one rexmit after the entry turns VERIFY, and only for use seen since then; here the
    // first goes out at max_age − maxtries × rexmit, for use since the entry was resolved.)
    if (entry.used && entry.asked < this.#maxtries) {
      entry.asked++;
      entry.state = 'probe';
      if (this.#unicast) this.#host.request(entry.ip, entry.mac);
      else this.#host.request(entry.ip);
    }
    this.#arm(entry, Math.min(now + this.#rexmit, entry.until));
  }

  #delete(entry: Entry): void {
    entry.gen++;
    entry.timerAt = undefined;
    this.#entries.delete(entry.ip);
    if (entry.held !== undefined) dropHeld(entry.held, this.#host);
    this.#host.holds(entry.ip, undefined);
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

  #fire(entry: Entry, gen: number): void {
    if (entry.gen !== gen) return;
    entry.timerAt = undefined;
    if (this.#host.engine.now < entry.deadline) this.#arm(entry, entry.deadline);
    else this.#due(entry);
  }
}

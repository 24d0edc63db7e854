import type { Ipv4 } from '../../wire/ipv4.js';
import type { Mac } from '../../wire/mac.js';
import type { Engine } from '../engine.js';
import type { LossCause } from '../loss.js';
import type { Packet } from '../packet.js';

/**
 * The state of one neighbour entry, named as the system it imitates names it: Linux NUD states
 * (neighbour.c), plus `hold-down` for a BSD or router entry that gave up and refuses to resolve
 * for a while (FreeBSD `arpt_down`, OpenBSD RTF_REJECT).
 */
export type NeighbourState =
  'incomplete' | 'reachable' | 'stale' | 'delay' | 'probe' | 'failed' | 'hold-down';

/** An ARP frame that reached a host's ARP input (after its policer), as the table sees it. */
export interface ArpInput {
  /** `ArpOp.REQUEST` or `ArpOp.REPLY`. */
  readonly op: number;
  readonly senderMac: Mac;
  readonly senderIp: Ipv4;
  readonly targetMac: Mac;
  readonly targetIp: Ipv4;
  /** The Ethernet destination was broadcast (Linux: a broadcast reply makes STALE, not REACHABLE). */
  readonly broadcast: boolean;
  /** The target IP is one of this host's addresses (the host replies to such a request itself). */
  readonly forMe: boolean;
  /** Gratuitous: sender IP = target IP (a reply also needs target MAC = sender MAC). */
  readonly gratuitous: boolean;
}

/** What a neighbour table may do to the world: the host around it. */
export interface NeighbourHost {
  /** Virtual time (`engine.now`), timers (`engine.at`/`after`) and the run's random source. */
  readonly engine: Engine;
  /** Sends an ARP request for `target`: broadcast, or unicast to `mac` (a NUD unicast probe). */
  request(target: Ipv4, mac?: Mac): void;
  /** Sends a packet, now or after it was held, to `mac` (the entry's MAC). */
  transmit(packet: Packet, mac: Mac): void;
  /** Counts a packet the table could not send and will not send. */
  drop(packet: Packet, cause: LossCause): void;
  /**
   * Says what the table's entry for `ip` is to overheard frames: `mac`, the MAC a valid entry
   * holds (a frame from that same MAC then changes nothing, unless the table `renewsOnOverheard`);
   * MAC_ZERO for an entry without a valid MAC (any frame about `ip` may matter); undefined once
   * the entry is gone. The network delivers overheard broadcasts by it: a table that does not
   * say so never hears them. Call it on creation, deletion and each change; repeats are harmless.
   */
  holds(ip: Ipv4, mac: Mac | undefined): void;
}

/**
 * One host's ARP cache with its policy (Linux, Windows, BSD, router). It is driven by the host:
 * `output` for every IP packet to an on-link next hop, `input` for every ARP frame the host
 * receives. It schedules its own timers on the engine and acts through its `NeighbourHost`.
 */
export interface NeighbourTable {
  /** Sends `packet` to next hop `ip`: at once if resolved, else holds it, resolves, or drops it. */
  output(ip: Ipv4, packet: Packet): void;
  /** Applies the table's rules to a received ARP frame (the host answers requests itself). */
  input(arp: ArpInput): void;
  /** Adds a resolved entry as if just confirmed (scenario set-up: a warm cache at time 0). */
  learn(ip: Ipv4, mac: Mac): void;
  /** Forgets every entry and timer (a reboot). */
  clear(): void;
  /** The state of the entry for `ip`, if there is one. */
  state(ip: Ipv4): NeighbourState | undefined;
  /** The MAC the entry for `ip` holds, if any. */
  mac(ip: Ipv4): Mac | undefined;
  /** Entries held, in any state. */
  readonly size: number;
  /**
   * Whether this table learns from ARP frames about addresses it holds no entry for and that
   * are not for this host (e.g. Linux arp_accept=1 creating entries from GARPs, or a switch that
   * learns passively from every request): the network then delivers every ARP frame to it.
   */
  readonly overhearsAll: boolean;
  /**
   * Whether an overheard frame from the MAC an entry already holds still matters (BSD and
   * router tables renew the entry's lifetime on it); Linux ignores it, so the network spares it.
   */
  readonly renewsOnOverheard: boolean;
  /** Counters a summary reports: name → count (e.g. `overflows`, `expired`, `refreshLost`). */
  counters(): Readonly<Record<string, number>>;
}

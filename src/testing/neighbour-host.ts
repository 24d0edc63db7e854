import type { Ipv4 } from '../wire/ipv4.js';
import type { Mac } from '../wire/mac.js';
import { Engine } from '../sim/engine.js';
import type { LossCause } from '../sim/loss.js';
import type { NeighbourHost } from '../sim/neighbour/table.js';
import type { Packet } from '../sim/packet.js';
import type { Nanos } from '../sim/units.js';

/** A request a table sent, and when. */
export interface SentRequest {
  readonly time: Nanos;
  readonly target: Ipv4;
  /** The unicast destination of a probe; undefined for a broadcast. */
  readonly mac: Mac | undefined;
}

/**
 * A `NeighbourHost` that records what a table does, on a real engine, for unit tests of the
 * neighbour policies: requests, packets sent (with their MAC and time), drops with causes, and
 * which IPs the table says it holds.
 */
export class RecordingHost implements NeighbourHost {
  readonly engine: Engine;
  readonly requests: SentRequest[] = [];
  readonly sent: { time: Nanos; packet: Packet; mac: Mac }[] = [];
  readonly dropped: { time: Nanos; packet: Packet; cause: LossCause }[] = [];
  readonly held = new Set<Ipv4>();
  /** The MAC each held entry last reported (MAC_ZERO: none valid). */
  readonly heldMacs = new Map<Ipv4, Mac>();
  #seq = 0;

  constructor(seed = 1) {
    this.engine = new Engine(seed);
  }

  request(target: Ipv4, mac?: Mac): void {
    this.requests.push({ time: this.engine.now, target, mac });
  }

  transmit(packet: Packet, mac: Mac): void {
    this.sent.push({ time: this.engine.now, packet, mac });
  }

  drop(packet: Packet, cause: LossCause): void {
    this.dropped.push({ time: this.engine.now, packet, cause });
  }

  holds(ip: Ipv4, mac: Mac | undefined): void {
    if (mac === undefined) {
      if (!this.held.delete(ip)) throw new Error(`holds(${ip}, undefined) for an entry not held`);
      this.heldMacs.delete(ip);
    } else {
      this.held.add(ip);
      this.heldMacs.set(ip, mac);
    }
  }

  /** A new packet to `destination`, sent now (flow 0, numbered in order). */
  packet(destination: Ipv4): Packet {
    return { flow: 0, seq: this.#seq++, sentAt: this.engine.now, source: 0 as Ipv4, destination };
  }
}

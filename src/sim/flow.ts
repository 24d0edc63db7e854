import type { Ipv4 } from '../wire/ipv4.js';
import type { Engine } from './engine.js';
import type { Host } from './host.js';
import type { Packet } from './packet.js';
import type { Lane } from './lane.js';
import type { Nanos } from './units.js';

/** A stream of packets at a fixed rate from a host to an address. */
export interface FlowSpec {
  /** A name for summaries, e.g. "peer→g3". */
  readonly name: string;
  /** The address packets go to. */
  readonly to: Ipv4;
  /** Time between packets. */
  readonly interval: Nanos;
  /** The first packet's time. */
  readonly start: Nanos;
}

/**
 * A running flow: one event per packet. Its sender can change while it runs (downstream
 * traffic follows the gateway that holds the VIP); a packet whose sender is down is lost.
 */
export class Flow {
  #seq = 0;
  readonly #lane: Lane;
  // The spec's numbers, copied: each packet reads them, and one object is one cache miss fewer.
  readonly #to: Ipv4;
  readonly #interval: Nanos;
  readonly #start: Nanos;
  /** Packets sent so far. */
  get sent(): number {
    return this.#seq;
  }

  constructor(
    readonly index: number,
    readonly spec: FlowSpec,
    public from: Host,
    readonly engine: Engine,
  ) {
    this.#lane = engine.lane(spec.interval);
    this.#to = spec.to;
    this.#interval = spec.interval;
    this.#start = spec.start;
  }

  /** The time packet `seq` is sent. */
  sentAt(seq: number): Nanos {
    return this.#start + seq * this.#interval;
  }

  /** Schedules its packets until `end` (exclusive). */
  start(end: Nanos): void {
    if (this.#start < end) this.engine.at(this.#start, tick, this, end);
  }

  /** Sends the next packet and schedules the one after (one lane: every packet one interval on). */
  send(end: Nanos): void {
    const seq = this.#seq++;
    const packet: Packet = {
      flow: this.index,
      seq,
      sentAt: this.engine.now,
      source: this.from.ip,
      destination: this.#to,
    };
    this.from.sendPacket(packet);
    if (this.sentAt(seq + 1) < end) this.engine.later(this.#lane, tick, this, end);
  }
}

function tick(flow: Flow, end: Nanos): void {
  flow.send(end);
}

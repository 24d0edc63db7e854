import type { Engine } from './engine.js';
import type { SimFrame } from './frame.js';
import type { LossCause } from './loss.js';
import type { Lane } from './lane.js';
import type { Nanos } from './units.js';

/** Something frames arrive at: a host, a switch, a bond. */
export interface SimNode {
  readonly name: string;
  /** Takes a frame that arrived on `port` at the engine's current time. */
  receive(frame: SimFrame, port: Port): void;
}

/** Where a frame that could not go on is reported (only data packets count as loss). */
export type LoseFrame = (frame: SimFrame, cause: LossCause) => void;

/**
 * The last stop of a data packet: a node that does nothing with one but count it (an end host,
 * not a router or a switch).
 */
export interface PacketSink {
  /** Takes data frame `frame` arriving at `time`, which may be a cable's latency from now. */
  packetArrives(frame: SimFrame, time: Nanos): void;
}

/** Sees every frame a port sends or receives, at the time it does (a capture point). */
export type PortTap = (frame: SimFrame, time: Nanos) => void;

/** One interface of a node; at most one link plugs into it. */
export class Port {
  link: Link | undefined;
  /** A capture on this port, if one was asked for. */
  tap: PortTap | undefined;
  /** Set when the port's node is a `PacketSink`. */
  sink: PacketSink | undefined;

  constructor(
    readonly node: SimNode,
    readonly name: string,
  ) {}

  /** The port at the far end of its link, if it has one. */
  get peer(): Port | undefined {
    const link = this.link;
    if (link === undefined) return undefined;
    return link.a === this ? link.b : link.a;
  }

  /** Sends `frame` out of this port (lost as `link-down` without a working link). */
  send(frame: SimFrame): void {
    const link = this.link;
    if (link === undefined) throw new Error(`port ${this.name} of ${this.node.name} has no link`);
    link.carry(this, frame);
  }
}

/** How a link behaves; times in ns. */
export interface LinkOptions {
  /** One-way delay. */
  readonly latency: Nanos;
  /** After the link comes up, how long each end waits before it forwards (STP, LACP, a slow PHY). */
  readonly readyDelayA?: Nanos;
  readonly readyDelayB?: Nanos;
}

/**
 * A full-duplex cable between two ports: a one-way latency, up or down, and per end a
 * forwarding-ready delay after it comes up (link-up asymmetry: one side sends before the other
 * listens). A frame is lost as `link-down` if the link is down or its sending end is not yet
 * forwarding when it is sent, or if the link is down or the receiving end not forwarding when
 * it arrives.
 */
export class Link {
  readonly a: Port;
  readonly b: Port;
  readonly latency: Nanos;
  readonly readyDelayA: Nanos;
  readonly readyDelayB: Nanos;
  readonly #lane: Lane;
  #up = true;
  #readyAtA: Nanos = 0;
  #readyAtB: Nanos = 0;
  /** Called when the link goes down or up (switches flush their FDB on down). */
  readonly watchers: ((link: Link, up: boolean) => void)[] = [];

  constructor(
    readonly engine: Engine,
    a: Port,
    b: Port,
    options: LinkOptions,
    readonly lose: LoseFrame,
  ) {
    if (a.link !== undefined || b.link !== undefined) {
      throw new Error(`link ${a.node.name}:${a.name}–${b.node.name}:${b.name}: a port is taken`);
    }
    this.a = a;
    this.b = b;
    this.latency = options.latency;
    this.readyDelayA = options.readyDelayA ?? 0;
    this.readyDelayB = options.readyDelayB ?? 0;
    this.#lane = engine.lane(this.latency);
    a.link = this;
    b.link = this;
  }

  /** Whether it carries frames (its carrier), whatever the ends' readiness. */
  get up(): boolean {
    return this.#up;
  }

  /** Takes the link down or brings it up (then each end forwards after its ready delay). */
  setUp(up: boolean): void {
    if (up === this.#up) return;
    this.#up = up;
    if (up) {
      this.#readyAtA = this.engine.now + this.readyDelayA;
      this.#readyAtB = this.engine.now + this.readyDelayB;
    }
    for (const watcher of this.watchers) watcher(this, up);
  }

  /** Whether the end at `port` forwards at `time`. */
  forwards(port: Port, time: Nanos): boolean {
    return this.#up && time >= (port === this.a ? this.#readyAtA : this.#readyAtB);
  }

  /** Carries `frame` from `from` to the other end, `latency` later. */
  carry(from: Port, frame: SimFrame): void {
    const engine = this.engine;
    if (!this.forwards(from, engine.now)) {
      this.lose(frame, 'link-down');
      return;
    }
    from.tap?.(frame, engine.now);
    const to = from === this.a ? this.b : this.a;
    const sink = to.sink;
    if (sink !== undefined && frame.packet !== undefined && to.tap === undefined) {
      // A data packet's last hop: its receiver only counts it, so it is counted now, stamped
      // with its arrival time, and saves an event (a third of a packet's). The far end's state
      // is read now, `latency` early; a capture on it takes the exact path.
      const time = engine.now + this.latency;
      if (this.forwards(to, time)) sink.packetArrives(frame, time);
      else this.lose(frame, 'link-down');
      return;
    }
    engine.later(this.#lane, arrive, frame, to);
  }
}

/** A frame reaches `to` at the far end of its link (lost if that end is not forwarding now). */
function arrive(frame: SimFrame, to: Port): void {
  const link = to.link!;
  const now = link.engine.now;
  if (!link.forwards(to, now)) {
    link.lose(frame, 'link-down');
    return;
  }
  to.tap?.(frame, now);
  to.node.receive(frame, to);
}

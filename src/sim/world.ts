import type { Ipv4 } from '../wire/ipv4.js';
import type { Mac } from '../wire/mac.js';
import { Engine } from './engine.js';
import { Flow, type FlowSpec } from './flow.js';
import type { Host } from './host.js';
import type { Port } from './link.js';
import { Network } from './network.js';
import { Stats } from './stats.js';
import type { Nanos } from './units.js';

/** Width of a timeline bin. */
export const TIMELINE_BIN: Nanos = 100_000_000;

/**
 * Everything one run builds on: the engine, the network, its flows and what it measures, the
 * ports a capture may be taken on, and the scenario's extra figures.
 */
export class World {
  readonly engine: Engine;
  readonly stats: Stats;
  readonly network: Network;
  readonly flows: Flow[] = [];
  /** Capture points by name (`--capture NAME`). */
  readonly capturePoints = new Map<string, Port>();
  /** Figures the scenario reports beside the standard ones, computed after the run. */
  readonly details: (() => Record<string, number | string>)[] = [];

  constructor(
    seed: number,
    readonly end: Nanos,
  ) {
    this.engine = new Engine(seed);
    this.stats = new Stats(TIMELINE_BIN, end);
    this.network = new Network(this.engine, this.stats);
  }

  /** Starts a flow from `from`. */
  flow(spec: FlowSpec, from: Host): Flow {
    const flow = new Flow(this.flows.length, spec, from, this.engine);
    this.flows.push(flow);
    flow.start(this.end);
    return flow;
  }

  /** Runs `action` at `time`, marked on the timeline as `label`. */
  event(time: Nanos, label: string, action: () => void): void {
    this.stats.mark(time, label);
    this.engine.at(time, action);
  }

  /** Makes `time` the moment recovery is measured from. */
  trigger(time: Nanos): void {
    this.stats.trigger = time;
  }

  /** Offers `port` for capture as `name`. */
  capturePoint(name: string, port: Port): void {
    this.capturePoints.set(name, port);
  }
}

/** The n-th address of a block (n from 0): `base + n`. */
export function nthIp(base: Ipv4, n: number): Ipv4 {
  return ((base + n) >>> 0) as Ipv4;
}

/** The n-th MAC of a block: `base + n`. */
export function nthMac(base: Mac, n: number): Mac {
  return (base + n) as Mac;
}

import type { SimFrame } from './frame.js';
import { type LoseFrame, Port, type SimNode } from './link.js';

/**
 * A Linux bond in active-backup mode between a host side (`inner`, e.g. the host's bridge) and
 * its slaves: frames from the host leave by the active slave only; frames arriving on a backup
 * slave are dropped (bonding's `bond_should_deliver_exact_match` rule), counted as `wrong-port`.
 */
export class Bond implements SimNode {
  readonly inner: Port;
  readonly slaves: Port[] = [];
  #active = 0;
  /** Failovers so far. */
  failovers = 0;

  constructor(
    readonly name: string,
    readonly lose: LoseFrame,
  ) {
    this.inner = new Port(this, 'inner');
  }

  /** A new slave port (plug a link into it). */
  addSlave(name: string): Port {
    const port = new Port(this, name);
    this.slaves.push(port);
    return port;
  }

  /** The active slave. */
  get active(): Port {
    const port = this.slaves[this.#active];
    if (port === undefined) throw new Error(`bond ${this.name} has no slaves`);
    return port;
  }

  /** Makes the slave at `index` active (bonding's failover). */
  failover(index: number): void {
    if (index < 0 || index >= this.slaves.length)
      throw new RangeError(`bond ${this.name}: no slave ${index}`);
    this.#active = index;
    this.failovers++;
  }

  receive(frame: SimFrame, port: Port): void {
    if (port === this.inner) {
      this.active.send(frame);
    } else if (port === this.active) {
      this.inner.send(frame);
    } else {
      this.lose(frame, 'wrong-port');
    }
  }
}

import type { Ipv4 } from '../wire/ipv4.js';
import type { Nanos } from './units.js';

/** One data packet of a traffic flow (a UDP datagram on the wire). */
export interface Packet {
  /** Index of its flow in the run. */
  readonly flow: number;
  /** Its number within the flow, from 0. */
  readonly seq: number;
  /** When its sender handed it to its IP layer. */
  readonly sentAt: Nanos;
  readonly source: Ipv4;
  readonly destination: Ipv4;
}

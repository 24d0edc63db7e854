import type { Mac } from '../../wire/mac.js';
import type { Packet } from '../packet.js';
import type { NeighbourHost } from './table.js';

/**
 * Which packet a full hold queue gives up: the oldest held (FreeBSD `lltable_append_entry_queue`,
 * Linux `__neigh_event_send`) or the one arriving (a router's single glean slot, Cisco).
 */
export type HoldOverflow = 'drop-oldest' | 'drop-newest';

/**
 * Holds `packet` for an unresolved neighbour in `queue` (oldest first, at most `limit`). When the
 * queue is full, drops the oldest held packet or `packet` itself, as `overflow` says, with cause
 * 'unresolved'. Returns whether a packet was dropped.
 */
export function holdPacket(
  queue: Packet[],
  packet: Packet,
  limit: number,
  overflow: HoldOverflow,
  host: NeighbourHost,
): boolean {
  if (queue.length < limit) {
    queue.push(packet);
    return false;
  }
  if (overflow === 'drop-oldest' && limit > 0) {
    host.drop(queue.shift()!, 'unresolved');
    queue.push(packet);
  } else {
    host.drop(packet, 'unresolved');
  }
  return true;
}

/** Sends every held packet to `mac` in the order it was held, and empties `queue`. */
export function releaseHeld(queue: Packet[], mac: Mac, host: NeighbourHost): void {
  const packets = queue.splice(0, queue.length);
  for (const packet of packets) host.transmit(packet, mac);
}

/** Drops every held packet with cause 'unresolved', and empties `queue`. */
export function dropHeld(queue: Packet[], host: NeighbourHost): void {
  const packets = queue.splice(0, queue.length);
  for (const packet of packets) host.drop(packet, 'unresolved');
}

import type { Ipv4 } from '../wire/ipv4.js';
import type { Mac } from '../wire/mac.js';
import type { Host } from './host.js';

/** The hosts filed under one key: one host as itself (most keys), several in a set. */
export type Hosts = Host | Set<Host>;

/** `hosts` with `host` added (a new set when a second one comes). */
function withHost(hosts: Hosts | undefined, host: Host): Hosts {
  if (hosts === undefined || hosts === host) return host;
  if (hosts instanceof Set) return hosts.add(host);
  return new Set([hosts, host]);
}

/** `hosts` without `host` (back to one host, or none). */
function withoutHost(hosts: Hosts, host: Host): Hosts | undefined {
  if (!(hosts instanceof Set)) return hosts === host ? undefined : hosts;
  hosts.delete(host);
  if (hosts.size > 1) return hosts;
  return hosts.size === 1 ? hosts.values().next().value : undefined;
}

/**
 * Hosts filed under keys (an IP they own, a MAC): a key with one host keeps it without a set,
 * so an index of 10,000 hosts costs 10,000 map entries, not 10,000 sets.
 */
export class HostIndex<K> {
  readonly #map = new Map<K, Hosts>();

  /** The hosts under `key`, if any. */
  get(key: K): Hosts | undefined {
    return this.#map.get(key);
  }

  /** Files `host` under `key` (or takes it out). */
  set(key: K, host: Host, present: boolean): void {
    const hosts = this.#map.get(key);
    const next = present ? withHost(hosts, host) : hosts && withoutHost(hosts, host);
    if (next === undefined) this.#map.delete(key);
    else if (next !== hosts) this.#map.set(key, next);
  }
}

/** The hosts whose entries for one IP hold one MAC; the next group holds another MAC. */
interface MacGroup {
  readonly mac: Mac;
  hosts: Hosts;
  next: MacGroup | undefined;
}

/**
 * For each IP, the hosts whose neighbour entry for it holds each MAC (MAC_ZERO: none valid),
 * as a short list of groups per IP: usually every holder agrees, so an IP costs one group.
 */
export class HolderIndex {
  readonly #map = new Map<Ipv4, MacGroup>();

  /** The first group of holders of `ip`, if any (follow `next` for the others). */
  groups(ip: Ipv4): MacGroup | undefined {
    return this.#map.get(ip);
  }

  /** Moves `host` from the group of `before` to that of `after` (undefined: none). */
  move(ip: Ipv4, host: Host, before: Mac | undefined, after: Mac | undefined): void {
    if (before !== undefined) this.#remove(ip, host, before);
    if (after === undefined) return;
    let group = this.#map.get(ip);
    while (group !== undefined && group.mac !== after) group = group.next;
    if (group !== undefined) group.hosts = withHost(group.hosts, host);
    else this.#map.set(ip, { mac: after, hosts: host, next: this.#map.get(ip) });
  }

  #remove(ip: Ipv4, host: Host, mac: Mac): void {
    let previous: MacGroup | undefined;
    let group = this.#map.get(ip);
    while (group !== undefined && group.mac !== mac) {
      previous = group;
      group = group.next;
    }
    if (group === undefined) return;
    const rest = withoutHost(group.hosts, host);
    if (rest !== undefined) {
      group.hosts = rest;
    } else if (previous !== undefined) {
      previous.next = group.next;
    } else if (group.next !== undefined) {
      this.#map.set(ip, group.next);
    } else {
      this.#map.delete(ip);
    }
  }
}

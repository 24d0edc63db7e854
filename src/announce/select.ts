import {
  AddressScope,
  type FdbEntry,
  type HostAddress,
  type HostLink,
  type HostSnapshot,
} from '../host/snapshot.js';
import type { Ipv4 } from '../wire/ipv4.js';
import type { Ipv6 } from '../wire/ipv6.js';
import { isUnicastMac, type Mac } from '../wire/mac.js';
import { formatAnnounceIp } from './announce-ip.js';
import { announceRefusal, type Topology } from './egress.js';
import { nameList, PlanError } from './plan-error.js';

/** An address given with `--ip`. */
export type AnnounceIp =
  { readonly family: 'ipv4'; readonly ip: Ipv4 } | { readonly family: 'ipv6'; readonly ip: Ipv6 };

/** What `arpkit announce` is asked to announce, as the CLI parsed it from argv. */
export interface AnnounceOptions {
  /** `--iface` (repeatable): these links' MACs and addresses. */
  readonly ifaces: readonly string[];
  /** `--all`: every link with a MAC of its own that uses ARP. */
  readonly all: boolean;
  /** `--guests [BRIDGE]` (repeatable): the guests behind these bridges; `all` for every bridge. */
  readonly guests: readonly string[] | 'all' | undefined;
  /** `--ip` (repeatable): these addresses, from the link they are configured on. */
  readonly ips: readonly AnnounceIp[];
  /** `--uplink` (repeatable): bridge ports to announce on instead of those found by kind. */
  readonly uplinks: readonly string[];
  /** What announces a MAC without an address: an RFC 903 RARP or a send_arp-style ARP. */
  readonly macFrame: 'rarp' | 'learn';
  /** `--force`: announce an `--ip` this host does not have, taking it from its owner. */
  readonly force: boolean;
}

/** Why a frame is planned: the selector that asked for it. */
export type PlanSource = 'iface' | 'all' | 'guest' | 'ip';

/** A MAC of this host to announce from `link`, with the addresses that go with it. */
export interface Subject {
  readonly source: Exclude<PlanSource, 'guest'>;
  readonly link: HostLink;
  readonly mac: Mac;
  readonly ipv4: readonly Ipv4[];
  readonly ipv6: readonly Ipv6[];
  /** What a note calls it: the link's name, or the address for `--ip`. */
  readonly label: string;
}

/** A bridge whose guests are announced, with their FDB entries in MAC, then VLAN order. */
export interface GuestBridge {
  readonly bridge: HostLink;
  readonly entries: readonly FdbEntry[];
}

/** What the selectors chose, in selector order (`--iface`, `--ip`, `--all`, `--guests`). */
export interface Selection {
  readonly subjects: readonly Subject[];
  readonly guests: readonly GuestBridge[];
  /** Bridges left out of a bare `--guests`, one line each. */
  readonly notes: readonly string[];
}

/** An address worth announcing: never scope host or nowhere, and no IPv6 still in DAD. */
function usable(address: HostAddress): boolean {
  if (address.scope === AddressScope.HOST || address.scope === AddressScope.NOWHERE) return false;
  return address.family === 'ipv4' || !address.tentative;
}

/** Why `address` is not announced, when `usable` says no. */
function unusableReason(address: HostAddress): string {
  return address.family === 'ipv6' && address.tentative
    ? 'is still tentative (duplicate address detection has not finished); expected an address in use'
    : `has scope ${address.scope === AddressScope.HOST ? 'host' : 'nowhere'}; expected an address the network can reach`;
}

/** True when `--guests` asks for some bridge (bare, or naming at least one). */
function guestsSelected(options: AnnounceOptions): boolean {
  return options.guests === 'all' || (options.guests?.length ?? 0) > 0;
}

/** Throws the PlanError that asks for a selector when `options` has none. */
export function requireSelector(options: AnnounceOptions): void {
  if (options.ifaces.length > 0 || options.all || options.ips.length > 0) return;
  if (!guestsSelected(options)) {
    throw new PlanError('choose what to announce: --iface, --all, --guests or --ip');
  }
}

/** Chooses what to announce from `snapshot`; throws a PlanError for a request it must refuse. */
export function selectSubjects(
  snapshot: HostSnapshot,
  topology: Topology,
  options: AnnounceOptions,
): Selection {
  const guestsAsked = guestsSelected(options);
  const byLink = new Map<number, HostAddress[]>();
  for (const address of snapshot.addresses) {
    if (!usable(address)) continue;
    const list = byLink.get(address.index);
    if (list === undefined) byLink.set(address.index, [address]);
    else list.push(address);
  }
  const subjectOf = (link: HostLink, source: Subject['source']): Subject => {
    const addresses = byLink.get(link.index) ?? [];
    return {
      source,
      link,
      mac: link.mac!,
      ipv4: addresses.flatMap((a) => (a.family === 'ipv4' ? [a.ip] : [])),
      ipv6: addresses.flatMap((a) => (a.family === 'ipv6' ? [a.ip] : [])),
      label: link.name,
    };
  };
  const ifaces = namedIfaces(snapshot, options.ifaces);
  const subjects = ifaces.map((link) => subjectOf(link, 'iface'));
  for (const ip of options.ips) subjects.push(...ipSubjects(snapshot, ip, ifaces, options.force));
  if (options.all) {
    const given = new Set(ifaces.map((link) => link.index));
    for (const link of snapshot.links) {
      if (given.has(link.index) || announceRefusal(link) !== undefined) continue;
      subjects.push(subjectOf(link, 'all'));
    }
  }
  const notes: string[] = [];
  const guests = guestsAsked
    ? guestBridges(snapshot, topology, options.guests ?? 'all', notes)
    : [];
  return { subjects, guests, notes };
}

/** The `--iface` links by index, each checked to exist and to be able to announce. */
function namedIfaces(snapshot: HostSnapshot, names: readonly string[]): HostLink[] {
  const links = new Map<number, HostLink>();
  for (const name of names) {
    const link = snapshot.linkNamed(name);
    if (link === undefined) {
      const all = snapshot.links.map((each) => each.name);
      throw new PlanError(`--iface: no link named "${name}" (links: ${nameList(all)})`);
    }
    const refusal = announceRefusal(link);
    if (refusal !== undefined) {
      throw new PlanError(
        `--iface: ${name} ${refusal}; expected a link that uses ARP and has a unicast MAC`,
      );
    }
    links.set(link.index, link);
  }
  return [...links.values()].sort((a, b) => a.index - b.index);
}

/**
 * The links that announce `--ip` `ip`: those it is configured on; for an address this host does
 * not have, with `force`, the one `--iface`.
 */
function ipSubjects(
  snapshot: HostSnapshot,
  ip: AnnounceIp,
  ifaces: readonly HostLink[],
  force: boolean,
): Subject[] {
  const text = formatAnnounceIp(ip);
  const subject = (link: HostLink): Subject => ({
    source: 'ip',
    link,
    mac: link.mac!,
    ipv4: ip.family === 'ipv4' ? [ip.ip] : [],
    ipv6: ip.family === 'ipv6' ? [ip.ip] : [],
    label: text,
  });
  const configured = snapshot.addresses.filter(
    (address) => address.family === ip.family && address.ip === ip.ip,
  );
  const subjects: Subject[] = [];
  let refusal: string | undefined;
  for (const address of configured) {
    const link = snapshot.link(address.index);
    if (link === undefined) continue;
    const linkRefusal = announceRefusal(link);
    if (linkRefusal !== undefined) {
      refusal ??= `is on ${link.name}, which ${linkRefusal}; expected an address of a link that uses ARP and has a unicast MAC`;
    } else if (!usable(address)) {
      refusal ??= `on ${link.name} ${unusableReason(address)}`;
    } else if (!subjects.some((each) => each.link === link)) {
      subjects.push(subject(link));
    }
  }
  if (subjects.length > 0) return subjects.sort((a, b) => a.link.index - b.link.index);
  if (refusal !== undefined) throw new PlanError(`--ip: ${text} ${refusal}`);
  if (!force) {
    throw new PlanError(
      `--ip: ${text} is not configured on this host: announcing it would take the address from its owner; --force does it anyway`,
    );
  }
  const [only, ...more] = ifaces;
  if (only === undefined || more.length > 0) {
    const given =
      ifaces.length === 0 ? 'none given' : `given ${nameList(ifaces.map((l) => l.name))}`;
    throw new PlanError(
      `--ip: ${text} is not configured on this host: name the interface to announce it on with exactly one --iface (${given})`,
    );
  }
  return [subject(only)];
}

/**
 * The bridges whose guests are announced: those `--guests` names (each a bridge with an uplink),
 * or with a bare `--guests` every bridge that has an uplink (the others are noted).
 */
function guestBridges(
  snapshot: HostSnapshot,
  topology: Topology,
  names: readonly string[] | 'all',
  notes: string[],
): GuestBridge[] {
  const bridgeNames = topology.bridges.map((bridge) => bridge.name);
  const bridges: HostLink[] = [];
  if (names === 'all') {
    // As a failover hook, `--all --guests` must also work on a host without a bridge.
    if (topology.bridges.length === 0)
      notes.push('--guests: this host has no bridge, so no guests');
    for (const bridge of topology.bridges) {
      if (topology.uplinksOf(bridge).length > 0) {
        bridges.push(bridge);
        continue;
      }
      notes.push(
        `--guests: ${bridge.name} has no uplink: its guests are not announced (name one with --uplink)`,
      );
    }
  } else {
    const chosen = new Map<number, HostLink>();
    for (const name of names) {
      const link = snapshot.linkNamed(name);
      if (link === undefined) {
        throw new PlanError(
          `--guests: no bridge named "${name}" (bridges: ${nameList(bridgeNames)})`,
        );
      }
      if (link.kind !== 'bridge') {
        throw new PlanError(
          `--guests: ${name} is not a bridge (bridges: ${nameList(bridgeNames)})`,
        );
      }
      if (topology.uplinksOf(link).length === 0) {
        throw new PlanError(
          `--guests: ${name} has no uplink to announce its guests on: name one with --uplink`,
        );
      }
      chosen.set(link.index, link);
    }
    bridges.push(...[...chosen.values()].sort((a, b) => a.index - b.index));
  }
  return bridges.map((bridge) => ({ bridge, entries: guestEntries(snapshot, topology, bridge) }));
}

/** A bridge's guests: static and learned entries on ports that are not uplinks, not its own. */
function guestEntries(snapshot: HostSnapshot, topology: Topology, bridge: HostLink): FdbEntry[] {
  return snapshot
    .fdbOf(bridge.index)
    .filter(
      (entry) =>
        entry.state !== 'local' &&
        entry.port !== bridge.index &&
        !topology.isUplink(entry.port) &&
        isUnicastMac(entry.mac),
    )
    .sort((a, b) => a.mac - b.mac || (a.vlan ?? -1) - (b.vlan ?? -1));
}

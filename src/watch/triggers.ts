/**
 * Which kernel events call for an announcement. The detector keeps what it last knew of every
 * link (carrier, MAC, master, a bond's active slave), of every address (usable or still
 * tentative) and, when guests are watched, of every learned FDB entry, and compares each event
 * with it: a trigger is a change, not a message (the kernel repeats RTM_NEWLINK for changes that
 * do not matter here, such as statistics or operstate). Links are known by index, as the kernel
 * names them, but watched by name: a link deleted and created again is watched again.
 *
 * After a netlink overrun the events in between are lost; `resync` compares a fresh snapshot
 * with what was known, as if every object in it had been announced again, so what changed in
 * the gap still triggers. Memory holds one entry per link, address and FDB entry there is.
 */
import { formatAnnounceIp } from '../announce/announce-ip.js';
import { UPLINK_KINDS } from '../announce/egress.js';
import type { HostEvent } from '../host/events.js';
import {
  AddressScope,
  type FdbEntry,
  type HostAddress,
  type HostLink,
  type HostSnapshot,
} from '../host/snapshot.js';
import { formatMac, type Mac } from '../wire/mac.js';
import type { TriggerKind, WatchConfig } from './watch-config.js';

/** Something that happened and calls for an announcement. */
export interface Trigger {
  readonly kind: TriggerKind;
  /** What happened, for the log: `upB joined br0`, `bond0: active slave eth0 -> eth1`. */
  readonly text: string;
  /** For `guest-learned`: the guest's MAC and the bridge it was learned on. */
  readonly guest: { readonly mac: Mac; readonly bridge: string } | undefined;
}

/** What the detector keeps of a link. */
interface LinkFacts {
  readonly name: string;
  readonly kind: string;
  /** Up with carrier: frames can leave. */
  readonly live: boolean;
  readonly mac: Mac | undefined;
  readonly master: number | undefined;
  readonly activeSlave: number | undefined;
}

function factsOf(link: HostLink): LinkFacts {
  return {
    name: link.name,
    kind: link.kind,
    live: link.up && link.carrier,
    mac: link.mac,
    master: link.master,
    activeSlave: link.bond?.activeSlave,
  };
}

function addressKey(address: HostAddress): string {
  return `${address.index} ${address.family} ${address.ip}`;
}

function fdbKey(entry: FdbEntry): string {
  return `${entry.bridge} ${entry.mac} ${entry.vlan ?? ''}`;
}

function trigger(kind: TriggerKind, text: string): Trigger {
  return { kind, text, guest: undefined };
}

/** Turns rtnetlink events into triggers, by what the configuration watches. */
export class TriggerDetector {
  #config: WatchConfig;
  readonly #links = new Map<number, LinkFacts>();
  /** Whether each known address is usable (IPv6 DAD done). */
  readonly #addresses = new Map<string, boolean>();
  /** The port of each learned FDB entry of a watched bridge, when guests are watched. */
  readonly #fdb = new Map<string, number>();

  constructor(config: WatchConfig) {
    this.#config = config;
  }

  /** Watches by `config` from now on (SIGHUP); what is known stays. */
  configure(config: WatchConfig): void {
    this.#config = config;
    if (!this.#on('guest-learned')) this.#fdb.clear();
  }

  /** Forgets everything and knows `snapshot`, without triggering. */
  reset(snapshot: HostSnapshot): void {
    this.#links.clear();
    this.#addresses.clear();
    this.#fdb.clear();
    for (const link of snapshot.links) this.#links.set(link.index, factsOf(link));
    for (const address of snapshot.addresses) {
      this.#addresses.set(addressKey(address), !address.tentative);
    }
    if (this.#on('guest-learned')) {
      for (const entry of snapshot.fdb) {
        if (this.#isGuestEntry(entry)) this.#fdb.set(fdbKey(entry), entry.port);
      }
    }
  }

  /**
   * The triggers of what changed between what was known and `snapshot` (after events were
   * lost), which is known from then on.
   */
  resync(snapshot: HostSnapshot): Trigger[] {
    const triggers: Trigger[] = [];
    const present = new Set(snapshot.links.map((link) => link.index));
    for (const [index, facts] of this.#links) {
      if (!present.has(index)) triggers.push(...this.#linkGone(index, facts));
    }
    for (const link of snapshot.links) triggers.push(...this.#linkChanged(link, undefined));
    const addresses = new Set(snapshot.addresses.map(addressKey));
    for (const key of this.#addresses.keys()) if (!addresses.has(key)) this.#addresses.delete(key);
    for (const address of snapshot.addresses) triggers.push(...this.#addressAdded(address));
    if (this.#on('guest-learned')) {
      const entries = new Set(snapshot.fdb.map(fdbKey));
      for (const key of this.#fdb.keys()) if (!entries.has(key)) this.#fdb.delete(key);
      for (const entry of snapshot.fdb) triggers.push(...this.#fdbLearned(entry));
    }
    return triggers;
  }

  /** The triggers `event` causes (none, one, or several: a port can join and come up at once). */
  apply(event: HostEvent): Trigger[] {
    switch (event.type) {
      case 'link': {
        if (event.op === 'new') return this.#linkChanged(event.link, event.linkEvent);
        const facts = this.#links.get(event.link.index);
        return facts === undefined ? [] : this.#linkGone(event.link.index, facts);
      }
      case 'address':
        if (event.op === 'new') return this.#addressAdded(event.address);
        this.#addresses.delete(addressKey(event.address));
        return [];
      case 'fdb':
        if (!this.#on('guest-learned')) return [];
        if (event.op === 'new') return this.#fdbLearned(event.entry);
        this.#fdb.delete(fdbKey(event.entry));
        return [];
    }
  }

  #on(kind: TriggerKind): boolean {
    return this.#config.schedules.has(kind);
  }

  #linkChanged(link: HostLink, linkEvent: string | undefined): Trigger[] {
    const before = this.#links.get(link.index);
    const after = factsOf(link);
    this.#links.set(link.index, after);
    const { watch } = this.#config;
    const triggers: Trigger[] = [];
    const name = link.name;
    if (this.#on('bond-failover') && watch.bonds.includes(name)) {
      if (linkEvent === 'bonding-failover' || linkEvent === 'notify-peers') {
        triggers.push(trigger('bond-failover', `${name}: ${linkEvent} event`));
      } else if (
        before !== undefined &&
        after.activeSlave !== undefined &&
        before.activeSlave !== after.activeSlave
      ) {
        const from = this.#nameOf(before.activeSlave);
        const to = this.#nameOf(after.activeSlave);
        triggers.push(trigger('bond-failover', `${name}: active slave ${from} -> ${to}`));
      }
    }
    if (
      this.#on('carrier-up') &&
      after.live &&
      before?.live !== true &&
      (watch.links.includes(name) || watch.bonds.includes(name) || this.#isWatchedUplink(after))
    ) {
      triggers.push(trigger('carrier-up', `${name}: carrier up`));
    }
    if (this.#on('port-change') && before?.master !== after.master) {
      const left = this.#watchedBridge(before?.master);
      const joined = this.#watchedBridge(after.master);
      if (left !== undefined) triggers.push(trigger('port-change', `${name} left ${left}`));
      if (joined !== undefined) triggers.push(trigger('port-change', `${name} joined ${joined}`));
    }
    if (
      this.#on('mac-change') &&
      before?.mac !== undefined &&
      after.mac !== undefined &&
      before.mac !== after.mac &&
      (watch.links.includes(name) ||
        watch.bonds.includes(name) ||
        this.#watchedBridge(link.index) !== undefined)
    ) {
      const text = `${name}: MAC ${formatMac(before.mac)} -> ${formatMac(after.mac)}`;
      triggers.push(trigger('mac-change', text));
    }
    return triggers;
  }

  #linkGone(index: number, facts: LinkFacts): Trigger[] {
    const bridge = this.#watchedBridge(facts.master);
    this.#links.delete(index);
    for (const key of this.#addresses.keys()) {
      if (key.startsWith(`${index} `)) this.#addresses.delete(key);
    }
    if (bridge === undefined || !this.#on('port-change')) return [];
    return [trigger('port-change', `${facts.name} left ${bridge} (deleted)`)];
  }

  #addressAdded(address: HostAddress): Trigger[] {
    const key = addressKey(address);
    const usable = !address.tentative;
    const before = this.#addresses.get(key);
    this.#addresses.set(key, usable);
    if (!usable || before === true || !this.#on('address-added')) return [];
    if (!this.#watchesAddress(address)) return [];
    const on = this.#links.get(address.index)?.name ?? `link ${address.index}`;
    return [trigger('address-added', `${formatAnnounceIp(address)} added on ${on}`)];
  }

  #watchesAddress(address: HostAddress): boolean {
    const { addresses } = this.#config.watch;
    if (addresses === 'any') {
      return address.scope !== AddressScope.HOST && address.scope !== AddressScope.LINK;
    }
    return addresses.some((ip) => ip.family === address.family && ip.ip === address.ip);
  }

  #fdbLearned(entry: FdbEntry): Trigger[] {
    if (!this.#isGuestEntry(entry)) return [];
    const key = fdbKey(entry);
    const before = this.#fdb.get(key);
    this.#fdb.set(key, entry.port);
    if (before === entry.port) return [];
    const bridge = this.#links.get(entry.bridge)?.name ?? `bridge ${entry.bridge}`;
    const port = this.#nameOf(entry.port);
    return [
      {
        kind: 'guest-learned',
        text: `${formatMac(entry.mac)} learned on ${port} (${bridge})`,
        guest: { mac: entry.mac, bridge },
      },
    ];
  }

  /** A MAC a watched bridge learned on a port that is not an uplink: a guest. */
  #isGuestEntry(entry: FdbEntry): boolean {
    if (entry.state !== 'learned' || this.#watchedBridge(entry.bridge) === undefined) return false;
    const port = this.#links.get(entry.port);
    return port !== undefined && !this.#isUplink(port);
  }

  /** The name of the bridge with index `index` when it is watched. */
  #watchedBridge(index: number | undefined): string | undefined {
    const bridge = index === undefined ? undefined : this.#links.get(index);
    if (bridge === undefined || bridge.kind !== 'bridge') return undefined;
    const { bridges } = this.#config.watch;
    return bridges === 'all' || bridges.includes(bridge.name) ? bridge.name : undefined;
  }

  /** A port of a watched bridge that leads to the network (by kind, or named with --uplink). */
  #isWatchedUplink(link: LinkFacts): boolean {
    return this.#watchedBridge(link.master) !== undefined && this.#isUplink(link);
  }

  #isUplink(link: LinkFacts): boolean {
    return this.#config.announce.options.uplinks.includes(link.name) || UPLINK_KINDS.has(link.kind);
  }

  #nameOf(index: number | undefined): string {
    if (index === undefined) return 'none';
    return this.#links.get(index)?.name ?? `link ${index}`;
  }
}

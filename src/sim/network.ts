import type { Ipv4 } from '../wire/ipv4.js';
import type { Mac } from '../wire/mac.js';
import { Bond } from './bond.js';
import type { Engine } from './engine.js';
import { FrameKind, type SimFrame } from './frame.js';
import { Host, type HostNetwork, type HostOptions } from './host.js';
import { HolderIndex, HostIndex, type Hosts } from './host-index.js';
import { Link, type LinkOptions, Port } from './link.js';
import type { LossCause } from './loss.js';
import type { NeighbourTable } from './neighbour/table.js';
import type { Packet } from './packet.js';
import type { Stats } from './stats.js';
import type { Nanos } from './units.js';
import { SWITCH_DEFAULTS, Switch, type SwitchParams, type FloodSelector } from './switch.js';

/**
 * A simulated segment: its nodes and links, and the indexes that make a flood cheap. For a
 * flooded frame the network picks the attached hosts that would read it: the owner of the
 * destination MAC (unicast), or for a broadcast ARP the owner of the target IP, the hosts whose
 * tables hold an entry for the sender IP (an overheard frame may update it), and hosts that
 * read everything. Every other host would drop the frame unread, so it is not delivered.
 */
export class Network implements FloodSelector, HostNetwork {
  readonly hosts: Host[] = [];
  readonly switches: Switch[] = [];
  readonly bonds: Bond[] = [];
  readonly links: Link[] = [];
  readonly #names = new Set<string>();
  readonly #ipOwners = new HostIndex<Ipv4>();
  readonly #macOwners = new HostIndex<Mac>();
  /** Hosts with an entry for an IP, by the MAC it holds (MAC_ZERO: none valid). */
  readonly #holders = new HolderIndex();
  /** Hosts whose tables renew an entry on any frame about its IP. */
  readonly #renewers = new HostIndex<Ipv4>();
  readonly #readers = new Set<Host>();
  #stamp = 0;

  constructor(
    readonly engine: Engine,
    readonly stats: Stats,
  ) {}

  /** Reports a frame that went nowhere; only data packets count as loss. */
  readonly lose = (frame: SimFrame, cause: LossCause): void => {
    if (frame.packet !== undefined) this.stats.lost(frame.packet, cause);
  };

  /** A new switch. */
  addSwitch(name: string, params: SwitchParams = SWITCH_DEFAULTS): Switch {
    this.#name(name);
    const sw = new Switch(name, this.engine, params, this, this.lose);
    this.switches.push(sw);
    return sw;
  }

  /** A new host with the table `table` builds for it. */
  addHost(name: string, options: HostOptions, table: (host: Host) => NeighbourTable): Host {
    this.#name(name);
    const host = new Host(name, this.engine, this, options);
    host.table = table(host);
    // A policer counts every ARP frame that reaches the host, so such a host reads every flood.
    const reads = options.inspectsAll === true || options.policer !== undefined;
    if (reads || host.table.overhearsAll) this.#readers.add(host);
    this.hosts.push(host);
    return host;
  }

  /** A new active-backup bond. */
  addBond(name: string): Bond {
    this.#name(name);
    const bond = new Bond(name, this.lose);
    this.bonds.push(bond);
    return bond;
  }

  /** Links `port` to a new port of `sw`. */
  plug(sw: Switch, port: Port, options: LinkOptions, name = `p${sw.ports.length}`): Link {
    const swPort = new Port(sw, name);
    const link = new Link(this.engine, swPort, port, options, this.lose);
    const host = port.node instanceof Host;
    sw.attach(swPort, host);
    if (host) (port.node as Host).uplink = swPort;
    this.links.push(link);
    return link;
  }

  /**
   * Pulls the cable `link` (plugged by `plug`) out of both ports: its switch forgets the port,
   * and the other port may be plugged in elsewhere (a VM moving to another host's bridge).
   */
  unplug(link: Link): void {
    link.setUp(false);
    for (const port of [link.a, link.b]) {
      if (port.node instanceof Switch) port.node.detach(port);
      if (port.node instanceof Host) port.node.uplink = undefined;
      port.link = undefined;
    }
    this.links.splice(this.links.indexOf(link), 1);
  }

  /** Links two ports that belong to no switch (bond to bond, host to host). */
  connect(a: Port, b: Port, options: LinkOptions): Link {
    const link = new Link(this.engine, a, b, options, this.lose);
    this.links.push(link);
    return link;
  }

  /** Links two switches. */
  trunk(a: Switch, b: Switch, options: LinkOptions): Link {
    const aPort = new Port(a, `to-${b.name}`);
    const bPort = new Port(b, `to-${a.name}`);
    const link = new Link(this.engine, aPort, bPort, options, this.lose);
    a.attach(aPort, false);
    b.attach(bPort, false);
    this.links.push(link);
    return link;
  }

  // FloodSelector

  floodTargets(frame: SimFrame, sw: Switch, into: Port[]): void {
    const stamp = ++this.#stamp;
    if (!frame.broadcast) {
      this.#offer(this.#macOwners.get(frame.destination), stamp, sw, into);
      return;
    }
    if (frame.kind === FrameKind.ARP) {
      this.#offer(this.#ipOwners.get(frame.targetIp), stamp, sw, into);
      this.#offer(this.#renewers.get(frame.senderIp), stamp, sw, into);
      for (let group = this.#holders.groups(frame.senderIp); group; group = group.next) {
        if (group.mac !== frame.senderMac) this.#offer(group.hosts, stamp, sw, into);
      }
    }
    for (const host of this.#readers) this.#offerOne(host, stamp, sw, into);
  }

  /** Adds the ports of `hosts` attached here to `into`, each host once per flood (`stamp`). */
  #offer(hosts: Hosts | undefined, stamp: number, sw: Switch, into: Port[]): void {
    if (hosts === undefined) return;
    if (!(hosts instanceof Set)) {
      this.#offerOne(hosts, stamp, sw, into);
      return;
    }
    for (const host of hosts) this.#offerOne(host, stamp, sw, into);
  }

  /** Adds the port of `sw` that `host` is plugged into, if it is plugged into `sw`. */
  #offerOne(host: Host, stamp: number, sw: Switch, into: Port[]): void {
    if (host.floodStamp === stamp) return;
    host.floodStamp = stamp;
    const port = host.uplink;
    if (port !== undefined && port.node === sw) into.push(port);
  }

  // HostNetwork

  holds(host: Host, ip: Ipv4, mac: Mac | undefined): void {
    if (host.table.renewsOnOverheard) {
      this.#renewers.set(ip, host, mac !== undefined);
      return;
    }
    const held = (host.heldMacs ??= new Map());
    const before = held.get(ip);
    if (before === mac) return;
    if (mac === undefined) held.delete(ip);
    else held.set(ip, mac);
    this.#holders.move(ip, host, before, mac);
  }

  ownsIp(host: Host, ip: Ipv4, owned: boolean): void {
    this.#ipOwners.set(ip, host, owned);
  }

  ownsMac(host: Host, mac: Mac, owned: boolean): void {
    this.#macOwners.set(mac, host, owned);
  }

  delivered(packet: Packet, time: Nanos): void {
    this.stats.delivered(packet, time);
  }

  lost(packet: Packet, cause: LossCause): void {
    this.stats.lost(packet, cause);
  }

  arpSent(host: Host): void {
    host.arpMeter.note(this.engine.now);
    this.stats.arpSent(this.engine.now);
  }

  policed(): void {
    this.stats.policed(this.engine.now);
  }

  #name(name: string): void {
    if (this.#names.has(name)) throw new Error(`sim: two nodes are named ${name}`);
    this.#names.add(name);
  }
}

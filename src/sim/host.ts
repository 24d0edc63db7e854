import { ArpOp } from '../wire/arp.js';
import type { Ipv4 } from '../wire/ipv4.js';
import { MAC_BROADCAST, MAC_ZERO, type Mac } from '../wire/mac.js';
import type { Engine } from './engine.js';
import { FrameKind, type SimFrame, arpSimFrame, dataSimFrame } from './frame.js';
import { type PacketSink, Port, type SimNode } from './link.js';
import type { LossCause } from './loss.js';
import type { NeighbourHost, NeighbourTable } from './neighbour/table.js';
import type { Packet } from './packet.js';
import type { Policer } from './policer.js';
import { RateMeter } from './rate-meter.js';
import type { Nanos } from './units.js';

/** What a host tells the network it lives on: indexes, losses, deliveries, ARP sent. */
export interface HostNetwork {
  /** What `host`'s entry for `ip` holds now (see `NeighbourHost.holds`). */
  holds(host: Host, ip: Ipv4, mac: Mac | undefined): void;
  /** The host now owns (or no longer owns) `ip` / `mac`. */
  ownsIp(host: Host, ip: Ipv4, owned: boolean): void;
  ownsMac(host: Host, mac: Mac, owned: boolean): void;
  /** A packet reached its destination (or left the segment through a router) at `time`. */
  delivered(packet: Packet, time: Nanos): void;
  /** A packet was lost. */
  lost(packet: Packet, cause: LossCause): void;
  /** `host` sent an ARP or RARP frame. */
  arpSent(host: Host): void;
  /** `host`'s input policer dropped a frame. */
  policed(host: Host): void;
}

/** How a host is set up. */
export interface HostOptions {
  readonly mac: Mac;
  /** Its addresses; the first is the source of its requests. */
  readonly ips: readonly Ipv4[];
  /** Its subnet as a mask (e.g. 0xffff0000 for /16): destinations inside are on-link. */
  readonly mask: number;
  /** The next hop for destinations off-link, if any. */
  readonly gateway?: Ipv4;
  /** Whether it routes: data for off-link destinations that reaches it leaves the segment (delivered). */
  readonly router?: boolean;
  /** CPU time one received ARP frame costs it (measured on Linux 6.18: about 1 µs). */
  readonly arpCost?: Nanos;
  /** Its ARP input policer, if it has one. */
  readonly policer?: Policer;
  /** Whether every ARP frame on the segment must reach it (to count its cost, or to capture). */
  readonly inspectsAll?: boolean;
}

/**
 * An IPv4 host with one interface: it answers ARP requests for its addresses, filters frames
 * by destination MAC as a NIC does, polices ARP input, counts the CPU cost of ARP frames, and
 * sends packets through its neighbour table. It is the `NeighbourHost` of its table.
 */
export class Host implements SimNode, NeighbourHost, PacketSink {
  readonly port: Port;
  readonly ips: Ipv4[];
  readonly macs: Mac[];
  readonly arpMeter = new RateMeter();
  /** The neighbour table; set once by whoever builds the host (it needs the host). */
  table!: NeighbourTable;
  up = true;
  /** CPU spent on received ARP frames. */
  cpu: Nanos = 0;
  /** ARP frames received (after the NIC filter, before the policer). */
  arpReceived = 0;
  /** The switch port its cable is plugged into, if it is plugged into a switch. */
  uplink: Port | undefined;
  /** Used by the network to deliver a flood at most once. */
  floodStamp = 0;
  /** Its own MAC, and its first address (or none), kept in fields: every frame asks for them. */
  readonly #mac: Mac;
  #ip: Ipv4 | undefined;
  /** What its table last said each entry holds (the network's index of overheard interest). */
  heldMacs: Map<Ipv4, Mac> | undefined;
  /** The MACs it answers for its addresses with, where not its own (a VIP's virtual MAC). */
  #ipMacs: Map<Ipv4, Mac> | undefined;

  constructor(
    readonly name: string,
    readonly engine: Engine,
    readonly network: HostNetwork,
    readonly options: HostOptions,
  ) {
    this.port = new Port(this, 'eth0');
    // A router forwards what is not for it, so it takes packets at their arrival, as events.
    if (options.router !== true) this.port.sink = this;
    this.ips = [];
    this.macs = [];
    this.#mac = options.mac;
    this.addMac(options.mac);
    for (const ip of options.ips) this.addIp(ip);
  }

  /** Its own MAC (the first). */
  get mac(): Mac {
    return this.#mac;
  }

  /** Its first address (0.0.0.0 if it has none). */
  get ip(): Ipv4 {
    return this.#ip ?? (0 as Ipv4);
  }

  /** Whether `mac` is one of its MACs (its own first: one field, not the list). */
  hasMac(mac: Mac): boolean {
    return mac === this.#mac || (this.macs.length > 1 && this.macs.includes(mac));
  }

  /** Whether `ip` is one of its addresses (its first without touching the list). */
  hasIp(ip: Ipv4): boolean {
    return ip === this.#ip || (this.ips.length > 1 && this.ips.includes(ip));
  }

  /** Whether `ip` is inside its subnet. */
  onLink(ip: Ipv4): boolean {
    const first = this.options.ips[0] ?? this.ips[0];
    if (first === undefined) return false;
    const mask = this.options.mask;
    return ((ip ^ first) & mask) === 0;
  }

  /** Takes on another address (a VIP), answered with `mac` (a virtual MAC) or its own. */
  addIp(ip: Ipv4, mac?: Mac): void {
    if (mac !== undefined) (this.#ipMacs ??= new Map()).set(ip, mac);
    if (this.ips.includes(ip)) return;
    this.ips.push(ip);
    this.#ip = this.ips[0];
    this.network.ownsIp(this, ip, true);
  }

  /** The MAC this host answers for `ip` with. */
  macFor(ip: Ipv4): Mac {
    return this.#ipMacs?.get(ip) ?? this.mac;
  }

  /** Gives up an address. */
  removeIp(ip: Ipv4): void {
    const at = this.ips.indexOf(ip);
    if (at < 0) return;
    this.ips.splice(at, 1);
    this.#ip = this.ips[0];
    this.#ipMacs?.delete(ip);
    this.network.ownsIp(this, ip, false);
  }

  /** Takes on another MAC (a VRRP virtual MAC). */
  addMac(mac: Mac): void {
    if (this.macs.includes(mac)) return;
    this.macs.push(mac);
    this.network.ownsMac(this, mac, true);
  }

  /** Gives up a MAC (never its own). */
  removeMac(mac: Mac): void {
    const at = this.macs.indexOf(mac);
    if (at <= 0) return;
    this.macs.splice(at, 1);
    this.network.ownsMac(this, mac, false);
  }

  /** Hands a packet from this host to IP: it goes to the destination or the gateway. */
  sendPacket(packet: Packet): void {
    if (!this.up) {
      this.network.lost(packet, 'link-down');
      return;
    }
    const destination = packet.destination;
    const next = this.onLink(destination) ? destination : this.options.gateway;
    if (next === undefined) {
      this.network.lost(packet, 'unresolved');
      return;
    }
    this.table.output(next, packet);
  }

  /** Sends an ARP frame from this host (its Ethernet source `source`, its own MAC by default). */
  sendArp(frame: SimFrame): void {
    if (!this.up) return;
    this.network.arpSent(this);
    this.port.send(frame);
  }

  // NeighbourHost: what the table does through this host.

  request(target: Ipv4, mac?: Mac): void {
    const source = this.ips[0] ?? (0 as Ipv4);
    const to = mac ?? MAC_BROADCAST;
    this.sendArp(arpSimFrame(ArpOp.REQUEST, to, this.mac, source, mac ?? MAC_ZERO, target));
  }

  transmit(packet: Packet, mac: Mac): void {
    if (!this.up) {
      this.network.lost(packet, 'link-down');
      return;
    }
    this.port.send(dataSimFrame(this.mac, mac, packet));
  }

  drop(packet: Packet, cause: LossCause): void {
    this.network.lost(packet, cause);
  }

  holds(ip: Ipv4, mac: Mac | undefined): void {
    this.network.holds(this, ip, mac);
  }

  // SimNode: frames from the wire.

  receive(frame: SimFrame): void {
    if (!this.up) {
      if (frame.packet !== undefined) this.network.lost(frame.packet, 'link-down');
      return;
    }
    if (!frame.broadcast && !this.hasMac(frame.destination)) {
      if (frame.packet !== undefined) this.network.lost(frame.packet, 'wrong-port');
      return;
    }
    if (frame.kind === FrameKind.DATA) this.#receivePacket(frame.packet!);
    else if (frame.kind === FrameKind.ARP) this.#receiveArp(frame);
  }

  packetArrives(frame: SimFrame, time: Nanos): void {
    const packet = frame.packet!;
    if (!this.up) this.network.lost(packet, 'link-down');
    else if (!this.hasMac(frame.destination)) this.network.lost(packet, 'wrong-port');
    else if (this.hasIp(packet.destination)) this.network.delivered(packet, time);
    else this.network.lost(packet, 'wrong-port');
  }

  #receivePacket(packet: Packet): void {
    if (this.hasIp(packet.destination)) {
      this.network.delivered(packet, this.engine.now);
    } else if (this.options.router === true && !this.onLink(packet.destination)) {
      this.network.delivered(packet, this.engine.now);
    } else if (this.options.router === true) {
      this.sendPacket(packet);
    } else {
      this.network.lost(packet, 'wrong-port');
    }
  }

  #receiveArp(frame: SimFrame): void {
    this.arpReceived++;
    this.cpu += this.options.arpCost ?? 0;
    const policer = this.options.policer;
    if (policer !== undefined && !policer.admit(this.engine.now)) {
      this.network.policed(this);
      return;
    }
    if (frame.op !== ArpOp.REQUEST && frame.op !== ArpOp.REPLY) return;
    const forMe = this.hasIp(frame.targetIp);
    const gratuitous = frame.gratuitous;
    this.table.input({
      op: frame.op,
      senderMac: frame.senderMac,
      senderIp: frame.senderIp,
      targetMac: frame.targetMac,
      targetIp: frame.targetIp,
      broadcast: frame.broadcast,
      forMe: forMe && !gratuitous,
      gratuitous,
    });
    if (frame.op === ArpOp.REQUEST && forMe && !gratuitous && frame.senderIp !== 0) {
      const mac = this.macFor(frame.targetIp);
      const reply = arpSimFrame(
        ArpOp.REPLY,
        frame.senderMac,
        mac,
        frame.targetIp,
        frame.senderMac,
        frame.senderIp,
      );
      this.sendArp(reply);
    }
  }
}

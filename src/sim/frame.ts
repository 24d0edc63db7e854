import { ArpOp } from '../wire/arp.js';
import type { Ipv4 } from '../wire/ipv4.js';
import { MAC_BROADCAST, type Mac } from '../wire/mac.js';
import type { Packet } from './packet.js';

/** What a simulated frame carries. */
export const FrameKind = Object.freeze({ ARP: 0, RARP: 1, DATA: 2 });

/** One of `FrameKind`. */
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

/**
 * A frame on a simulated wire, in compact form: the Ethernet addresses, and either the ARP/RARP
 * fields (Ethernet/IPv4, as `wire/arp.ts` has them) or a data packet. `wire-frame.ts` turns it
 * into the bytes a capture would hold. Frames are immutable and shared by every receiver.
 */
export class SimFrame {
  constructor(
    readonly kind: FrameKind,
    readonly source: Mac,
    readonly destination: Mac,
    /** ARP/RARP operation (`ArpOp`); 0 for data. */
    readonly op: number,
    readonly senderMac: Mac,
    readonly senderIp: Ipv4,
    readonly targetMac: Mac,
    readonly targetIp: Ipv4,
    /** The packet of a data frame. */
    readonly packet: Packet | undefined,
  ) {}

  /** Whether its Ethernet destination is the broadcast address. */
  get broadcast(): boolean {
    return this.destination === MAC_BROADCAST;
  }

  /**
   * Whether it is a gratuitous ARP: sender IP equal to target IP, and for a reply also the
   * target MAC equal to the sender's (arp.c `arp_process`, the kernel's `is_garp`).
   */
  get gratuitous(): boolean {
    if (this.kind !== FrameKind.ARP || this.senderIp !== this.targetIp) return false;
    return this.op === ArpOp.REQUEST || this.targetMac === this.senderMac;
  }
}

/** An ARP frame from `mac`/`ip` (Ethernet source `mac`). */
export function arpSimFrame(
  op: number,
  destination: Mac,
  mac: Mac,
  ip: Ipv4,
  targetMac: Mac,
  targetIp: Ipv4,
  source: Mac = mac,
): SimFrame {
  return new SimFrame(
    FrameKind.ARP,
    source,
    destination,
    op,
    mac,
    ip,
    targetMac,
    targetIp,
    undefined,
  );
}

/** A data frame carrying `packet`. */
export function dataSimFrame(source: Mac, destination: Mac, packet: Packet): SimFrame {
  const zeroIp = 0 as Ipv4;
  return new SimFrame(
    FrameKind.DATA,
    source,
    destination,
    0,
    source,
    zeroIp,
    destination,
    zeroIp,
    packet,
  );
}

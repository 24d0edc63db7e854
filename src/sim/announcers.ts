import { TICK_MS } from '../announce/pacer.js';
import { ArpOp } from '../wire/arp.js';
import type { Ipv4 } from '../wire/ipv4.js';
import { MAC_BROADCAST, MAC_ZERO, type Mac } from '../wire/mac.js';
import type { Engine } from './engine.js';
import { FrameKind, SimFrame, arpSimFrame } from './frame.js';
import { type Nanos, MILLISECOND } from './units.js';

/** Sends one announcement frame (out of the right port, counted as its node's ARP). */
export type Send = (frame: SimFrame) => void;

/** A gratuitous ARP request for `ip` from `mac` (RFC 5227 §3 announcement form). */
export function garpRequest(mac: Mac, ip: Ipv4): SimFrame {
  return arpSimFrame(ArpOp.REQUEST, MAC_BROADCAST, mac, ip, MAC_ZERO, ip);
}

/** A gratuitous ARP reply for `ip` from `mac` (target MAC = sender MAC, as the kernel wants). */
export function garpReply(mac: Mac, ip: Ipv4): SimFrame {
  return arpSimFrame(ArpOp.REPLY, MAC_BROADCAST, mac, ip, mac, ip);
}

/** A RARP request from `mac` for itself: what QEMU, OVS and arpkit send for a MAC without an IP. */
export function rarpFrame(mac: Mac): SimFrame {
  const zero = 0 as Ipv4;
  return new SimFrame(
    FrameKind.RARP,
    mac,
    MAC_BROADCAST,
    ArpOp.RARP_REQUEST,
    mac,
    zero,
    mac,
    zero,
    undefined,
  );
}

/** Sends `frames` at each time of `times`. */
function rounds(
  engine: Engine,
  times: readonly Nanos[],
  frames: () => readonly SimFrame[],
  send: Send,
): void {
  for (const time of times) engine.at(time, () => frames().forEach(send));
}

/**
 * Linux bonding after an active-backup failover: `num_grat_arp` gratuitous ARPs for the bond's
 * own addresses, `peer_notif_delay` apart (bonding.rst; its default is miimon, 100 ms), the
 * first at once. Guests behind a bridge on the bond are not announced.
 */
export function bondingGarps(
  engine: Engine,
  start: Nanos,
  count: number,
  interval: Nanos,
  mac: Mac,
  ips: readonly Ipv4[],
  send: Send,
): void {
  const times = Array.from({ length: count }, (_, i) => start + i * interval);
  rounds(engine, times, () => ips.map((ip) => garpRequest(mac, ip)), send);
}

/** A MAC to announce and its IPv4 addresses (none: a RARP frame announces the MAC). */
export interface Announced {
  readonly mac: Mac;
  readonly ips: readonly Ipv4[];
}

/**
 * `arpkit watch` on a trigger: each round of its schedule (ms from the trigger) plans, as
 * `arpkit announce` does, an ARP request and reply per IPv4 address and a RARP frame per MAC
 * without one, and sends them paced at `rate` frames a second in `TICK_MS` batches
 * (`announce/pacer.ts`: the first batch at once, `rate × TICK_MS / 1000` frames a tick).
 */
export function arpkitAnnouncement(
  engine: Engine,
  start: Nanos,
  scheduleMs: readonly number[],
  rate: number,
  subjects: readonly Announced[],
  send: Send,
): void {
  const frames: SimFrame[] = [];
  for (const { mac, ips } of subjects) {
    if (ips.length === 0) frames.push(rarpFrame(mac));
    for (const ip of ips) frames.push(garpRequest(mac, ip), garpReply(mac, ip));
  }
  for (const offset of scheduleMs) {
    const round = start + offset * MILLISECOND;
    pacedOffsets(frames.length, rate).forEach((delay, i) => {
      engine.at(round + delay, () => send(frames[i]!));
    });
  }
}

/** When each of `count` frames leaves, from the round's start, paced at `rate` a second (0: at once). */
export function pacedOffsets(count: number, rate: number): Nanos[] {
  const perTick = (rate * TICK_MS) / 1000;
  const offsets: Nanos[] = [];
  // As `Pacer` resumes an idle bucket: the first frame of a round goes at once, even below
  // one frame a tick.
  let credit = Math.max(0, 1 - perTick);
  for (let tick = 0; offsets.length < count; tick++) {
    credit = rate === 0 ? count : credit + perTick;
    while (credit >= 1 - 1e-9 && offsets.length < count) {
      offsets.push(tick * TICK_MS * MILLISECOND);
      credit -= 1;
    }
  }
  return offsets;
}

/**
 * keepalived becoming VRRP master: `repeat` gratuitous ARPs for each VIP at once, and `repeat`
 * more after `delay` (vrrp_garp_master_repeat 5, vrrp_garp_master_delay 5 s; keepalived.conf(5)).
 */
export function vrrpGarps(
  engine: Engine,
  start: Nanos,
  repeat: number,
  delay: Nanos,
  mac: Mac,
  vips: readonly Ipv4[],
  send: Send,
): void {
  const burst = (): SimFrame[] =>
    vips.flatMap((ip) => Array.from({ length: repeat }, () => garpRequest(mac, ip)));
  rounds(engine, delay > 0 ? [start, start + delay] : [start], burst, send);
}

/**
 * QEMU after a live migration (`qemu_announce_self` with the `announce-*` defaults: 5 rounds,
 * initial 50 ms, step 100 ms): 5 RARP frames for the guest's MAC as it resumes, then gaps of
 * 50, 150, 250 and 350 ms (at 0, 50, 200, 450, 800 ms).
 */
export function qemuAnnounce(engine: Engine, start: Nanos, mac: Mac, send: Send): void {
  const times = [0, 50, 200, 450, 800].map((ms) => start + ms * MILLISECOND);
  rounds(engine, times, () => [rarpFrame(mac)], send);
}

import type { Link, ReceivedFrame } from '../link/link.js';
import type { Clock } from '../time/clock.js';
import { ArpOp, parseArp } from '../wire/arp.js';
import { decodeFrame } from '../wire/frame.js';
import { IPV4_ANY, type Ipv4 } from '../wire/ipv4.js';
import type { Mac } from '../wire/mac.js';

/** How an RFC 5227 probe is run. */
export interface ProbeOptions {
  /** The probe frame to send (see `sendFrame`, kind `probe`): its tags say which VLAN is probed. */
  readonly frame: Uint8Array;
  /** Our MAC: frames from it are our own and never a conflict. */
  readonly mac: Mac;
  /** The address being probed. */
  readonly ip: Ipv4;
  /** Probes to send (RFC 5227 PROBE_NUM is 3). */
  readonly count: number;
  /** Time between probes, in milliseconds. */
  readonly intervalMs: number;
  /** How long to listen after the last probe, in milliseconds. */
  readonly waitMs: number;
  /** Called after each probe is sent, with its number from 1 and the frame. */
  readonly onSent?: (number: number, frame: Uint8Array) => void;
}

/**
 * RFC 5227 §2.1.1 conflict: an ARP packet on the probed VLAN (`vids`, outermost first) from
 * another MAC whose sender IP is the probed address, or another host's probe for the address.
 */
export function conflictingMac(
  frame: ReceivedFrame,
  ip: Ipv4,
  ours: Mac,
  vids: readonly number[] = [],
): Mac | undefined {
  const decoded = decodeFrame(frame.bytes, 'ethernet');
  if (decoded.proto !== 'arp' || !decoded.arp.isEthernetIpv4) return undefined;
  const tags = decoded.vlans;
  if (tags.length !== vids.length || tags.some((tag, i) => tag.vid !== vids[i])) return undefined;
  const arp = parseArp(decoded.arp);
  if (arp.senderMac === ours) return undefined;
  if (arp.senderIp === ip) return arp.senderMac;
  const probe = arp.op === ArpOp.REQUEST && arp.senderIp === IPV4_ANY && arp.targetIp === ip;
  return probe ? arp.senderMac : undefined;
}

/**
 * Sends RFC 5227 probes for `ip` and listens until `waitMs` after the last one (as `arping -D`).
 * Resolves with the MAC of the first host that claims the address, or undefined when none does.
 */
export async function probe(
  link: Link,
  clock: Clock,
  options: ProbeOptions,
): Promise<Mac | undefined> {
  const vids = decodeFrame(options.frame, 'ethernet').vlans.map((tag) => tag.vid);
  const done = new AbortController();
  let conflict: Mac | undefined;
  link.receive((frame) => {
    conflict ??= conflictingMac(frame, options.ip, options.mac, vids);
    if (conflict !== undefined) done.abort();
  });
  try {
    for (let i = 1; i <= options.count && conflict === undefined; i++) {
      link.send(options.frame);
      options.onSent?.(i, options.frame);
      await clock.sleep(i < options.count ? options.intervalMs : options.waitMs, done.signal);
    }
    return conflict;
  } finally {
    done.abort();
  }
}

/**
 * Bindings, arpwatch's way (`ent_add` in arpwatch 2.1a15 `db.c`): per segment (interface and
 * VLAN tags) and IP, the MACs that claimed the IP, most recent first.
 */
import { ArpOp } from '../wire/arp.js';
import { formatIpv4, type Ipv4 } from '../wire/ipv4.js';
import { formatMac, isUnicastMac, type Mac } from '../wire/mac.js';
import type { Detector } from './detector.js';
import type { FieldValue, Finding, FindingKind, FindingSink } from './finding.js';
import { IdTable } from './id-table.js';
import { NO_MAC, type Observation } from './observation.js';

/**
 * The most MACs remembered per IP. arpwatch keeps them all; a MAC pushed out of the list is
 * unknown again, so its return is a `changed-mac` rather than a `reused-mac`.
 */
export const MAX_MACS_PER_IP = 8;

/**
 * True when the frame says "SPA is at SHA" as arpwatch takes it (`process_ether`): an
 * Ethernet/IPv4 ARP request or reply, or a RARP reply (arpwatch reads the sender fields of those
 * too: the RARP server's own address), with a sender IP other than 0.0.0.0, a sender MAC that
 * can name one station (not zero, broadcast or multicast), and, when the link has a source,
 * that source equal to the sender MAC (arpwatch drops an "ethernet mismatch").
 *
 * arpwatch also takes hardware type 6 (IEEE 802) and drops bogons; here hardware type 1 only,
 * and bogons are the anomaly detector's.
 */
export function isBindingClaim(o: Observation): boolean {
  if (!o.ethernetIpv4 || o.spa === 0) return false;
  const op = o.op;
  if (o.kind === 'arp') {
    if (op !== ArpOp.REQUEST && op !== ArpOp.REPLY) return false;
  } else if (o.kind !== 'rarp' || op !== ArpOp.RARP_REPLY) {
    return false;
  }
  const sha = o.sha;
  return isUnicastMac(sha as Mac) && (o.ethSource === NO_MAC || o.ethSource === sha);
}

/**
 * True for a RARP reply that assigns TPA to THA (RFC 903: the server tells the station at THA
 * its address), with a target IP other than 0.0.0.0 and a target MAC that names one station.
 * arpwatch does not read these fields; the bindings detector does, so a RARP client's address
 * is known before it speaks ARP.
 */
export function isRarpAssignment(o: Observation): boolean {
  return (
    o.kind === 'rarp' &&
    o.op === ArpOp.RARP_REPLY &&
    o.ethernetIpv4 &&
    o.tpa !== 0 &&
    isUnicastMac(o.tha as Mac)
  );
}

/** `192.0.2.1`, or `192.0.2.1 vlan 100` (`vlan 200.2001` for QinQ): a subject per VLAN. */
export function segmentSubject(ip: string, vlans: readonly number[]): string {
  return vlans.length === 0 ? ip : `${ip} vlan ${vlans.join('.')}`;
}

/** What the detector knows of one IP on one segment. */
export interface Binding {
  /** MACs that claimed the IP, most recent first (at most `MAX_MACS_PER_IP`). */
  readonly macs: readonly number[];
  /** When each MAC of `macs` last claimed it (epoch ms). */
  readonly macSeenMs: readonly number[];
  /** The frame number of each MAC's last claim. */
  readonly macFrames: readonly number[];
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
  /** Claims counted since the IP was (last) new. */
  readonly count: number;
}

class BindingEntry implements Binding {
  touched = false;
  readonly macs: number[];
  readonly macSeenMs: number[];
  readonly macFrames: number[];
  readonly firstSeenMs: number;
  lastSeenMs: number;
  count = 1;

  constructor(mac: number, timeMs: number, frame: number) {
    this.macs = [mac];
    this.macSeenMs = [timeMs];
    this.macFrames = [frame];
    this.firstSeenMs = timeMs;
    this.lastSeenMs = timeMs;
  }

  /** Moves the MAC at `index` (or a new one, when `index` is the length) to the front. */
  toFront(index: number, mac: number, timeMs: number, frame: number): void {
    for (let i = Math.min(index, MAX_MACS_PER_IP - 1); i > 0; i--) {
      this.macs[i] = this.macs[i - 1]!;
      this.macSeenMs[i] = this.macSeenMs[i - 1]!;
      this.macFrames[i] = this.macFrames[i - 1]!;
    }
    this.macs[0] = mac;
    this.macSeenMs[0] = timeMs;
    this.macFrames[0] = frame;
  }
}

/**
 * `new-station`, `changed-mac`, `flip-flop` and `reused-mac`, as arpwatch's `ent_add` decides
 * them for each claim (`isBindingClaim`; a RARP reply's assignment too) of IP on its segment:
 * the MAC at the front of the IP's list refreshes it; the second one is a flip-flop and the two
 * swap; one further back is reused and moves to the front; any other is a change and goes to
 * the front; an IP never seen is a new station. arpwatch's "new activity" (a pair silent six
 * months) and its DECnet flip-flop suppression are not kept.
 *
 * The table holds `maxEntries` IPs; one forgotten for room (counted in `evicted`) and seen again
 * is a new station again, as it would be for an arpwatch started afresh.
 */
export class BindingsDetector implements Detector {
  private readonly table = new IdTable<BindingEntry>();

  get evicted(): number {
    return this.table.evicted;
  }

  /** What is known of the address with this id (of `AddressIds`) and generation. */
  lookup(id: number, generation: number): Binding | undefined {
    return this.table.get(id, generation);
  }

  frame(o: Observation, sink: FindingSink): void {
    if (isBindingClaim(o)) this.claim(o, o.spa, o.sha, o.spaId, o.spaGen, sink);
    if (o.kind === 'rarp' && isRarpAssignment(o)) {
      this.claim(o, o.tpa, o.tha, o.tpaId, o.tpaGen, sink);
    }
  }

  advance(): void {}

  finish(): void {}

  private claim(
    o: Observation,
    ip: number,
    mac: number,
    id: number,
    generation: number,
    sink: FindingSink,
  ): void {
    const entry = this.table.get(id, generation);
    if (entry === undefined) {
      this.table.set(id, generation, new BindingEntry(mac, o.timeMs, o.number));
      sink(this.finding('new-station', o, ip, mac, [o.number], ''));
      return;
    }
    entry.count++;
    entry.lastSeenMs = o.timeMs;
    const macs = entry.macs;
    if (macs[0] === mac) {
      entry.macSeenMs[0] = o.timeMs;
      entry.macFrames[0] = o.number;
      return;
    }
    this.change(entry, o, ip, mac, sink);
  }

  /** The rare path: `mac` is not the IP's current one. */
  private change(
    entry: BindingEntry,
    o: Observation,
    ip: number,
    mac: number,
    sink: FindingSink,
  ): void {
    const previous = entry.macs[0]!;
    const previousFrame = entry.macFrames[0]!;
    const previousSeenSeconds = seconds(o.timeMs - entry.macSeenMs[0]!);
    const index = entry.macs.indexOf(mac);
    const fields: Record<string, FieldValue> = {
      previousMac: formatMac(previous as Mac),
      previousSeenSeconds,
    };
    const frames =
      index < 0 ? [previousFrame, o.number] : [entry.macFrames[index]!, previousFrame, o.number];
    let kind: FindingKind;
    if (index === 1) {
      kind = 'flip-flop';
    } else if (index >= 2) {
      kind = 'reused-mac';
      fields['macsBefore'] = entry.macs.slice(0, index).map((m) => formatMac(m as Mac));
      fields['macSeenSeconds'] = seconds(o.timeMs - entry.macSeenMs[index]!);
    } else {
      kind = 'changed-mac';
    }
    entry.toFront(index < 0 ? entry.macs.length : index, mac, o.timeMs, o.number);
    const was = `(was ${formatMac(previous as Mac)}, ${previousSeenSeconds} s ago)`;
    sink(this.finding(kind, o, ip, mac, frames, ` ${was}`, fields));
  }

  private finding(
    kind: FindingKind,
    o: Observation,
    ip: number,
    mac: number,
    frames: number[],
    suffix: string,
    fields: Record<string, FieldValue> = {},
  ): Finding {
    const ipText = formatIpv4(ip as Ipv4);
    const macText = formatMac(mac as Mac);
    return {
      kind,
      timeMs: o.timeMs,
      source: o.source,
      vlans: o.vlans,
      key: segmentSubject(ipText, o.vlans),
      ip: ipText,
      mac: macText,
      frames,
      text: `${ipText} is-at ${macText}${suffix}`,
      fields,
    };
  }
}

/** Milliseconds as seconds, to the millisecond. */
function seconds(ms: number): number {
  return Math.round(ms) / 1000;
}

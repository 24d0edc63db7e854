/**
 * Bindings, arpwatch's way (`ent_add` in arpwatch 2.1a15 `db.c`): per segment (interface and
 * VLAN tags) and IP, the MACs that claimed the IP, most recent first.
 */
import { ArpOp } from '../wire/arp.js';
import { formatIpv4, type Ipv4 } from '../wire/ipv4.js';
import { formatMac, isUnicastMac, type Mac } from '../wire/mac.js';
import type { Detector } from './detector.js';
import {
  type FieldValue,
  type Finding,
  type FindingKind,
  type FindingSink,
  durationText,
  findingAt,
  roundSeconds,
} from './finding.js';
import { IdRecords } from './id-records.js';
import type { Observation } from './observation.js';

/** Re-exported: the predicate lives with the observation, which works it out once per frame. */
export { isBindingClaim } from './observation.js';

/**
 * The most MACs remembered per IP. arpwatch keeps them all; a MAC pushed out of the list is
 * unknown again, so its return is a `changed-mac` rather than a `reused-mac`.
 */
export const MAX_MACS_PER_IP = 8;

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

/** A binding's record in `IdRecords`: its latest MAC and that MAC's last claim, inline. */
const MAC = 1;
const MAC_SEEN = 2;
const MAC_FRAME = 3;
const COUNT = 4;
const LAST_SEEN = 5;
const FIRST_SEEN = 6;
/** MACs in the list, the first one included. */
const MACS = 7;
const STRIDE = 8;

/** The MACs of a list after the first, with their last claims (the rare path's state). */
interface OlderMacs {
  macs: number[];
  seenMs: number[];
  frames: number[];
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
 *
 * Per IP, the front MAC, its last claim and the counts are a record of `IdRecords` (a refresh,
 * nearly every claim, touches one cache line); the MACs behind it are an object per IP, read and
 * written only when the MAC changes.
 */
export class BindingsDetector implements Detector {
  private readonly records = new IdRecords(STRIDE);
  /** The MACs after the first, by address id; valid while the record says there are some. */
  private readonly older: (OlderMacs | undefined)[] = [];

  get evicted(): number {
    return this.records.evicted;
  }

  /** What is known of the address with this id (of `AddressIds`) and generation. */
  lookup(id: number, generation: number): Binding | undefined {
    const at = this.records.find(id, generation);
    if (at < 0) return undefined;
    const d = this.records.data;
    const older = this.olderOf(id, d[at + MACS]!);
    return {
      macs: [d[at + MAC]!, ...older.macs],
      macSeenMs: [d[at + MAC_SEEN]!, ...older.seenMs],
      macFrames: [d[at + MAC_FRAME]!, ...older.frames],
      firstSeenMs: d[at + FIRST_SEEN]!,
      lastSeenMs: d[at + LAST_SEEN]!,
      count: d[at + COUNT]!,
    };
  }

  frame(o: Observation, sink: FindingSink): void {
    if (o.claim) this.claim(o, false, sink);
    if (o.kind === 'rarp' && isRarpAssignment(o)) this.claim(o, true, sink);
  }

  advance(): void {}

  finish(): void {}

  /**
   * A claim of SPA by SHA, or of TPA by THA for a RARP `assignment`. The addresses are read here
   * from `o`, not passed: a 48-bit number passed to a call not inlined is boxed, per frame.
   */
  private claim(o: Observation, assignment: boolean, sink: FindingSink): void {
    const mac = assignment ? o.tha : o.sha;
    const id = assignment ? o.tpaId : o.spaId;
    const generation = assignment ? o.tpaGen : o.spaGen;
    const records = this.records;
    const timeMs = o.timeMs;
    let at = records.find(id, generation);
    if (at < 0) {
      at = records.claim(id, generation);
      const d = records.data;
      d[at + MAC] = mac;
      d[at + MAC_SEEN] = timeMs;
      d[at + MAC_FRAME] = o.number;
      d[at + COUNT] = 1;
      d[at + LAST_SEEN] = timeMs;
      d[at + FIRST_SEEN] = timeMs;
      d[at + MACS] = 1;
      sink(this.finding('new-station', o, assignment, [o.number], ''));
      return;
    }
    const d = records.data;
    d[at + COUNT]!++;
    d[at + LAST_SEEN] = timeMs;
    if (d[at + MAC] === mac) {
      d[at + MAC_SEEN] = timeMs;
      d[at + MAC_FRAME] = o.number;
      return;
    }
    this.change(id, at, o, assignment, sink);
  }

  /** The MACs after the first of the record of `id` (`count` MACs in all). */
  private olderOf(id: number, count: number): OlderMacs {
    const older = this.older[id];
    if (count > 1 && older !== undefined) return older;
    return { macs: [], seenMs: [], frames: [] };
  }

  /** The rare path: `mac` is not the IP's current one. */
  private change(
    id: number,
    at: number,
    o: Observation,
    assignment: boolean,
    sink: FindingSink,
  ): void {
    const mac = assignment ? o.tha : o.sha;
    const d = this.records.data;
    const older = this.olderOf(id, d[at + MACS]!);
    const macs = [d[at + MAC]!, ...older.macs];
    const macSeenMs = [d[at + MAC_SEEN]!, ...older.seenMs];
    const macFrames = [d[at + MAC_FRAME]!, ...older.frames];
    const previous = macs[0]!;
    const previousFrame = macFrames[0]!;
    const previousAgoMs = o.timeMs - macSeenMs[0]!;
    const previousSeenSeconds = roundSeconds(previousAgoMs, 6);
    const index = macs.indexOf(mac);
    const fields: Record<string, FieldValue> = {
      previousMac: formatMac(previous as Mac),
      previousSeenSeconds,
    };
    const frames =
      index < 0 ? [previousFrame, o.number] : [macFrames[index]!, previousFrame, o.number];
    let kind: FindingKind;
    if (index === 1) {
      kind = 'flip-flop';
    } else if (index >= 2) {
      kind = 'reused-mac';
      fields['macsBefore'] = macs.slice(0, index).map((m) => formatMac(m as Mac));
      fields['macSeenSeconds'] = roundSeconds(o.timeMs - macSeenMs[index]!, 6);
    } else {
      kind = 'changed-mac';
    }
    // Moves the MAC at `index` (or a new one, at the end) to the front, the list at most
    // MAX_MACS_PER_IP long.
    for (let i = Math.min(index < 0 ? macs.length : index, MAX_MACS_PER_IP - 1); i > 0; i--) {
      macs[i] = macs[i - 1]!;
      macSeenMs[i] = macSeenMs[i - 1]!;
      macFrames[i] = macFrames[i - 1]!;
    }
    d[at + MAC] = mac;
    d[at + MAC_SEEN] = o.timeMs;
    d[at + MAC_FRAME] = o.number;
    d[at + MACS] = macs.length;
    this.older[id] = {
      macs: macs.slice(1),
      seenMs: macSeenMs.slice(1),
      frames: macFrames.slice(1),
    };
    const was = `(was ${formatMac(previous as Mac)}, ${durationText(previousAgoMs)} ago)`;
    sink(this.finding(kind, o, assignment, frames, ` ${was}`, fields));
  }

  private finding(
    kind: FindingKind,
    o: Observation,
    assignment: boolean,
    frames: number[],
    suffix: string,
    fields: Record<string, FieldValue> = {},
  ): Finding {
    const ipText = formatIpv4((assignment ? o.tpa : o.spa) as Ipv4);
    const macText = formatMac((assignment ? o.tha : o.sha) as Mac);
    return findingAt(o, {
      kind,
      key: segmentSubject(ipText, o.vlans),
      ip: ipText,
      mac: macText,
      frames,
      text: `${ipText} is-at ${macText}${suffix}`,
      fields,
    });
  }
}

/**
 * The plan of `arpkit announce`: from a snapshot of this host and the selectors on the command
 * line, every frame one round sends, each on the link it must leave by. After a failover (a bond
 * changes its active slave, an uplink is replaced) the switch upstream must see a frame from every
 * MAC of this host and of every guest behind its bridges, out of the new uplink: kernel bonding
 * announces only the host's own addresses, so the guests are announced here on their behalf, with
 * the guest's MAC as the Ethernet source (as OVS and VMware do). Pure: no I/O, no clock.
 */
import type { HostLink, HostSnapshot } from '../host/snapshot.js';
import { EtherType } from '../wire/ethertype.js';
import type { Ipv4 } from '../wire/ipv4.js';
import type { Ipv6 } from '../wire/ipv6.js';
import { formatMac, type Mac } from '../wire/mac.js';
import type { VlanRepr } from '../wire/vlan.js';
import { type Exit, Topology } from './egress.js';
import { nameList } from './plan-error.js';
import {
  type AnnounceOptions,
  type PlanSource,
  requireSelector,
  selectSubjects,
} from './select.js';
import { type SendSpec, sendFrame } from './send-frame.js';

export type { AnnounceIp, AnnounceOptions, PlanSource } from './select.js';
export { PlanError } from './plan-error.js';

/** One frame of an announcement: what it is, the link it leaves by and why it is sent. */
export interface PlannedFrame {
  /** The name of the link it is sent on. */
  readonly egress: string;
  readonly spec: SendSpec;
  /** The bytes, built once by `sendFrame`. */
  readonly frame: Uint8Array;
  readonly source: PlanSource;
}

/** The frames of one round of `arpkit announce`, in a stable order, and what was left out. */
export interface AnnouncePlan {
  readonly frames: readonly PlannedFrame[];
  /** One line per group of frames not planned (a link down, a VLAN an uplink does not carry). */
  readonly skipped: readonly string[];
}

/** A MAC to announce and its addresses, whoever it belongs to. */
interface Announced {
  readonly source: PlanSource;
  readonly mac: Mac;
  readonly ipv4: readonly Ipv4[];
  readonly ipv6: readonly Ipv6[];
}

/** How a note names the selector of each source (guests add the bridge). */
const GROUPS: Readonly<Record<Exclude<PlanSource, 'guest'>, string>> = {
  iface: '--iface',
  ip: '--ip',
  all: '--all',
};

/** The addresses of a guest: none known. */
const NONE: readonly never[] = Object.freeze([]);

/** How many items a skip note lists before it counts the rest. */
const NOTE_ITEMS = 3;

/**
 * Plans the frames `options` ask for: per MAC and link it leaves by, an ARP request and an ARP
 * reply for each IPv4 address (some peers honour only one), an unsolicited NA for each IPv6
 * address, or for a MAC without an address one RARP (or `learn`) frame. The same frame is planned
 * once, whichever selectors ask for it. Frames come in selector order (`--iface`, `--ip`,
 * `--all`, `--guests`), then by link index or guest MAC, so a dry run prints the same twice.
 * Throws a PlanError for a request it must refuse.
 */
export function planAnnouncement(snapshot: HostSnapshot, options: AnnounceOptions): AnnouncePlan {
  requireSelector(options);
  const topology = new Topology(snapshot, options.uplinks);
  const selection = selectSubjects(snapshot, topology, options);
  const plan = new PlanBuilder(options.macFrame);
  for (const subject of selection.subjects) {
    const group = GROUPS[subject.source];
    for (const exit of topology.exits(subject.link)) {
      plan.add(subject, exit, group, subject.label);
    }
  }
  for (const { bridge, entries } of selection.guests) {
    const group = `--guests ${bridge.name}`;
    for (const entry of entries) {
      const guest: Announced = { source: 'guest', mac: entry.mac, ipv4: NONE, ipv6: NONE };
      for (const exit of topology.guestExits(bridge, entry.vlan)) {
        plan.add(guest, exit, group, entry.mac);
      }
    }
  }
  return plan.finish(selection.notes);
}

/** Why frames may not leave by `link` when the selector is not explicit about it, if so. */
function downReason(link: HostLink): string | undefined {
  if (!link.up) return 'it is down';
  return link.carrier ? undefined : 'it has no carrier';
}

/** Room for every VLAN id and "untagged" in a number that says where a frame leaves. */
const PLACES_PER_LINK = 4097;

/** Frames of one selector group left out of one link for one reason: what a skip note says. */
interface Note {
  readonly group: string;
  readonly egress: string;
  readonly reason: string;
  readonly items: Set<string>;
}

/** Collects frames once each, in the order asked, and notes on what is left out. */
class PlanBuilder {
  readonly #macFrame: 'rarp' | 'learn';
  readonly #frames: PlannedFrame[] = [];
  /** The MACs of the frames planned so far, by egress and tag, then by kind and address. */
  readonly #seen = new Map<number, Map<string, Set<Mac>>>();
  readonly #tags = new Map<number, { readonly vlans: readonly VlanRepr[] }>();
  readonly #notes = new Map<string, Note>();

  constructor(macFrame: 'rarp' | 'learn') {
    this.#macFrame = macFrame;
  }

  /**
   * Plans the frames of `what` leaving by `exit`, unless they are planned already. Frames that
   * cannot leave there (a VLAN the uplink does not carry; for `--all` and guests, a link down or
   * without carrier) are noted under `group` as `item` (a name, or a guest's MAC) instead.
   */
  add(what: Announced, exit: Exit, group: string, item: string | Mac): void {
    const egress = exit.link.name;
    const explicit = what.source === 'iface' || what.source === 'ip';
    const reason = exit.blocked ?? (explicit ? undefined : downReason(exit.link));
    for (const spec of this.#specs(what, exit.vid)) {
      const macs = this.#macsFor(exit, spec);
      if (macs.has(spec.mac)) continue;
      if (reason !== undefined) {
        this.#note(group, egress, reason, typeof item === 'string' ? item : formatMac(item));
        continue;
      }
      macs.add(spec.mac);
      this.#frames.push({ egress, spec, frame: sendFrame(spec), source: what.source });
    }
  }

  /** The plan, with `notes` from the selection ahead of the skip notes. */
  finish(notes: readonly string[]): AnnouncePlan {
    const skipped = [...this.#notes.values()].map(
      ({ group, egress, reason, items }) =>
        `${group}: ${nameList([...items], NOTE_ITEMS)} not announced on ${egress}: ${reason}`,
    );
    return { frames: this.#frames, skipped: [...notes, ...skipped] };
  }

  /** What announces `what` in VLAN `vid`: request + reply per IPv4, NA per IPv6, else a MAC frame. */
  #specs(what: Announced, vid: number | undefined): SendSpec[] {
    const tag = vid === undefined ? {} : this.#tag(vid);
    const mac = what.mac;
    const specs: SendSpec[] = [];
    for (const ip of what.ipv4) {
      specs.push({ kind: 'request', mac, ip, ...tag }, { kind: 'reply', mac, ip, ...tag });
    }
    for (const ip of what.ipv6) specs.push({ kind: 'na', mac, ip, ...tag });
    if (specs.length === 0) specs.push({ kind: this.#macFrame, mac, ...tag });
    return specs;
  }

  /**
   * The MACs planned in frames like `spec` leaving by `exit`: same link, tag, kind and address
   * (two frames that agree on these and the MAC are the same frame). Keyed by numbers and short
   * strings: ten thousand guests are planned in milliseconds.
   */
  #macsFor(exit: Exit, spec: SendSpec): Set<Mac> {
    const place = exit.link.index * PLACES_PER_LINK + (exit.vid ?? -1) + 1;
    let byWhat = this.#seen.get(place);
    if (byWhat === undefined) {
      byWhat = new Map();
      this.#seen.set(place, byWhat);
    }
    const what = spec.ip === undefined ? spec.kind : `${spec.kind} ${spec.ip}`;
    let macs = byWhat.get(what);
    if (macs === undefined) {
      macs = new Set();
      byWhat.set(what, macs);
    }
    return macs;
  }

  /** One shared 802.1Q tag per VLAN id. */
  #tag(vid: number): { readonly vlans: readonly VlanRepr[] } {
    let tag = this.#tags.get(vid);
    if (tag === undefined) {
      tag = { vlans: Object.freeze([{ tpid: EtherType.VLAN, pcp: 0, dei: false, vid }]) };
      this.#tags.set(vid, tag);
    }
    return tag;
  }

  /** Adds `item` to the note on `group`'s frames not sent on `egress` for `reason`. */
  #note(group: string, egress: string, reason: string, item: string): void {
    const key = `${group}\0${egress}\0${reason}`;
    let note = this.#notes.get(key);
    if (note === undefined) {
      note = { group, egress, reason, items: new Set() };
      this.#notes.set(key, note);
    }
    note.items.add(item);
  }
}

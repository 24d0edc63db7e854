import type { HostLink, HostSnapshot, PortVlan } from '../host/snapshot.js';
import { formatMac, isUnicastMac } from '../wire/mac.js';
import { nameList, PlanError } from './plan-error.js';

/** Kinds of bridge port that lead to the network: a bridge's uplinks unless `--uplink` names others. */
export const UPLINK_KINDS: ReadonlySet<string> = new Set([
  'physical',
  'bond',
  'team',
  'vlan',
  'vxlan',
]);

/** Keys per bridge in the exit cache: every VLAN id and untagged. */
const VLAN_KEYS = 4097;

/** Masters whose slaves send through them: frames of a slave leave by its master. */
const AGGREGATE_KINDS: ReadonlySet<string> = new Set(['bond', 'team']);

/** One link a frame leaves this host by, with its 802.1Q tag there, or why it cannot leave. */
export interface Exit {
  readonly link: HostLink;
  /** The VLAN id the frame is tagged with; undefined for an untagged frame. */
  readonly vid: number | undefined;
  /** Why the frame cannot leave by this link (it does not carry the frame's VLAN), if so. */
  readonly blocked: string | undefined;
}

/** Why `link` cannot announce its own MAC (`is loopback`…), or undefined when it can. */
export function announceRefusal(link: HostLink): string | undefined {
  if (link.loopback) return 'is loopback';
  if (link.noarp) return 'does not use ARP (NOARP)';
  if (link.mac === undefined) return 'has no MAC';
  if (!isUnicastMac(link.mac)) return `has no unicast MAC (${formatMac(link.mac)})`;
  return undefined;
}

/** The VLAN untagged frames entering the bridge from `link` belong to, if it has VLAN info. */
function pvidOf(link: HostLink): number | undefined {
  return link.portVlans.find((vlan) => vlan.pvid)?.vid;
}

/**
 * This host's bridges with their ports and uplinks, and where the frames of each link leave,
 * indexed once from a snapshot so that planning for thousands of links and guests stays linear.
 */
export class Topology {
  /** The bridges, by index. */
  readonly bridges: readonly HostLink[];
  readonly #snapshot: HostSnapshot;
  readonly #uplinks = new Map<number, readonly HostLink[]>();
  readonly #uplinkIndexes = new Set<number>();
  readonly #portVlans = new Map<number, ReadonlyMap<number, PortVlan>>();
  /** Exits by bridge and VLAN: `bridge × VLAN_KEYS + vid + 1`, 0 for untagged. */
  readonly #exits = new Map<number, readonly Exit[]>();

  /**
   * Indexes `snapshot`; `uplinkNames` (`--uplink`) must each be a bridge port and replace the
   * uplinks found by kind on the bridge they belong to. Throws a PlanError for any other name.
   */
  constructor(snapshot: HostSnapshot, uplinkNames: readonly string[]) {
    this.#snapshot = snapshot;
    this.bridges = snapshot.links.filter((link) => link.kind === 'bridge');
    const bridgeIndexes = new Set(this.bridges.map((bridge) => bridge.index));
    const ports = new Map<number, HostLink[]>();
    for (const link of snapshot.links) {
      if (link.master === undefined || !bridgeIndexes.has(link.master)) continue;
      const list = ports.get(link.master);
      if (list === undefined) ports.set(link.master, [link]);
      else list.push(link);
    }
    const named = new Set<number>();
    for (const name of uplinkNames) {
      const link = snapshot.linkNamed(name);
      if (link === undefined) {
        const links = snapshot.links.map((each) => each.name);
        throw new PlanError(`--uplink: no link named "${name}" (links: ${nameList(links)})`);
      }
      if (link.master === undefined || !bridgeIndexes.has(link.master)) {
        const all = [...ports.values()].flat().map((port) => port.name);
        throw new PlanError(
          `--uplink: ${name} is not a bridge port; expected one of ${nameList(all)}`,
        );
      }
      named.add(link.index);
    }
    for (const bridge of this.bridges) {
      const own = ports.get(bridge.index) ?? [];
      const chosen = own.filter((port) => named.has(port.index));
      const uplinks =
        chosen.length > 0 ? chosen : own.filter((port) => UPLINK_KINDS.has(port.kind));
      this.#uplinks.set(bridge.index, uplinks);
      for (const uplink of uplinks) this.#uplinkIndexes.add(uplink.index);
    }
  }

  /** The ports of `bridge` that lead to the network, by index; empty for a bridge without one. */
  uplinksOf(bridge: HostLink): readonly HostLink[] {
    return this.#uplinks.get(bridge.index) ?? [];
  }

  /** True when link `index` is an uplink of its bridge. */
  isUplink(index: number): boolean {
    return this.#uplinkIndexes.has(index);
  }

  /**
   * Where frames from `link`'s own MAC leave: a bond slave by its bond; a bridge, or a port of a
   * bridge that is not an uplink, by the bridge's uplinks (tagged with the VLAN the frames would
   * belong to inside the bridge) or by the bridge itself when it has none; anything else, an
   * uplink or a VLAN link (the kernel tags) included, by itself.
   */
  exits(link: HostLink): readonly Exit[] {
    const master = link.master === undefined ? undefined : this.#snapshot.link(link.master);
    if (master !== undefined && AGGREGATE_KINDS.has(master.kind)) return this.exits(master);
    if (link.kind === 'bridge') return this.#crossing(link, pvidOf(link));
    if (master?.kind === 'bridge' && !this.isUplink(link.index)) {
      return this.#crossing(master, pvidOf(link));
    }
    return [{ link, vid: undefined, blocked: undefined }];
  }

  /**
   * Where a guest's frames leave when the guest sits behind `bridge` in VLAN `vid`: every uplink,
   * tagged as that uplink carries the VLAN. The bridge must have an uplink.
   */
  guestExits(bridge: HostLink, vid: number | undefined): readonly Exit[] {
    return this.#crossing(bridge, vid);
  }

  /** The exits of frames in VLAN `vid` leaving `bridge` by its uplinks (cached per VLAN). */
  #crossing(bridge: HostLink, vid: number | undefined): readonly Exit[] {
    const key = bridge.index * VLAN_KEYS + (vid ?? -1) + 1;
    let exits = this.#exits.get(key);
    if (exits === undefined) {
      const uplinks = this.uplinksOf(bridge);
      exits =
        uplinks.length === 0
          ? [{ link: bridge, vid: undefined, blocked: undefined }]
          : uplinks.map((uplink) => this.#exitBy(uplink, vid));
      this.#exits.set(key, exits);
    }
    return exits;
  }

  /**
   * A frame of VLAN `vid` sent straight on `uplink`, bypassing the bridge: tagged if the uplink
   * carries the VLAN tagged, untagged if it carries it untagged (or has no VLAN info: the bridge
   * does not filter), blocked if it does not carry it at all.
   */
  #exitBy(uplink: HostLink, vid: number | undefined): Exit {
    const untagged: Exit = { link: uplink, vid: undefined, blocked: undefined };
    if (vid === undefined || uplink.portVlans.length === 0) return untagged;
    const carried = this.#vlansOf(uplink).get(vid);
    if (carried === undefined) {
      return { link: uplink, vid: undefined, blocked: `it does not carry vlan ${vid}` };
    }
    return carried.untagged ? untagged : { link: uplink, vid, blocked: undefined };
  }

  /** `link.portVlans` by VLAN id (a trunk may carry all 4094). */
  #vlansOf(link: HostLink): ReadonlyMap<number, PortVlan> {
    let vlans = this.#portVlans.get(link.index);
    if (vlans === undefined) {
      vlans = new Map(link.portVlans.map((vlan) => [vlan.vid, vlan]));
      this.#portVlans.set(link.index, vlans);
    }
    return vlans;
  }
}

/**
 * One JSON shape for a host snapshot, made two independent ways so tests can compare them field
 * by field: from a `HostSnapshot` (what arpkit read over rtnetlink) and from iproute2's own JSON
 * of the same moment (`ip -j -d link show`, `ip -j addr show`, `bridge -j fdb show`, `bridge -j
 * vlan show`). The iproute2 side reads only what those tools print and never calls arpkit's
 * parsers. Absent values are `null` so the shape survives JSON between processes. Addresses are
 * ordered by link, then IPv4 before IPv6, then the kernel's order, on both sides.
 */
import type { HostAddress, HostSnapshot } from '../host/snapshot.js';
import { formatIpv4 } from '../wire/ipv4.js';
import { formatIpv6 } from '../wire/ipv6.js';
import { formatMac } from '../wire/mac.js';

/** A link as both sides can say it. */
export interface LinkJson {
  readonly index: number;
  readonly name: string;
  readonly mac: string | null;
  readonly hardwareType: number;
  readonly up: boolean;
  readonly carrier: boolean;
  readonly noarp: boolean;
  readonly loopback: boolean;
  readonly kind: string;
  readonly tap: boolean;
  readonly master: number | null;
  readonly parent: number | null;
  readonly vlanId: number | null;
  readonly bond: { readonly mode: string; readonly activeSlave: number | null } | null;
  readonly vlanFiltering: boolean;
  readonly portVlans: readonly { vid: number; untagged: boolean; pvid: boolean }[];
}

/** An address as both sides can say it. */
export interface AddressJson {
  readonly index: number;
  readonly family: 'ipv4' | 'ipv6';
  readonly ip: string;
  readonly prefixLength: number;
  readonly scope: number;
  readonly tentative: boolean;
  readonly deprecated: boolean;
  readonly secondary: boolean;
}

/** A bridge FDB entry as both sides can say it. */
export interface FdbJson {
  readonly mac: string;
  readonly bridge: number;
  readonly port: number;
  readonly vlan: number | null;
  readonly state: string;
}

/** The whole snapshot in that shape. */
export interface SnapshotJson {
  readonly links: readonly LinkJson[];
  readonly addresses: readonly AddressJson[];
  readonly fdb: readonly FdbJson[];
}

/** iproute2's JSON of one moment, as the four commands printed it (parsed). */
export interface IprouteOutput {
  readonly link: readonly Record<string, any>[];
  readonly addr: readonly Record<string, any>[];
  readonly fdb: readonly Record<string, any>[];
  readonly vlan: readonly Record<string, any>[];
}

/** The snapshot arpkit read, in the shared shape. */
export function snapshotJson(snapshot: HostSnapshot): SnapshotJson {
  return {
    links: snapshot.links.map((link) => ({
      index: link.index,
      name: link.name,
      mac: link.mac === undefined ? null : formatMac(link.mac),
      hardwareType: link.hardwareType,
      up: link.up,
      carrier: link.carrier,
      noarp: link.noarp,
      loopback: link.loopback,
      kind: link.kind,
      tap: link.tap,
      master: link.master ?? null,
      parent: link.parent ?? null,
      vlanId: link.vlanId ?? null,
      bond:
        link.bond === undefined
          ? null
          : { mode: link.bond.mode, activeSlave: link.bond.activeSlave ?? null },
      vlanFiltering: link.vlanFiltering,
      portVlans: link.portVlans.map(({ vid, untagged, pvid }) => ({ vid, untagged, pvid })),
    })),
    addresses: byLink(snapshot.addresses.map(addressJson)),
    fdb: snapshot.fdb.map((entry) => ({
      mac: formatMac(entry.mac),
      bridge: entry.bridge,
      port: entry.port,
      vlan: entry.vlan ?? null,
      state: entry.state,
    })),
  };
}

/** One address in the shared shape (its IP as text). */
export function addressJson(address: HostAddress): AddressJson {
  const { index, family, prefixLength, scope, tentative, deprecated, secondary } = address;
  const ip = address.family === 'ipv4' ? formatIpv4(address.ip) : formatIpv6(address.ip);
  return { index, family, ip, prefixLength, scope, tentative, deprecated, secondary };
}

function byLink(addresses: AddressJson[]): AddressJson[] {
  const rank = (a: AddressJson) => a.index * 2 + (a.family === 'ipv4' ? 0 : 1);
  return addresses.sort((a, b) => rank(a) - rank(b));
}

/** `ip` prints ARPHRD_* by name (`ll_types.c`); `[N]` for one it has no name for. */
const LINK_TYPES: Readonly<Record<string, number>> = {
  ether: 1,
  loopback: 772,
  none: 65534,
  void: 0xffff,
  sit: 776,
  ipip: 768,
  tunnel6: 769,
};

const SCOPES: Readonly<Record<string, number>> = { global: 0, site: 200, link: 253, host: 254 };

/** What iproute2 printed, in the shared shape. */
export function iprouteJson(output: IprouteOutput): SnapshotJson {
  const indexOf = new Map<string, number>(output.link.map((l) => [l.ifname, l.ifindex]));
  const named = (name: unknown): number | null =>
    typeof name === 'string' ? (indexOf.get(name) ?? null) : null;
  const filtering = new Set(
    output.link
      .filter((l) => l.linkinfo?.info_kind === 'bridge' && l.linkinfo.info_data?.vlan_filtering)
      .map((l) => l.ifindex as number),
  );
  const vlansOf = (name: string) =>
    (output.vlan.find((entry) => entry.ifname === name)?.vlans ?? []).flatMap((v: any) => {
      const flags: string[] = v.flags ?? [];
      const untagged = flags.includes('Egress Untagged');
      const pvid = flags.includes('PVID');
      const last: number = v.vlanEnd ?? v.vlan;
      return Array.from({ length: last - v.vlan + 1 }, (_, i) => ({
        vid: v.vlan + i,
        untagged,
        pvid,
      }));
    });
  const links = output.link.map((l): LinkJson => {
    const flags: string[] = l.flags;
    const kind: string | undefined = l.linkinfo?.info_kind;
    const data = l.linkinfo?.info_data ?? {};
    const loopback = flags.includes('LOOPBACK');
    const master = named(l.master);
    const stacked = ['vlan', 'macvlan', 'macvtap', 'ipvlan', 'ipvtap'].includes(kind ?? '');
    const linkType: string = l.link_type;
    return {
      index: l.ifindex,
      name: l.ifname,
      mac: typeof l.address === 'string' && l.address.length === 17 ? l.address : null,
      hardwareType: LINK_TYPES[linkType] ?? Number(/^\[(\d+)\]$/.exec(linkType)?.[1] ?? -1),
      up: flags.includes('UP'),
      carrier: flags.includes('LOWER_UP'),
      noarp: flags.includes('NOARP'),
      loopback,
      kind: kind ?? (loopback ? 'loopback' : 'physical'),
      tap: kind === 'tun' && data.type === 'tap',
      master,
      parent: stacked && l.link_netnsid === undefined ? named(l.link) : null,
      vlanId: kind === 'vlan' ? data.id : null,
      bond: kind === 'bond' ? { mode: data.mode, activeSlave: named(data.active_slave) } : null,
      vlanFiltering: kind === 'bridge' && Boolean(data.vlan_filtering),
      portVlans:
        filtering.has(l.ifindex) || (master !== null && filtering.has(master))
          ? vlansOf(l.ifname)
          : [],
    };
  });
  const addresses = output.addr.flatMap((l) =>
    (l.addr_info as Record<string, any>[]).map((a): AddressJson => ({
      index: l.ifindex,
      family: a.family === 'inet' ? 'ipv4' : 'ipv6',
      ip: a.local,
      prefixLength: a.prefixlen,
      scope: SCOPES[a.scope] ?? Number(a.scope),
      tentative: a.tentative === true,
      deprecated: a.deprecated === true,
      secondary: a.secondary === true,
    })),
  );
  const fdb = output.fdb
    .filter((entry) => entry.master !== undefined)
    .map((entry): FdbJson => ({
      mac: entry.mac,
      bridge: named(entry.master) ?? -1,
      port: named(entry.ifname) ?? -1,
      vlan: entry.vlan ?? null,
      state:
        entry.state === 'permanent' ? 'local' : entry.state === 'static' ? 'static' : 'learned',
    }));
  return { links, addresses: byLink(addresses), fdb };
}

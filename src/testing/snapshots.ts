/**
 * Host snapshots built by hand for tests: links by name in index order, addresses as CIDR text,
 * FDB entries by bridge and port name. Every link is an Ethernet link, up with carrier, with a
 * MAC of its own (02:00:00:00:00:00 plus its index) unless the test says otherwise.
 */
import {
  AddressScope,
  type BondInfo,
  type FdbEntry,
  type FdbState,
  type HostAddress,
  type HostLink,
  HostSnapshot,
  type PortVlan,
} from '../host/snapshot.js';
import { parseIpv4 } from '../wire/ipv4.js';
import { parseIpv6 } from '../wire/ipv6.js';
import { type Mac, parseMac } from '../wire/mac.js';

const ARPHRD_ETHER = 1;
const ARPHRD_LOOPBACK = 772;
const ARPHRD_NONE = 65534;
/** 02:00:00:00:00:00, to which a link's index is added for its default MAC. */
const LOCAL_MAC = 0x0200_0000_0000;

/** What a test says about a link; the rest takes the defaults above. */
export interface LinkOptions {
  /** The MAC as text; null for a link without one (tun, wireguard). */
  readonly mac?: string | null;
  /** The bridge or bond it is enslaved to, by name (added before it). */
  readonly master?: string;
  /** The link it is stacked on, by name (a VLAN's parent). */
  readonly parent?: string;
  readonly up?: boolean;
  readonly carrier?: boolean;
  readonly noarp?: boolean;
  readonly tap?: boolean;
  readonly vlanId?: number;
  readonly bond?: BondInfo;
  readonly vlanFiltering?: boolean;
  /** Port VLANs as `bridge vlan show` lists them: `1pu 10 20`, p for PVID, u for untagged. */
  readonly vlans?: string;
}

/** What a test says about an address besides the address itself. */
export interface AddressOptions {
  readonly scope?: number;
  readonly tentative?: boolean;
  readonly deprecated?: boolean;
  readonly secondary?: boolean;
}

/** `1pu 10 20` as port VLANs. */
function portVlans(text: string | undefined): PortVlan[] {
  if (text === undefined) return [];
  return text
    .split(/\s+/)
    .filter((word) => word !== '')
    .map((word) => {
      const match = /^(\d+)([pu]*)$/.exec(word);
      if (match === null) throw new Error(`port VLAN "${word}": expected a VID and p/u flags`);
      const flags = match[2]!;
      return { vid: Number(match[1]), pvid: flags.includes('p'), untagged: flags.includes('u') };
    });
}

/** Builds a `HostSnapshot` a statement at a time. */
export class SnapshotBuilder {
  readonly #links: HostLink[] = [];
  readonly #addresses: HostAddress[] = [];
  readonly #fdb: FdbEntry[] = [];

  /** Adds link `name` of `kind` (`physical`, `bridge`, `bond`, `tun`, `loopback`…), next index. */
  link(name: string, kind: string, options: LinkOptions = {}): this {
    const index = this.#links.length + 1;
    const loopback = kind === 'loopback';
    const mac =
      options.mac === null
        ? undefined
        : options.mac !== undefined
          ? parseMac(options.mac)
          : ((loopback ? 0 : LOCAL_MAC + index) as Mac);
    this.#links.push({
      index,
      name,
      mac,
      hardwareType: loopback ? ARPHRD_LOOPBACK : mac === undefined ? ARPHRD_NONE : ARPHRD_ETHER,
      up: options.up ?? true,
      carrier: options.carrier ?? options.up ?? true,
      noarp: options.noarp ?? false,
      loopback,
      kind,
      tap: options.tap ?? false,
      master: options.master === undefined ? undefined : this.index(options.master),
      parent: options.parent === undefined ? undefined : this.index(options.parent),
      vlanId: options.vlanId,
      bond: options.bond,
      vlanFiltering: options.vlanFiltering ?? false,
      portVlans: portVlans(options.vlans),
    });
    return this;
  }

  /** Adds IPv4 address `cidr` (`192.0.2.1/24`) on link `name`, scope global unless told. */
  ipv4(name: string, cidr: string, options: AddressOptions = {}): this {
    const [ip, prefix] = cidr.split('/');
    this.#addresses.push({
      family: 'ipv4',
      ip: parseIpv4(ip!),
      ...this.#address(name, Number(prefix ?? 32), options),
    });
    return this;
  }

  /** Adds IPv6 address `cidr` (`2001:db8::1/64`) on link `name`, scope global unless told. */
  ipv6(name: string, cidr: string, options: AddressOptions = {}): this {
    const [ip, prefix] = cidr.split('/');
    this.#addresses.push({
      family: 'ipv6',
      ip: parseIpv6(ip!),
      ...this.#address(name, Number(prefix ?? 128), options),
    });
    return this;
  }

  /** Adds an FDB entry of bridge `bridge`: `mac` on `port`, learned unless told. */
  fdb(
    bridge: string,
    port: string,
    mac: string | Mac,
    options: { readonly state?: FdbState; readonly vlan?: number } = {},
  ): this {
    this.#fdb.push({
      mac: typeof mac === 'string' ? parseMac(mac) : mac,
      bridge: this.index(bridge),
      port: this.index(port),
      vlan: options.vlan,
      state: options.state ?? 'learned',
    });
    return this;
  }

  /** The index of link `name`, which must have been added. */
  index(name: string): number {
    const link = this.#links.find((each) => each.name === name);
    if (link === undefined) throw new Error(`snapshot builder: no link "${name}" yet`);
    return link.index;
  }

  /** The snapshot of everything added. */
  build(): HostSnapshot {
    return new HostSnapshot({ links: this.#links, addresses: this.#addresses, fdb: this.#fdb });
  }

  #address(name: string, prefixLength: number, options: AddressOptions) {
    return {
      index: this.index(name),
      prefixLength,
      scope: options.scope ?? AddressScope.GLOBAL,
      tentative: options.tentative ?? false,
      deprecated: options.deprecated ?? false,
      secondary: options.secondary ?? false,
    };
  }
}

/** The bond's (and so its slaves' and br0's) MAC in `hypervisor()`. */
export const HV_MAC = '52:54:00:00:00:10';

/**
 * A hypervisor: bond0 (active-backup over eth0 and eth1) under br0 with two guest taps and a
 * container veth; br1 filtering VLANs over trunk eth2 (1 untagged, 10 and 20 tagged); lo; a
 * NOARP tun; a dummy; docker0 without an uplink; eth3 without carrier. Guests: aa:01 and aa:02
 * on the taps, aa:03 static on the veth; bb:10 (vlan 10), bb:01 (vlan 1) and bb:30 (vlan 30,
 * which eth2 does not carry) behind br1; a container behind docker0; the router's MAC learned
 * on bond0.
 */
export function hypervisor(): SnapshotBuilder {
  return new SnapshotBuilder()
    .link('lo', 'loopback')
    .ipv4('lo', '127.0.0.1/8', { scope: AddressScope.HOST })
    .ipv6('lo', '::1/128', { scope: AddressScope.HOST })
    .link('br0', 'bridge', { mac: HV_MAC })
    .link('bond0', 'bond', {
      mac: HV_MAC,
      master: 'br0',
      bond: { mode: 'active-backup', activeSlave: 4 },
    })
    .link('eth0', 'physical', { mac: HV_MAC, master: 'bond0' })
    .link('eth1', 'physical', { mac: HV_MAC, master: 'bond0' })
    .ipv4('br0', '192.0.2.10/24')
    .ipv4('br0', '192.0.2.11/24', { secondary: true })
    .ipv6('br0', '2001:db8::10/64', { deprecated: true })
    .ipv6('br0', 'fe80::5054:ff:fe00:10/64', { scope: AddressScope.LINK })
    .ipv6('br0', '2001:db8::99/64', { tentative: true })
    .link('vnet0', 'tun', { tap: true, mac: 'fe:54:00:00:00:01', master: 'br0' })
    .link('vnet1', 'tun', { tap: true, mac: 'fe:54:00:00:00:02', master: 'br0' })
    .link('veth0', 'veth', { mac: 'fe:54:00:00:00:03', master: 'br0' })
    .fdb('br0', 'br0', HV_MAC, { state: 'local' })
    .fdb('br0', 'vnet0', 'fe:54:00:00:00:01', { state: 'local' })
    .fdb('br0', 'vnet0', '52:54:00:aa:00:01')
    .fdb('br0', 'vnet1', '52:54:00:aa:00:02')
    .fdb('br0', 'veth0', '52:54:00:aa:00:03', { state: 'static' })
    .fdb('br0', 'bond0', '00:00:5e:00:01:01')
    .fdb('br0', 'vnet0', '33:33:00:00:00:01', { state: 'static' })
    .link('br1', 'bridge', { mac: '52:54:00:00:01:00', vlanFiltering: true, vlans: '1pu' })
    .link('eth2', 'physical', { mac: '52:54:00:00:01:00', master: 'br1', vlans: '1pu 10 20' })
    .link('vnet2', 'tun', { tap: true, mac: 'fe:54:00:00:01:02', master: 'br1', vlans: '10pu' })
    .link('vnet3', 'tun', { tap: true, mac: 'fe:54:00:00:01:03', master: 'br1', vlans: '1pu 30' })
    .fdb('br1', 'vnet2', '52:54:00:bb:00:10', { vlan: 10 })
    .fdb('br1', 'vnet3', '52:54:00:bb:00:01', { vlan: 1 })
    .fdb('br1', 'vnet3', '52:54:00:bb:00:30', { vlan: 30 })
    .link('tun0', 'tun', { mac: null, noarp: true })
    .ipv4('tun0', '10.8.0.1/24')
    .link('dummy0', 'dummy', { mac: '02:00:00:00:0d:00' })
    .ipv4('dummy0', '198.51.100.1/32')
    .link('docker0', 'bridge', { mac: '02:42:00:00:00:01' })
    .ipv4('docker0', '172.17.0.1/16')
    .link('veth1', 'veth', { mac: '02:42:00:00:00:02', master: 'docker0' })
    .fdb('docker0', 'veth1', '02:42:ac:11:00:02')
    .link('eth3', 'physical', { mac: '52:54:00:00:03:00', carrier: false })
    .ipv4('eth3', '203.0.113.5/24');
}

/** A bridge `br0` over uplink `eth0` with `count` guest MACs learned on `ports` taps. */
export function manyGuests(count: number, ports = 4): HostSnapshot {
  const builder = new SnapshotBuilder()
    .link('br0', 'bridge', { mac: '52:54:00:00:00:10' })
    .link('eth0', 'physical', { mac: '52:54:00:00:00:10', master: 'br0' });
  for (let p = 0; p < ports; p++) builder.link(`vnet${p}`, 'tun', { tap: true, master: 'br0' });
  for (let n = 0; n < count; n++) {
    builder.fdb('br0', `vnet${n % ports}`, (0x0254_0000_0000 + n) as Mac);
  }
  return builder.build();
}

/**
 * A small hypervisor: br0 (192.0.2.10, 2001:db8::10) over the physical uplink eth0, which shares
 * its MAC, with guests 52:54:00:aa:00:01 and :02 learned on taps vnet0 and vnet1.
 */
export function smallHost(): SnapshotBuilder {
  return new SnapshotBuilder()
    .link('br0', 'bridge', { mac: '52:54:00:00:00:10' })
    .link('eth0', 'physical', { mac: '52:54:00:00:00:10', master: 'br0' })
    .link('vnet0', 'tun', { tap: true, mac: 'fe:54:00:00:00:01', master: 'br0' })
    .link('vnet1', 'tun', { tap: true, mac: 'fe:54:00:00:00:02', master: 'br0' })
    .ipv4('br0', '192.0.2.10/24')
    .ipv6('br0', '2001:db8::10/64')
    .fdb('br0', 'vnet0', '52:54:00:aa:00:01')
    .fdb('br0', 'vnet1', '52:54:00:aa:00:02');
}

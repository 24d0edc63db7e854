/**
 * The IPv4 subnets of a segment, for the bogon check: configured with `--net CIDR` or learned
 * from an interface's addresses. An empty set turns the check off, as arpwatch does with `-r`
 * (no local network, so nothing is a bogon).
 */
import { DOTTED_QUAD, formatIpv4, type Ipv4, parseIpv4 } from '../wire/ipv4.js';

/** An IPv4 network: its address (host bits clear) and prefix length. */
export interface Cidr {
  readonly network: Ipv4;
  /** Prefix length, 0–32. */
  readonly prefix: number;
}

/** Text that is not an IPv4 network; the message names the input and gives an example. */
export class SubnetError extends Error {
  readonly input: string;

  constructor(input: string) {
    super(`"${input}" is not an IPv4 network (e.g. 192.0.2.0/24)`);
    this.name = 'SubnetError';
    this.input = input;
  }
}

const PREFIX = /^(0|[1-9]\d?)$/;

/** The netmask of a prefix length as an unsigned 32-bit number (`/24` → 0xffffff00). */
export function prefixMask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffff_ffff << (32 - prefix)) >>> 0;
}

/**
 * Parses `192.0.2.0/24`. Host bits may be set (`192.0.2.7/24`, as `ip addr` prints an interface
 * address) and are cleared; a prefix is required (0–32) and the address is dotted-quad as
 * `parseIpv4` reads it. Throws a `SubnetError` naming the input.
 */
export function parseCidr(text: string): Cidr {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  if (slash < 0) throw new SubnetError(text);
  const address = trimmed.slice(0, slash);
  const length = trimmed.slice(slash + 1);
  if (!DOTTED_QUAD.test(address) || !PREFIX.test(length)) throw new SubnetError(text);
  const prefix = Number(length);
  if (prefix > 32) throw new SubnetError(text);
  let ip: Ipv4;
  try {
    ip = parseIpv4(address);
  } catch {
    throw new SubnetError(text);
  }
  return { network: ((ip & prefixMask(prefix)) >>> 0) as Ipv4, prefix };
}

/** `192.0.2.0/24`. */
export function formatCidr(cidr: Cidr): string {
  return `${formatIpv4(cidr.network)}/${cidr.prefix}`;
}

/**
 * A small set of IPv4 networks, tested with `contains` on every ARP frame: parallel arrays of
 * plain numbers (network, mask), searched in order, so a test allocates nothing. A network
 * already present is not added twice.
 */
export class Subnets {
  private readonly networks: number[] = [];
  private readonly masks: number[] = [];
  private readonly prefixes: number[] = [];
  private readonly learnedFlags: boolean[] = [];

  /** The networks of `texts` (`--net`, repeatable); throws a `SubnetError` at the first bad one. */
  static parse(texts: readonly string[]): Subnets {
    const subnets = new Subnets();
    for (const text of texts) subnets.add(parseCidr(text));
    return subnets;
  }

  /** True when no network is known: the bogon check is off. */
  get isEmpty(): boolean {
    return this.networks.length === 0;
  }

  /** How many networks are known. */
  get size(): number {
    return this.networks.length;
  }

  /** Adds a configured network; returns false when it was known already. */
  add(cidr: Cidr): boolean {
    return this.insert(cidr, false);
  }

  /**
   * Adds the network of an address an interface holds (`192.0.2.7` with prefix 24 adds
   * `192.0.2.0/24`), as the monitor learns them; returns false when it was known already.
   */
  learn(address: Ipv4, prefix: number): boolean {
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) {
      throw new RangeError(`prefix must be 0-32, got ${prefix}`);
    }
    const network = ((address & prefixMask(prefix)) >>> 0) as Ipv4;
    return this.insert({ network, prefix }, true);
  }

  /** True when `ip` (an unsigned 32-bit number) lies in one of the networks. */
  contains(ip: number): boolean {
    const networks = this.networks;
    const masks = this.masks;
    for (let i = 0; i < networks.length; i++) {
      if ((ip & masks[i]!) >>> 0 === networks[i]) return true;
    }
    return false;
  }

  /** The networks as text, configured and learned, in the order they were added. */
  list(): string[] {
    return this.networks.map((network, i) =>
      formatCidr({ network: network as Ipv4, prefix: this.prefixes[i]! }),
    );
  }

  /** `192.0.2.0/24, 10.0.0.0/8 (learned)`, or `none` when empty. */
  describe(): string {
    if (this.isEmpty) return 'none';
    const texts = this.list();
    return texts
      .map((text, i) => (this.learnedFlags[i] === true ? `${text} (learned)` : text))
      .join(', ');
  }

  private insert(cidr: Cidr, learned: boolean): boolean {
    for (let i = 0; i < this.networks.length; i++) {
      if (this.networks[i] === cidr.network && this.prefixes[i] === cidr.prefix) return false;
    }
    this.networks.push(cidr.network);
    this.masks.push(prefixMask(cidr.prefix));
    this.prefixes.push(cidr.prefix);
    this.learnedFlags.push(learned);
    return true;
  }
}

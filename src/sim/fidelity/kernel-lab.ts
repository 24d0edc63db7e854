/**
 * The namespaces a fidelity test measures: stations on a Linux bridge, the real counterpart of a
 * twin's `segment` (`sim-twin.ts`). IPv6 is off everywhere, so only ARP and the test's own
 * traffic are on the wire.
 *
 * ```
 *   station 0 (eth0) ── p0 ┐
 *   station 1 (eth0) ── p1 ┤ br0 (switch namespace)
 *   …                      ┘
 * ```
 */
import type { Lab, Netns } from '../../testing/netns.js';
import { ipv6Off, setSysctls } from './kernel.js';

/** A station: its role (namespace name tag), address and MAC. */
export interface StationSpec {
  readonly role: string;
  readonly ip: string;
  readonly mac: string;
}

/** The switch namespace and the stations, in the order asked for; each station's link is eth0. */
export interface BridgedSegment {
  readonly sw: Netns;
  readonly stations: readonly Netns[];
}

/** The bridge in the switch namespace. */
export const BRIDGE = 'br0';
/** Every station's interface. */
export const STATION_IF = 'eth0';

/**
 * A bridge with one station per spec on port `p<i>`, each with `ip/prefixLen` on eth0, IPv6 off,
 * and `neigh` (sysctl keys under `net.ipv4.neigh.eth0.`) applied to each station's eth0 before
 * any traffic.
 */
export async function bridgedSegment(
  lab: Lab,
  specs: readonly StationSpec[],
  prefixLen: number,
  neigh: Readonly<Record<string, number>> = {},
): Promise<BridgedSegment> {
  const sw = await lab.addNamespace('switch');
  await ipv6Off(sw);
  const stations: Netns[] = [];
  for (const [i, spec] of specs.entries()) {
    const ns = await lab.addNamespace(spec.role);
    await ipv6Off(ns);
    await lab.vethPair(ns, STATION_IF, sw, `p${i}`, { aMac: spec.mac });
    await ns.addr(STATION_IF, `${spec.ip}/${prefixLen}`);
    const keys = Object.fromEntries(
      Object.entries(neigh).map(([key, value]) => [`neigh.${STATION_IF}.${key}`, value]),
    );
    if (Object.keys(keys).length > 0) await setSysctls(ns, keys);
    stations.push(ns);
  }
  await lab.bridge(
    sw,
    BRIDGE,
    specs.map((_, i) => `p${i}`),
  );
  return { sw, stations };
}

import { LINUX_DEFAULTS, LINUX_HELP, type LinuxParams } from './linux-params.js';
import { LinuxTable } from './linux.js';
import type { NeighbourHost } from './table.js';

/**
 * Windows Vista and later on the Linux NUD model. The Vista stack runs RFC 4861 neighbour
 * unreachability detection for IPv4 too: ReachableTime is BaseReachableTime 30 s × 0.5–1.5
 * (KB 949589), 3 broadcast solicitations 1 s apart (MAX_MULTICAST_SOLICIT, RetransTimer),
 * DELAY 5 s (DELAY_FIRST_PROBE_TIME), then 3 unicast probes (MAX_UNICAST_SOLICIT), RFC 4861
 * §10. ReachableTime is drawn per entry here, as the simulator's spec asks; RFC 4861 §6.3.2
 * draws it per interface, so `reachable_draw: 'per-table'` is the other reading. There is
 * no locktime (the last answer wins) and no arp_accept: an unsolicited GARP or reply never
 * creates an entry. The other receive rules, the GC thresholds and the queue length are
 * Linux's, not figures from a Windows source.
 */
export const WINDOWS_DEFAULTS: Readonly<LinuxParams> = Object.freeze({
  ...LINUX_DEFAULTS,
  base_reachable_time_ms: 30_000,
  delay_first_probe_time_ms: 5_000,
  retrans_time_ms: 1_000,
  mcast_solicit: 3,
  ucast_solicit: 3,
  mcast_resolicit: 0,
  locktime_ms: 0,
  arp_accept: 0,
  reachable_draw: 'per-entry',
});

/** `LINUX_HELP` with Windows' own knobs (RFC 4861 constants, `Set-NetIPInterface`) where it has them. */
export const WINDOWS_HELP: Readonly<Record<keyof LinuxParams, string>> = Object.freeze({
  ...LINUX_HELP,
  base_reachable_time_ms:
    'REACHABLE lasts a random time in [base/2, 3·base/2), ms (Set-NetIPInterface -BaseReachableTimeMs)',
  delay_first_probe_time_ms:
    'wait in DELAY for a confirmation before PROBE, ms (RFC 4861 DELAY_FIRST_PROBE_TIME)',
  retrans_time_ms:
    'gap between two requests of one INCOMPLETE or PROBE cycle, ms (Set-NetIPInterface -RetransmitTimeMs)',
  mcast_solicit:
    'broadcast requests an INCOMPLETE entry sends before FAILED (RFC 4861 MAX_MULTICAST_SOLICIT)',
  ucast_solicit:
    'unicast probes to the cached MAC a PROBE entry sends (RFC 4861 MAX_UNICAST_SOLICIT)',
  locktime_ms:
    'ignore a MAC change (not a GARP) this soon after the last update, ms; Windows has none (0)',
  arp_accept:
    "an unknown sender's GARP or reply creates an entry: 0 no, 1 or 2 yes; Windows: never (0)",
});

/** A Windows (Vista and later) neighbour cache: a `LinuxTable` with `WINDOWS_DEFAULTS`. */
export class WindowsTable extends LinuxTable {
  /** A table for `host`; `params` default to `WINDOWS_DEFAULTS`. */
  constructor(host: NeighbourHost, params: Readonly<LinuxParams> = WINDOWS_DEFAULTS) {
    super(host, params);
  }
}

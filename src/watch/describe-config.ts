/**
 * A watch configuration in one line, as the daemon logs it when it is ready or reloaded and as
 * `arpkit watch --check` prints it: what is watched, what is announced, and the triggers that
 * are on with their schedules.
 */
import { formatAnnounceIp } from '../announce/announce-ip.js';
import { TRIGGER_KINDS, type WatchConfig } from './watch-config.js';

/** `1.1s`, `15s`, `200ms`, `0`. */
export function durationText(ms: number): string {
  if (ms === 0) return '0';
  return ms % 1000 === 0 || ms >= 1000 ? `${ms / 1000}s` : `${ms}ms`;
}

/** The selectors of the announcement, as `arpkit announce` would be given them. */
function announceText(config: WatchConfig): string {
  const { options, rate } = config.announce;
  const words: string[] = [];
  for (const name of options.ifaces) words.push(`--iface ${name}`);
  if (options.all) words.push('--all');
  if (options.guests === 'all') words.push('--guests');
  else for (const bridge of options.guests ?? []) words.push(`--guests ${bridge}`);
  for (const ip of options.ips) words.push(`--ip ${formatAnnounceIp(ip)}`);
  for (const uplink of options.uplinks) words.push(`--uplink ${uplink}`);
  if (options.macFrame !== 'rarp') words.push(`--mac-frame ${options.macFrame}`);
  words.push(`--rate ${rate}`);
  return words.join(' ');
}

/** What is watched, announced and when, in one line. */
export function describeConfig(config: WatchConfig): string {
  const { watch } = config;
  const targets: string[] = [];
  if (watch.bonds.length > 0) targets.push(`bonds ${watch.bonds.join(', ')}`);
  if (watch.links.length > 0) targets.push(`links ${watch.links.join(', ')}`);
  if (watch.bridges === 'all') targets.push('every bridge');
  else if (watch.bridges.length > 0) targets.push(`bridges ${watch.bridges.join(', ')}`);
  if (watch.addresses === 'any') targets.push('any address');
  else if (watch.addresses.length > 0) {
    targets.push(`addresses ${watch.addresses.map(formatAnnounceIp).join(', ')}`);
  }
  const triggers = TRIGGER_KINDS.filter((kind) => config.schedules.has(kind)).map(
    (kind) => `${kind} ${config.schedules.get(kind)!.map(durationText).join(',')}`,
  );
  const refresh =
    config.refreshMs === undefined ? '' : `; refresh every ${durationText(config.refreshMs)}`;
  return (
    `${targets.join('; ') || 'nothing'}; announcing ${announceText(config)}; ` +
    `triggers ${triggers.join(', ')}; coalescing ${durationText(config.coalesceMs)}${refresh}`
  );
}

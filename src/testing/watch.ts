/**
 * Watch configurations and events for tests: a configuration from the same input the flags and
 * the file build (any mistake in it fails the test at once), and link events as rtnetlink would
 * report them, changed from a snapshot's link.
 */
import type { HostEvent } from '../host/events.js';
import type { HostLink, HostSnapshot } from '../host/snapshot.js';
import { buildWatchConfig, type WatchInput } from '../watch/config-build.js';
import type { WatchConfig } from '../watch/watch-config.js';

/** The configuration `input` builds; throws on any error in it. */
export function watchConfig(input: WatchInput): WatchConfig {
  return buildWatchConfig(input, (path, message) => {
    throw new Error(`test configuration: ${path.join('.')}: ${message}`);
  });
}

/** An RTM_NEWLINK event for `snapshot`'s link `name`, with `change` applied. */
export function linkEvent(
  snapshot: HostSnapshot,
  name: string,
  change: Partial<HostLink> = {},
  linkEventKind?: Extract<HostEvent, { type: 'link' }>['linkEvent'],
): HostEvent {
  const link = snapshot.linkNamed(name);
  if (link === undefined) throw new Error(`linkEvent: no link "${name}" in the snapshot`);
  return { type: 'link', op: 'new', link: { ...link, ...change }, linkEvent: linkEventKind };
}

/** An RTM_DELLINK event for `snapshot`'s link `name`. */
export function linkGone(snapshot: HostSnapshot, name: string): HostEvent {
  const link = snapshot.linkNamed(name);
  if (link === undefined) throw new Error(`linkGone: no link "${name}" in the snapshot`);
  return { type: 'link', op: 'del', link, linkEvent: undefined };
}

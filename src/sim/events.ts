import { garpRequest, qemuAnnounce } from './announcers.js';
import type { Host } from './host.js';
import type { Link, LinkOptions } from './link.js';
import type { Switch } from './switch.js';
import type { Nanos } from './units.js';
import type { World } from './world.js';

/**
 * Link flap: `link` goes down at `at` and comes back `downFor` later (each end then forwards
 * after its own ready delay). A switch flushes the port's FDB entries when it goes down.
 */
export function linkFlap(world: World, link: Link, at: Nanos, downFor: Nanos, label: string): void {
  world.event(at, `${label} down`, () => link.setUp(false));
  world.event(at + downFor, `${label} up`, () => link.setUp(true));
}

/** How a booting host announces itself. */
export interface BootOptions {
  /** Linux arp_notify=1: one gratuitous ARP per address when the link comes up. */
  readonly arpNotify: boolean;
}

/**
 * Host boot: `host` is down (it sends and answers nothing) from time 0 and comes up at `at` with
 * an empty neighbour table, sending its gratuitous ARPs if it is set to.
 */
export function hostBoot(world: World, host: Host, at: Nanos, options: BootOptions): void {
  host.up = false;
  world.event(at, `${host.name} boots`, () => {
    host.table.clear();
    host.up = true;
    if (options.arpNotify) for (const ip of host.ips) host.sendArp(garpRequest(host.mac, ip));
  });
}

/** Where and how a VM moves. */
export interface Migration {
  /** The cable from the guest to its bridge now. */
  readonly from: Link;
  /** The bridge it resumes on. */
  readonly to: Switch;
  readonly cable: LinkOptions;
  /** The stop-and-copy pause: from the guest's last frame on the source to its first on the target. */
  readonly downtime: Nanos;
  /** Whether QEMU announces the guest's MAC (RARP) as it resumes. */
  readonly announce: boolean;
}

/**
 * VM live migration: at `at` the guest stops on its source (its tap goes away, so the source
 * bridge forgets it) and resumes `downtime` later on the target bridge, with its memory (and so
 * its ARP cache) intact; QEMU then sends its RARP announcements. Returns nothing: the guest's
 * port is re-plugged in place.
 */
export function vmMigration(world: World, guest: Host, at: Nanos, move: Migration): void {
  world.event(at, `${guest.name} stops`, () => {
    guest.up = false;
    world.network.unplug(move.from);
  });
  world.event(at + move.downtime, `${guest.name} resumes`, () => {
    world.network.plug(move.to, guest.port, move.cable, guest.name);
    guest.up = true;
    if (move.announce) {
      qemuAnnounce(world.engine, world.engine.now, guest.mac, (frame) => guest.sendArp(frame));
    }
  });
}

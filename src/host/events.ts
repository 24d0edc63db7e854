/**
 * rtnetlink event messages (rtnetlink(7)) read into `HostEvent`s: what the kernel multicasts to
 * the RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR / RTNLGRP_IPV6_IFADDR and RTNLGRP_NEIGH groups when a link,
 * an address or a bridge forwarding entry appears, changes or goes. Each message describes the
 * object in full, as a dump would (a deleted one as it was), so the readers of `link-message.ts`,
 * `address-message.ts` and `fdb-message.ts` read them; RTM_NEWLINK may also say why it was sent
 * (IFLA_EVENT: a bond's failover, a request to notify peers).
 *
 * Read here: RTM_NEWLINK / RTM_DELLINK of family AF_UNSPEC (the AF_BRIDGE ones a bridge sends for
 * its ports are passed over), RTM_NEWADDR / RTM_DELADDR of IPv4 and IPv6, and RTM_NEWNEIGH /
 * RTM_DELNEIGH of family AF_BRIDGE with a master (the ARP and ND caches' are passed over). Events
 * come from the kernel, but unlike a dump they are not retried: a message that does not parse is
 * counted and skipped, never thrown, and a header that breaks framing loses the rest of its
 * datagram (counted once).
 */
import { AddressReader } from './address-message.js';
import { readFdbEntry } from './fdb-message.js';
import { LinkReader } from './link-message.js';
import { MessageCursorShared } from './netlink-message.js';
import { IflaEvent, RtmType } from './rtnetlink-abi.js';
import type { FdbEntry, HostAddress, HostLink } from './snapshot.js';
import { WireError } from '../wire/error.js';

/** Why the kernel sent an RTM_NEWLINK, from its IFLA_EVENT (`IFLA_EVENT_*`, `linux/if_link.h`). */
export type LinkEventKind =
  'reboot' | 'features' | 'bonding-failover' | 'notify-peers' | 'igmp-resend' | 'bonding-options';

/** One change the kernel reported: `new` for an object added or changed, `del` for one gone. */
export type HostEvent =
  | {
      readonly type: 'link';
      readonly op: 'new' | 'del';
      readonly link: HostLink;
      /** IFLA_EVENT; undefined when the message has none (most have none) or a newer value. */
      readonly linkEvent: LinkEventKind | undefined;
    }
  | { readonly type: 'address'; readonly op: 'new' | 'del'; readonly address: HostAddress }
  | { readonly type: 'fdb'; readonly op: 'new' | 'del'; readonly entry: FdbEntry };

/** The events of some datagrams, and how many messages in them could not be read. */
export interface EventBatch {
  readonly events: HostEvent[];
  readonly malformed: number;
}

/** `LinkEventKind` by IFLA_EVENT value; IFLA_EVENT_NONE (0) has none. */
const LINK_EVENT_KINDS: Readonly<Record<number, LinkEventKind>> = Object.freeze({
  [IflaEvent.REBOOT]: 'reboot',
  [IflaEvent.FEATURES]: 'features',
  [IflaEvent.BONDING_FAILOVER]: 'bonding-failover',
  [IflaEvent.NOTIFY_PEERS]: 'notify-peers',
  [IflaEvent.IGMP_RESEND]: 'igmp-resend',
  [IflaEvent.BONDING_OPTIONS]: 'bonding-options',
});

/** The `LinkEventKind` of an IFLA_EVENT value; undefined for NONE, absent, or unknown to this table. */
export function linkEventKind(value: number | undefined): LinkEventKind | undefined {
  return value === undefined ? undefined : LINK_EVENT_KINDS[value];
}

/** Reads event datagrams one batch after another, reusing its attribute tables. */
export class EventReader {
  readonly #links = new LinkReader();
  readonly #addresses = new AddressReader();
  readonly #message = new MessageCursorShared();

  /** The events in `datagrams`, in the kernel's order, and the count of messages not read. */
  read(datagrams: readonly Uint8Array[]): EventBatch {
    const events: HostEvent[] = [];
    let malformed = 0;
    const message = this.#message;
    for (const datagram of datagrams) {
      message.reset([datagram]);
      for (;;) {
        try {
          if (!message.next()) break;
        } catch (error) {
          if (!(error instanceof WireError)) throw error;
          malformed += 1;
          break;
        }
        try {
          const event = this.#event(message);
          if (event !== undefined) events.push(event);
        } catch (error) {
          if (!(error instanceof WireError)) throw error;
          malformed += 1;
        }
      }
    }
    message.reset([]);
    return { events, malformed };
  }

  /** The event in the current message, or undefined for a type or family not read here. */
  #event(message: MessageCursorShared): HostEvent | undefined {
    switch (message.type) {
      case RtmType.NEWLINK:
      case RtmType.DELLINK: {
        const read = this.#links.readEvent(message);
        if (read === undefined) return undefined;
        const { link, event } = read;
        Object.freeze(link.bond);
        Object.freeze(link.portVlans);
        return {
          type: 'link',
          op: message.type === RtmType.NEWLINK ? 'new' : 'del',
          link: Object.freeze(link),
          linkEvent: linkEventKind(event),
        };
      }
      case RtmType.NEWADDR:
      case RtmType.DELADDR: {
        const address = this.#addresses.read(message);
        if (address === undefined) return undefined;
        const op = message.type === RtmType.NEWADDR ? 'new' : 'del';
        return { type: 'address', op, address: Object.freeze(address) };
      }
      case RtmType.NEWNEIGH:
      case RtmType.DELNEIGH: {
        const entry = readFdbEntry(message);
        if (entry === undefined) return undefined;
        const op = message.type === RtmType.NEWNEIGH ? 'new' : 'del';
        return { type: 'fdb', op, entry: Object.freeze(entry) };
      }
      default:
        return undefined;
    }
  }
}

/**
 * The events in `datagrams` (as `NetlinkEventSocket` hands them up), in the kernel's order, and
 * how many messages could not be read. Never throws on what the datagrams hold.
 */
export function readEvents(datagrams: readonly Uint8Array[]): EventBatch {
  return new EventReader().read(datagrams);
}

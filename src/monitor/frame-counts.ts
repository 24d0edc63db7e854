import { ArpFlag } from '../wire/classify.js';
import { BoundedMap, type Touchable } from './bounded-map.js';
import { NO_MAC, type Observation } from './observation.js';

/** Frames by class, as the report gives them. */
export interface ClassCounts {
  frames: number;
  arp: number;
  rarp: number;
  nd: number;
  other: number;
  malformed: number;
  requests: number;
  broadcastRequests: number;
  unicastRequests: number;
  replies: number;
  gratuitous: number;
  probes: number;
  announcements: number;
  neighborSolicitations: number;
  neighborAdvertisements: number;
}

/** One sender's frame count. */
interface Talker extends Touchable {
  frames: number;
}

/** How many talkers the report names. */
export const TOP_TALKERS = 5;

/**
 * Counts every frame by class, and ARP/RARP frames by sender MAC for the top talkers (in a table
 * bounded like the detectors', its evictions counted).
 */
export class FrameCounts {
  readonly counts: ClassCounts = {
    frames: 0,
    arp: 0,
    rarp: 0,
    nd: 0,
    other: 0,
    malformed: 0,
    requests: 0,
    broadcastRequests: 0,
    unicastRequests: 0,
    replies: 0,
    gratuitous: 0,
    probes: 0,
    announcements: 0,
    neighborSolicitations: 0,
    neighborAdvertisements: 0,
  };
  private readonly talkers: BoundedMap<number, Talker>;

  constructor(maxEntries: number) {
    this.talkers = new BoundedMap(maxEntries);
  }

  /** Talkers forgotten for room. */
  get evicted(): number {
    return this.talkers.evicted;
  }

  /** Counts one frame. */
  frame(o: Observation): void {
    const c = this.counts;
    c.frames++;
    switch (o.kind) {
      case 'arp': {
        c.arp++;
        const flags = o.flags;
        if (flags & ArpFlag.REQUEST) {
          c.requests++;
          if (flags & ArpFlag.BROADCAST) c.broadcastRequests++;
          else if (flags & ArpFlag.UNICAST) c.unicastRequests++;
        } else if (flags & ArpFlag.REPLY) c.replies++;
        if (flags & ArpFlag.GRATUITOUS) c.gratuitous++;
        if (flags & ArpFlag.PROBE) c.probes++;
        if (flags & ArpFlag.ANNOUNCEMENT) c.announcements++;
        this.talker(o);
        break;
      }
      case 'rarp':
        c.rarp++;
        this.talker(o);
        break;
      case 'nd':
        c.nd++;
        if (o.nd?.nd.type === 'ns') c.neighborSolicitations++;
        else c.neighborAdvertisements++;
        break;
      case 'other':
        c.other++;
        break;
      case 'malformed':
        c.malformed++;
        break;
    }
  }

  /** Up to `TOP_TALKERS` sender MACs with the most frames, most first. */
  topTalkers(): { mac: number; frames: number }[] {
    const top: { mac: number; frames: number }[] = [];
    for (const [mac, talker] of this.talkers.entries()) {
      if (top.length < TOP_TALKERS || talker.frames > top[top.length - 1]!.frames) {
        top.push({ mac, frames: talker.frames });
        top.sort((a, b) => b.frames - a.frames || a.mac - b.mac);
        if (top.length > TOP_TALKERS) top.pop();
      }
    }
    return top;
  }

  private talker(o: Observation): void {
    // The sender is the ARP sender MAC when the packet has one, else the Ethernet source.
    const mac = o.ethernetIpv4 ? o.sha : o.ethSource;
    if (mac === NO_MAC) return;
    const known = this.talkers.get(mac);
    if (known !== undefined) known.frames++;
    else this.talkers.set(mac, { frames: 1, touched: false });
  }
}

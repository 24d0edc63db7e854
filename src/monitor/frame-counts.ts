import { ArpFlag } from '../wire/classify.js';
import { IdRecords } from './id-records.js';
import type { Observation } from './observation.js';

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

/** A talker's record in `IdRecords`: its frames (16 bytes, so a record never spans two lines). */
const FRAMES = 1;
const STRIDE = 2;

/** How many talkers the report names. */
export const TOP_TALKERS = 5;

/**
 * Counts every frame by class, and ARP/RARP frames by sender MAC for the top talkers (indexed by
 * the run's address ids, so bounded as the detectors' tables are, its evictions counted).
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
  private readonly talkers = new IdRecords(STRIDE);
  /** Each talker's MAC by address id, written when its record starts (not per frame). */
  private readonly macs: number[] = [];

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

  /** Counts a frame of a link type that is not decoded: it is `other`. */
  undecoded(): void {
    this.counts.frames++;
    this.counts.other++;
  }

  /** Up to `TOP_TALKERS` sender MACs with the most frames, most first. */
  topTalkers(): { mac: number; frames: number }[] {
    const top: { mac: number; frames: number }[] = [];
    const data = this.talkers.data;
    for (const at of this.talkers.starts()) {
      const talker = { mac: this.macs[at / STRIDE]!, frames: data[at + FRAMES]! };
      if (top.length < TOP_TALKERS || talker.frames > top[top.length - 1]!.frames) {
        top.push(talker);
        top.sort((a, b) => b.frames - a.frames || a.mac - b.mac);
        if (top.length > TOP_TALKERS) top.pop();
      }
    }
    return top;
  }

  /** Notes the MAC of a talker whose record just started. */
  private newTalker(o: Observation): void {
    // Grow densely (ids are handed out from 0 up), so the array stays packed.
    while (this.macs.length < o.shaId) this.macs.push(0);
    this.macs[o.shaId] = o.sha;
  }

  /** Counts the frame for its ARP sender MAC (Ethernet/IPv4 ARP and RARP only). */
  private talker(o: Observation): void {
    if (o.shaId < 0) return;
    const talkers = this.talkers;
    let at = talkers.find(o.shaId, o.shaGen);
    if (at < 0) {
      at = talkers.claim(o.shaId, o.shaGen);
      this.newTalker(o);
    }
    talkers.data[at + FRAMES]!++;
  }
}

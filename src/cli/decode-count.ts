import { ArpFlag, arpPacketFlags } from '../wire/classify.js';
import type { DecodedFrame } from '../wire/frame.js';

/** The totals `arpkit decode --count` prints, in this order. */
export interface DecodeTotals {
  frames: number;
  arp: number;
  rarp: number;
  ndp: number;
  requests: number;
  replies: number;
  gratuitous: number;
  probes: number;
  announcements: number;
  other: number;
  malformed: number;
}

/** All zeros. */
export function emptyTotals(): DecodeTotals {
  return {
    frames: 0,
    arp: 0,
    rarp: 0,
    ndp: 0,
    requests: 0,
    replies: 0,
    gratuitous: 0,
    probes: 0,
    announcements: 0,
    other: 0,
    malformed: 0,
  };
}

/** Adds one decoded frame to `totals`; `requests`… count ARP (not RARP) frames by their flags. */
export function countFrame(totals: DecodeTotals, frame: DecodedFrame): void {
  totals.frames++;
  switch (frame.proto) {
    case 'arp': {
      // The totals need no link-layer flag: the link addresses are never read.
      totals.arp++;
      const flags = arpPacketFlags(frame.arp);
      if (flags & ArpFlag.REQUEST) totals.requests++;
      if (flags & ArpFlag.REPLY) totals.replies++;
      if (flags & ArpFlag.GRATUITOUS) totals.gratuitous++;
      if (flags & ArpFlag.PROBE) totals.probes++;
      if (flags & ArpFlag.ANNOUNCEMENT) totals.announcements++;
      break;
    }
    case 'rarp':
      totals.rarp++;
      break;
    case 'ndp':
      totals.ndp++;
      break;
    case 'other':
      totals.other++;
      break;
    case 'malformed':
      totals.malformed++;
      break;
  }
}

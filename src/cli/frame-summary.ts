import { arpField, arpOpName } from '../wire/arp.js';
import { arpFlagNames, arpFlags } from '../wire/classify.js';
import type { DecodedFrame } from '../wire/frame.js';
import { formatIpv4, readIpv4 } from '../wire/ipv4.js';
import { formatIpv6 } from '../wire/ipv6.js';
import { formatMac, type Mac, readMac } from '../wire/mac.js';
import { ndFlagNames } from '../wire/nd-classify.js';
import type { NdPacket } from '../wire/nd-packet.js';

/**
 * One ARP / RARP / ND frame reduced to the values `--json` prints: addresses formatted, the
 * operation named, the classification spelled. `null` where a field is absent.
 */
export interface FrameSummary {
  readonly proto: 'arp' | 'rarp' | 'ndp' | 'malformed';
  readonly op: string | null;
  readonly senderMac: string | null;
  readonly senderIp: string | null;
  readonly targetMac: string | null;
  readonly targetIp: string | null;
  readonly flags: readonly string[];
  /** For malformed frames: what broke. */
  readonly error: string | null;
}

function rawHex(bytes: Uint8Array, from: number, length: number): string {
  const parts: string[] = [];
  for (let i = from; i < from + length; i++) parts.push(bytes[i]!.toString(16).padStart(2, '0'));
  return parts.join(':');
}

/** Summarizes a decoded frame; `undefined` for frames that are not ARP, RARP or ND. */
export function summarize(frame: DecodedFrame): FrameSummary | undefined {
  switch (frame.proto) {
    case 'arp':
    case 'rarp': {
      const packet = frame.arp;
      const { hlen, plen, op } = packet;
      const { bytes, offset } = packet;
      const flags = arpFlags(packet, frame);
      const ethernetIpv4 = packet.isEthernetIpv4;
      const hw = (at: number) =>
        ethernetIpv4 ? formatMac(readMac(bytes, offset + at)) : rawHex(bytes, offset + at, hlen);
      const proto = (at: number) =>
        plen === 4 ? formatIpv4(readIpv4(bytes, offset + at)) : rawHex(bytes, offset + at, plen);
      return {
        proto: frame.proto,
        op: arpOpName(op),
        senderMac: hw(arpField.SHA),
        senderIp: proto(arpField.spa(hlen)),
        targetMac: hw(arpField.tha(hlen, plen)),
        targetIp: proto(arpField.tpa(hlen, plen)),
        flags: arpFlagNames(flags),
        error: null,
      };
    }
    case 'ndp':
      return summarizeNd(frame.nd, frame.source);
    case 'malformed':
      return {
        proto: 'malformed',
        op: null,
        senderMac: null,
        senderIp: null,
        targetMac: null,
        targetIp: null,
        flags: [],
        error: frame.error.message,
      };
    default:
      return undefined;
  }
}

function summarizeNd(packet: NdPacket, linkSource: Mac | undefined): FrameSummary {
  const nd = packet.nd;
  const lla = nd.type === 'ns' ? nd.sourceLla : nd.targetLla;
  return {
    proto: 'ndp',
    op: nd.type,
    senderMac:
      nd.type === 'ns'
        ? lla === undefined
          ? null
          : formatMac(lla)
        : linkSource === undefined
          ? null
          : formatMac(linkSource),
    senderIp: formatIpv6(packet.ip.source),
    targetMac: nd.type === 'na' && lla !== undefined ? formatMac(lla) : null,
    targetIp: formatIpv6(nd.target),
    flags: ndFlagNames(packet),
    error: null,
  };
}

import type { DecodedFrame } from '../wire/frame.js';
import { formatMac } from '../wire/mac.js';
import type { FrameSummary } from './frame-summary.js';
import { epochText } from './timestamp.js';
import type { CaptureRecord } from '../pcap/record.js';

/** Where a frame came from, for the `file`, `frame`, `ts` and `len` fields. */
export interface FramePlace {
  /** The file as named on the command line, already a JSON string literal. */
  readonly fileJson: string;
  /** The frame's number in the file, from 1. */
  readonly number: number;
  readonly record: Pick<CaptureRecord, 'tsSec' | 'tsNsec' | 'tsDigits' | 'origLen'>;
}

function str(value: string | null): string {
  return value === null ? 'null' : JSON.stringify(value);
}

/**
 * One JSON object per frame, one line each, with stable field names: `file`, `frame`, `ts`
 * (epoch seconds at the capture's resolution), `len`, `vlan` (VIDs, outermost first), `ethSrc`,
 * `ethDst`, `proto` (`arp|rarp|ndp|malformed`), `op`, `senderMac`, `senderIp`, `targetMac`,
 * `targetIp`, `flags`, `error`. Absent values are `null`, never missing keys.
 */
export function jsonLine(place: FramePlace, frame: DecodedFrame, s: FrameSummary): string {
  const record = place.record;
  const vlan = frame.vlans.map((tag) => tag.vid).join(',');
  const ethSrc = frame.source === undefined ? null : formatMac(frame.source);
  const ethDst = frame.destination === undefined ? null : formatMac(frame.destination);
  const flags = s.flags.map((flag) => `"${flag}"`).join(',');
  return `{"file":${place.fileJson},"frame":${place.number},"ts":${epochText(record.tsSec, record.tsNsec, record.tsDigits)},"len":${record.origLen},"vlan":[${vlan}],"ethSrc":${str(ethSrc)},"ethDst":${str(ethDst)},"proto":"${s.proto}","op":${str(s.op)},"senderMac":${str(s.senderMac)},"senderIp":${str(s.senderIp)},"targetMac":${str(s.targetMac)},"targetIp":${str(s.targetIp)},"flags":[${flags}],"error":${str(s.error)}}\n`;
}

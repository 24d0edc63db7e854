import { epochParts } from '../time/clock.js';
import { decodeFrame } from '../wire/frame.js';
import { formatMac } from '../wire/mac.js';
import type { AsciiWriter } from './ascii-writer.js';
import { TextFormatter } from './decode-text.js';
import { summarize } from './frame-summary.js';
import { epochText } from './timestamp.js';

/**
 * Says what was sent, one line per frame: the line `arpkit decode` would print for it (numbered,
 * local time), or with `--json` one object with `time`, `iface`, `kind` and the addresses.
 */
export class SentReport {
  private readonly text: TextFormatter;

  constructor(
    private readonly out: AsciiWriter,
    private readonly iface: string,
    private readonly kind: string,
    private readonly json: boolean,
  ) {
    this.text = new TextFormatter(out);
  }

  /** Reports frame `number` (from 1), sent at `epochMs`. */
  sent(number: number, frame: Uint8Array, epochMs: number): void {
    const { sec, nsec } = epochParts(epochMs);
    const decoded = decodeFrame(frame, 'ethernet');
    if (!this.json) {
      this.text.line(number, sec, nsec, 6, decoded);
    } else {
      const s = summarize(decoded);
      this.out.text(
        `${JSON.stringify({
          time: Number(epochText(sec, nsec, 6)),
          iface: this.iface,
          kind: this.kind,
          ethSrc: decoded.source === undefined ? null : formatMac(decoded.source),
          ethDst: decoded.destination === undefined ? null : formatMac(decoded.destination),
          vlan: decoded.vlans.map((tag) => tag.vid),
          proto: s?.proto ?? null,
          op: s?.op ?? null,
          senderMac: s?.senderMac ?? null,
          senderIp: s?.senderIp ?? null,
          targetMac: s?.targetMac ?? null,
          targetIp: s?.targetIp ?? null,
        })}\n`,
      );
    }
    this.out.flush();
  }
}

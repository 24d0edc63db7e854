import { type FileSink, openFileSink } from '../io/file-sink.js';
import { PcapWriter } from '../pcap/pcap-writer.js';
import { type Clock, epochParts, systemClock } from '../time/clock.js';
import type { Link } from './link.js';

/**
 * A link that writes what would be sent to a pcap file (nanosecond stamps from its clock)
 * instead of a wire: `--dry-run --pcap FILE`. Nothing is ever received.
 */
export class PcapLink implements Link {
  private readonly writer: PcapWriter;

  private constructor(
    readonly name: string,
    private readonly file: FileSink,
    private readonly clock: Clock,
  ) {
    this.writer = new PcapWriter(file, { resolution: 'ns' });
    this.writer.flush();
  }

  /** Creates (or truncates) `path`; throws the fs error for the caller to word. */
  static create(path: string, clock: Clock = systemClock): PcapLink {
    return new PcapLink(path, openFileSink(path), clock);
  }

  send(frame: Uint8Array): void {
    const { sec, nsec } = epochParts(this.clock.now());
    this.writer.writeRecord(frame, sec, nsec);
    this.writer.flush();
  }

  sendBatch(frames: readonly Uint8Array[]): number {
    const { sec, nsec } = epochParts(this.clock.now());
    for (const frame of frames) this.writer.writeRecord(frame, sec, nsec);
    this.writer.flush();
    return frames.length;
  }

  receive(): void {}

  async close(): Promise<void> {
    this.writer.flush();
    this.file.close();
  }
}

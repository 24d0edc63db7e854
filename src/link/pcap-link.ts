import { type FileSink, openFileSink } from '../io/file-sink.js';
import { describeFsError } from '../io/fs-error.js';
import { PcapWriter } from '../pcap/pcap-writer.js';
import { type Clock, epochParts, systemClock } from '../time/clock.js';
import { type Link, LinkError } from './link.js';

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

  /** Creates (or truncates) `path` and writes the file header; throws a LinkError saying why not. */
  static create(path: string, clock: Clock = systemClock): PcapLink {
    let file: FileSink;
    try {
      file = openFileSink(path);
    } catch (error) {
      throw new LinkError(`${path}: cannot write: ${describeFsError(error)}`);
    }
    try {
      return new PcapLink(path, file, clock);
    } catch (error) {
      file.close();
      throw new LinkError(`${path}: write failed: ${describeFsError(error)}`);
    }
  }

  send(frame: Uint8Array): void {
    this.sendBatch([frame]);
  }

  sendBatch(frames: readonly Uint8Array[]): number {
    const { sec, nsec } = epochParts(this.clock.now());
    for (const frame of frames) this.writer.writeRecord(frame, sec, nsec);
    try {
      this.writer.flush();
    } catch (error) {
      throw new LinkError(`${this.name}: write failed: ${describeFsError(error)}`);
    }
    return frames.length;
  }

  receive(): void {}

  async close(): Promise<void> {
    this.writer.flush();
    this.file.close();
  }
}

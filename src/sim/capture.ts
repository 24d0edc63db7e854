import type { ByteSink } from '../pcap/byte-source.js';
import { PcapWriter } from '../pcap/pcap-writer.js';
import type { SimFrame } from './frame.js';
import type { Port } from './link.js';
import { type Nanos, SECOND } from './units.js';
import { wireFrame } from './wire-frame.js';

/**
 * A capture on one port, as `tcpdump -i` on that interface would record it: every frame the port
 * sends or receives, in a nanosecond pcap stamped with virtual time (the run starts at the
 * epoch, so times read as seconds into the run). `arpkit analyze` reads the file.
 */
export class PortCapture {
  readonly #writer: PcapWriter;
  /** Frames written. */
  frames = 0;

  constructor(port: Port, sink: ByteSink) {
    this.#writer = new PcapWriter(sink, { resolution: 'ns' });
    if (port.tap !== undefined)
      throw new Error(`port ${port.name} of ${port.node.name} is already captured`);
    port.tap = (frame, time) => this.#write(frame, time);
  }

  /** Writes out what is buffered. */
  flush(): void {
    this.#writer.flush();
  }

  #write(frame: SimFrame, time: Nanos): void {
    const sec = Math.floor(time / SECOND);
    this.#writer.writeRecord(wireFrame(frame), sec, time - sec * SECOND);
    this.frames++;
  }
}

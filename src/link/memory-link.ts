import { epochParts, type Clock, systemClock } from '../time/clock.js';
import type { FrameHandler, Link } from './link.js';

/** One end of an in-memory pair: what it sends the other end receives, in order. */
class MemoryLink implements Link {
  peer: MemoryLink | undefined;
  private handler: FrameHandler | undefined;
  private closed = false;
  /** Every frame this end sent, copied: what a test asserts on. */
  readonly sent: Uint8Array[] = [];

  constructor(
    readonly name: string,
    private readonly clock: Clock,
  ) {}

  send(frame: Uint8Array): void {
    if (this.closed) throw new Error(`${this.name}: link is closed`);
    const copy = frame.slice();
    this.sent.push(copy);
    this.peer?.deliver(copy);
  }

  sendBatch(frames: readonly Uint8Array[]): number {
    for (const frame of frames) this.send(frame);
    return frames.length;
  }

  receive(handler: FrameHandler): void {
    this.handler = handler;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.handler = undefined;
  }

  private deliver(bytes: Uint8Array): void {
    // Asynchronously, as a real link delivers on a later turn of the event loop.
    const { sec, nsec } = epochParts(this.clock.now());
    setImmediate(() => {
      if (!this.closed) this.handler?.({ bytes, sec, nsec, packetType: 0 });
    });
  }
}

/** Two links joined back to back, like a veth pair, for unit tests. */
export function memoryLinkPair(clock: Clock = systemClock): [MemoryLink, MemoryLink] {
  const a = new MemoryLink('mem0', clock);
  const b = new MemoryLink('mem1', clock);
  a.peer = b;
  b.peer = a;
  return [a, b];
}

export type { MemoryLink };

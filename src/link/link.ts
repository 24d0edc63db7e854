/** One frame a link received, with what the kernel knew about it. */
export interface ReceivedFrame {
  /**
   * The whole Ethernet frame, VLAN tags included (an adapter whose kernel strips the tag puts it
   * back). A view that the link may reuse after the handler returns (shared).
   */
  readonly bytes: Uint8Array;
  /** When it was received, as epoch seconds and nanoseconds. */
  readonly sec: number;
  readonly nsec: number;
  /** Linux `PACKET_*` type: 0 to us, 1 broadcast, 2 multicast, 3 to another host, 4 outgoing. */
  readonly packetType: number;
}

/** Called for every frame a link receives, on the event loop. */
export type FrameHandler = (frame: ReceivedFrame) => void;

/**
 * Somewhere frames go and come from: a raw socket on an interface, a pcap file, or the other end
 * of an in-memory pair (after smoltcp's `phy::Device`). Frames are whole Ethernet frames, padded
 * by the caller to the 60-byte minimum.
 */
export interface Link {
  /** The interface (or file) this link is bound to, for messages. */
  readonly name: string;
  /** Sends one frame; throws an error that names the link and the reason when it cannot. */
  send(frame: Uint8Array): void;
  /** Sends frames in as few system calls as the link can; returns how many were sent. */
  sendBatch(frames: readonly Uint8Array[]): number;
  /** Starts delivering received frames to `handler` (one handler; a second call replaces it). */
  receive(handler: FrameHandler): void;
  /** Stops receiving and releases the link; resolves within 200 ms. */
  close(): Promise<void>;
}

/** A link that could not do what was asked; the message is one line for a person. */
export class LinkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LinkError';
  }
}

import { writeSync } from 'node:fs';
import { isatty } from 'node:tty';
import { fdSource } from '../io/fd-source.js';
import type { ByteSource } from '../pcap/byte-source.js';

/** Where a command writes its output: text, or bytes that are already encoded (ASCII/UTF-8). */
export interface OutputSink {
  write(chunk: string | Uint8Array): void;
}

/** Everything a command touches outside its arguments, so tests can run `main` in-process. */
export interface Io {
  readonly stdout: OutputSink;
  readonly stderr: OutputSink;
  readonly stdin: ByteSource;
  /** True when stderr is a terminal (progress may be shown there). */
  readonly stderrIsTty: boolean;
}

/** Thrown by a sink when the reader went away (EPIPE): the command stops quietly. */
export class OutputClosed extends Error {
  constructor() {
    super('output closed');
    this.name = 'OutputClosed';
  }
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/** A synchronous sink over a file descriptor; waits out EAGAIN on non-blocking pipes. */
export function fdSink(fd: number): OutputSink {
  return {
    write(chunk) {
      let bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      while (bytes.length > 0) {
        try {
          const written = writeSync(fd, bytes);
          bytes = bytes.subarray(written);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'EPIPE') throw new OutputClosed();
          if (code !== 'EAGAIN') throw error;
          Atomics.wait(pause, 0, 0, 1);
        }
      }
    },
  };
}

/** The real process: fds 0, 1 and 2. */
export function processIo(): Io {
  return {
    stdout: fdSink(1),
    stderr: fdSink(2),
    stdin: fdSource(0),
    stderrIsTty: isatty(2),
  };
}

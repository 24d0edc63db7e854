import { writeSync } from 'node:fs';
import { retryWhileAgain } from './blocking.js';
import { describeFsError } from './fs-error.js';

/**
 * Where a command writes its output: text, or bytes that are already encoded (ASCII/UTF-8).
 * A sink uses the bytes before `write` returns; the caller may reuse them afterwards.
 */
export interface OutputSink {
  write(chunk: string | Uint8Array): void;
}

/** Thrown by a sink when the reader went away (EPIPE): the command stops quietly, as `head` expects. */
export class OutputClosed extends Error {
  constructor() {
    super('output closed');
    this.name = 'OutputClosed';
  }
}

/** Thrown by a sink that cannot write (a full disk, an I/O error): a runtime failure, exit 1. */
export class OutputFailed extends Error {
  constructor(name: string, cause: unknown) {
    super(`${name}: ${describeFsError(cause)}`);
    this.name = 'OutputFailed';
  }
}

/** A synchronous sink over a file descriptor named `name` in errors ("standard output"). */
export function fdSink(fd: number, name: string): OutputSink {
  return {
    write(chunk) {
      let bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      while (bytes.length > 0) {
        try {
          const written = retryWhileAgain(() => writeSync(fd, bytes), 1);
          bytes = bytes.subarray(written);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EPIPE') throw new OutputClosed();
          throw new OutputFailed(name, error);
        }
      }
    },
  };
}

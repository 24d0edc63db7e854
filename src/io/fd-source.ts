import { closeSync, openSync, readSync } from 'node:fs';
import type { ByteSource } from '../pcap/byte-source.js';

const pause = new Int32Array(new SharedArrayBuffer(4));

/** A ByteSource over an open file descriptor (a file, a pipe, stdin), read synchronously. */
export function fdSource(fd: number): ByteSource {
  return {
    read(into, offset, length) {
      for (;;) {
        try {
          return readSync(fd, into, offset, length, null);
        } catch (error) {
          // A non-blocking pipe with nothing yet: wait a little and try again, as `cat` would block.
          if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
          Atomics.wait(pause, 0, 0, 5);
        }
      }
    },
  };
}

/** A file opened for reading as a ByteSource; `close()` releases the descriptor. */
export interface FileSource extends ByteSource {
  close(): void;
}

/** Opens `path` read-only; throws the fs error (ENOENT, EACCES, EISDIR…) for the caller to word. */
export function openFileSource(path: string): FileSource {
  const fd = openSync(path, 'r');
  const source = fdSource(fd);
  return {
    read: source.read,
    close: () => closeSync(fd),
  };
}

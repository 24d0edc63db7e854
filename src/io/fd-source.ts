import { closeSync, openSync, readSync } from 'node:fs';
import type { ByteSource } from '../pcap/byte-source.js';
import { retryWhileAgain } from './blocking.js';

/** A ByteSource over an open file descriptor (a file, a pipe, stdin), read synchronously. */
export function fdSource(fd: number): ByteSource {
  return {
    read: (into, offset, length) =>
      retryWhileAgain(() => readSync(fd, into, offset, length, null), 5),
  };
}

/** A file opened for reading as a ByteSource; `close()` releases the descriptor. */
export interface FileSource extends ByteSource {
  close(): void;
}

/** Opens `path` read-only; throws the fs error (ENOENT, EACCES, EISDIR…) for the caller to word. */
export function openFileSource(path: string): FileSource {
  const fd = openSync(path, 'r');
  return { ...fdSource(fd), close: () => closeSync(fd) };
}

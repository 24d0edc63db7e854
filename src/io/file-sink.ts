import { closeSync, openSync, writeSync } from 'node:fs';
import type { ByteSink } from '../pcap/byte-source.js';

/** A file opened for writing (created or truncated) as a ByteSink; `close()` releases it. */
export interface FileSink extends ByteSink {
  close(): void;
}

/** Opens `path` for writing; throws the fs error (ENOENT, EACCES…) for the caller to word. */
export function openFileSink(path: string): FileSink {
  const fd = openSync(path, 'w');
  return {
    write(bytes) {
      let done = 0;
      while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
    },
    close: () => closeSync(fd),
  };
}

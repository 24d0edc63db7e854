import { fdSource } from '../io/fd-source.js';
import { fdSink, type OutputSink } from '../io/output.js';
import type { ByteSource } from '../pcap/byte-source.js';

/** Everything a command touches outside its arguments, so tests can run `main` in-process. */
export interface Io {
  readonly stdout: OutputSink;
  readonly stderr: OutputSink;
  readonly stdin: ByteSource;
}

/** The real process: fds 0, 1 and 2. */
export function processIo(): Io {
  return {
    stdout: fdSink(1, 'standard output'),
    stderr: fdSink(2, 'standard error'),
    stdin: fdSource(0),
  };
}

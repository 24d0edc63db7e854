import { main } from '../cli/main.js';
import { bytesSource } from '../pcap/byte-source.js';

/** What one in-process `arpkit` run printed and returned. */
export interface CliRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `arpkit ARGV` in this process, with `stdin` as standard input, capturing both outputs. */
export async function runCli(
  argv: readonly string[],
  stdin: Uint8Array = new Uint8Array(0),
): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const decoder = new TextDecoder();
  const sink = (into: string[]) => ({
    write(chunk: string | Uint8Array) {
      into.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk));
    },
  });
  const status = await main(argv, {
    stdout: sink(out),
    stderr: sink(err),
    stdin: bytesSource(stdin),
  });
  return { status, stdout: out.join(''), stderr: err.join('') };
}

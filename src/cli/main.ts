import { Command, CommanderError } from 'commander';
import { registerAnnounce } from './announce.js';
import { registerDecode } from './decode.js';
import { registerDemo } from './demo.js';
import { registerSend } from './send.js';
import { registerSendArp } from './send-arp.js';
import { Exit, RuntimeError, UsageError } from './errors.js';
import { OutputClosed, OutputFailed } from '../io/output.js';
import { LinkError } from '../link/link.js';
import { OsError } from '../link/sys/libc.js';
import type { Io } from './io.js';

/** The version `arpkit --version` prints. */
export const VERSION = '0.1.0';

/**
 * Runs one `arpkit` command line (`argv` without node and the script) and returns its exit
 * status: 0 success, 1 runtime failure, 2 usage error. Never calls `process.exit`.
 */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const run = { status: Exit.OK as number };
  const program = new Command('arpkit')
    .description('Layer-2 address announcements and ARP operations on Linux')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError(false)
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(`arpkit: ${text.replace(/^error: /, '')}`),
    });
  registerDecode(program, io, run);
  registerSend(program, io, run);
  registerSendArp(program, io, run);
  registerAnnounce(program, io, run);
  registerDemo(program, io, run);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return run.status;
  } catch (error) {
    return failure(error, io);
  }
}

function failure(error: unknown, io: Io): number {
  if (error instanceof CommanderError) {
    // --help and --version succeed; bare `arpkit` prints the help on stderr and is a usage
    // error ('commander.help'), as in git; everything else commander rejects is one too.
    const quiet = ['commander.helpDisplayed', 'commander.version'];
    return quiet.includes(error.code) ? Exit.OK : Exit.USAGE;
  }
  if (error instanceof OutputClosed) return Exit.OK;
  if (error instanceof UsageError) {
    io.stderr.write(`arpkit: ${error.message}\n`);
    return Exit.USAGE;
  }
  // Failures while running, each already worded for a person.
  const runtime = [OutputFailed, RuntimeError, OsError, LinkError];
  if (runtime.some((kind) => error instanceof kind)) {
    io.stderr.write(`arpkit: ${(error as Error).message}\n`);
    return Exit.FAILURE;
  }
  throw error;
}

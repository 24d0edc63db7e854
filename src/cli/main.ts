import { Command, CommanderError } from 'commander';
import { Exit, RuntimeError, UsageError } from './errors.js';
import { OutputClosed, OutputFailed } from '../io/output.js';
import { LinkError } from '../link/link.js';
import { OsError } from '../link/sys/os-error.js';
import type { Io } from './io.js';

/** Adds one command to the program; each module exports one of these. */
type Register = (program: Command, io: Io, run: { status: number }) => void;

/**
 * Every command and how to load it, in the order `--help` lists them. Only the command named on
 * the line is loaded (all of them for `--help` or a mistyped name): a command's start-up does not
 * pay for the others' modules, nor for koffi when it opens no interface.
 */
const COMMANDS: Readonly<Record<string, () => Promise<Register>>> = {
  decode: async () => (await import('./decode.js')).registerDecode,
  analyze: async () => (await import('./analyze.js')).registerAnalyze,
  monitor: async () => (await import('./monitor.js')).registerMonitor,
  db: async () => (await import('./db.js')).registerDb,
  send: async () => (await import('./send.js')).registerSend,
  'send-arp': async () => (await import('./send-arp.js')).registerSendArp,
  announce: async () => (await import('./announce.js')).registerAnnounce,
  watch: async () => (await import('./watch.js')).registerWatch,
  sim: async () => (await import('./sim.js')).registerSim,
  demo: async () => (await import('./demo.js')).registerDemo,
};

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
  const named = argv.find((arg) => !arg.startsWith('-'));
  const wanted =
    named !== undefined && Object.hasOwn(COMMANDS, named) ? [named] : Object.keys(COMMANDS);
  for (const name of wanted) (await COMMANDS[name]!())(program, io, run);
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

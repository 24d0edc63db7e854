/**
 * Puts a schedule of frames on a real interface, for the fidelity tests: the same `SimFrame`s a
 * simulated host sends, as the bytes `wire-frame.ts` makes of them, through arpkit's own
 * AF_PACKET link. Run as a program inside a test namespace:
 *
 *     node send-frames.js IFACE now|signal AT_MS:HEX...
 *
 * `now` sends at once, `signal` after SIGUSR1 (so a test can fire at a moment of its choosing
 * without paying Node's start-up then); offsets count from there. It prints `ready` once the
 * link is open and `sent N EPOCH_MS` per frame, and gives up after 60 s without the signal.
 */
import { fileURLToPath } from 'node:url';
import { AfPacketLink } from '../../link/af-packet-link.js';
import type { Background, Netns } from '../../testing/netns.js';
import { systemClock } from '../../time/clock.js';
import type { SimFrame } from '../frame.js';
import { wireFrame } from '../wire-frame.js';

/** One frame of a schedule and when it goes, in ms from the start (or the signal). */
export interface TimedFrame {
  readonly atMs: number;
  readonly frame: SimFrame;
}

const PROGRAM = fileURLToPath(import.meta.url);
const SIGNAL_WAIT_MS = 60_000;

/** A sender running in a namespace: fire it (signal mode), then wait for every send time. */
export interface FrameSender {
  /** Starts the schedule now (signal mode; in `now` mode it already runs). */
  fire(): void;
  /** Resolves the epoch ms each frame was sent at, once all were; rejects after `timeoutMs`. */
  sent(timeoutMs: number): Promise<number[]>;
}

/** Starts the sender on `iface` in `ns` and resolves once its link is open. */
export async function startFrameSender(
  ns: Netns,
  iface: string,
  schedule: readonly TimedFrame[],
  mode: 'now' | 'signal',
): Promise<FrameSender> {
  const specs = schedule.map(({ atMs, frame }) => `${atMs}:${hex(wireFrame(frame))}`);
  const child: Background = ns.spawn(process.execPath, [PROGRAM, iface, mode, ...specs]);
  await child.waitFor(/^ready$/m, 10_000);
  return {
    fire() {
      child.child.kill('SIGUSR1');
    },
    async sent(timeoutMs) {
      const last = new RegExp(`^sent ${schedule.length - 1} `, 'm');
      const output = await child.waitFor(last, timeoutMs);
      return [...output.matchAll(/^sent (\d+) ([\d.]+)$/gm)].map((match) => Number(match[2]));
    },
  };
}

/** Sends `frames` on `link` at their offsets from now; prints each send time. */
async function run(link: AfPacketLink, frames: readonly { atMs: number; bytes: Uint8Array }[]) {
  const start = systemClock.now();
  for (const [index, { atMs, bytes }] of frames.entries()) {
    const wait = start + atMs - systemClock.now();
    if (wait > 0) await systemClock.sleep(wait);
    link.send(bytes);
    process.stdout.write(`sent ${index} ${systemClock.now().toFixed(3)}\n`);
  }
}

/** Resolves true on SIGUSR1, false after `ms` without it. */
function signalled(ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    process.once('SIGUSR1', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** The program: opens the link, waits for the signal if asked, sends. Returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [iface, mode, ...specs] = argv;
  if (iface === undefined || (mode !== 'now' && mode !== 'signal')) {
    process.stderr.write('usage: send-frames IFACE now|signal AT_MS:HEX...\n');
    return 2;
  }
  const frames = specs.map((spec) => {
    const [at, bytes] = spec.split(':');
    return { atMs: Number(at), bytes: Uint8Array.from(Buffer.from(bytes ?? '', 'hex')) };
  });
  const link = AfPacketLink.open(iface);
  try {
    const fired = mode === 'now' ? Promise.resolve(true) : signalled(SIGNAL_WAIT_MS);
    process.stdout.write('ready\n');
    if (!(await fired)) {
      process.stderr.write(`send-frames: no SIGUSR1 within ${SIGNAL_WAIT_MS} ms\n`);
      return 1;
    }
    await run(link, frames);
    return 0;
  } finally {
    await link.close();
  }
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

if (process.argv[1] === PROGRAM) process.exitCode = await main(process.argv.slice(2));

/**
 * Test and bench fixture: runs one AfPacketLink operation in the network namespace it is started
 * in (`ip netns exec NS node link-fixture.js '<json>'`), because a raw socket belongs to the
 * namespace that creates it. Prints JSON lines on stdout; a failure to open or send is printed
 * as `{"error", "code"}` (it is what the error tests look at) and exits 0. Every operation is
 * bounded in frames and in time.
 *
 * Operations (fields besides `op` and `iface`):
 * - `info`: the interface's index, MAC and flags.
 * - `send`: `frames` (hex), then `arpRequests` ARP requests from `source` (too many to pass as
 *   arguments), one `send` each, or one `sendBatch` with `batch: true`.
 * - `receive`: `filter`, `promiscuous`, up to `count` frames within `timeoutMs`, each printed
 *   with its packet type and time; then the stats and how long `close()` took.
 * - `blast`: `sendBatch` of `frame` repeated `batch` times, for `ms`: frames per second.
 * - `count`: receive for `ms` without printing frames: frames per second received.
 */
import { AfPacketLink, type LinkFilter } from '../link/af-packet-link.js';
import { OsError } from '../link/sys/os-error.js';
import { formatMac, parseMac } from '../wire/mac.js';
import { arpRequests, fromHex, toHex } from './link-lab.js';

interface Request {
  readonly op: 'info' | 'send' | 'receive' | 'blast' | 'count';
  readonly iface: string | number;
  readonly frames?: readonly string[];
  readonly frame?: string;
  readonly arpRequests?: number;
  readonly source?: string;
  readonly batch?: boolean | number;
  readonly filter?: LinkFilter;
  readonly promiscuous?: boolean;
  readonly count?: number;
  readonly timeoutMs?: number;
  readonly ms?: number;
  /** `receive`: how long the link stays open before it starts reading (frames queue meanwhile). */
  readonly delayMs?: number;
}

/** The longest any operation may run, whatever it is asked. */
const MAX_MS = 20_000;

function print(value: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

async function main(request: Request): Promise<void> {
  const link = AfPacketLink.open(request.iface, {
    filter: request.filter ?? 'arp-nd',
    promiscuous: request.promiscuous ?? false,
  });
  try {
    switch (request.op) {
      case 'info':
        return print({
          name: link.name,
          index: link.index,
          mac: formatMac(link.mac()),
          flags: link.flags(),
        });
      case 'send': {
        const frames = (request.frames ?? []).map(fromHex);
        const source = parseMac(request.source ?? '02:00:00:00:00:01');
        frames.push(...arpRequests(source, request.arpRequests ?? 0));
        return print({ sent: send(link, frames, request.batch === true) });
      }
      case 'receive':
        return await receive(
          link,
          request.count ?? 1,
          Math.min(request.timeoutMs ?? 5_000, MAX_MS),
          Math.min(request.delayMs ?? 0, MAX_MS),
        );
      case 'blast':
        return print(
          blast(
            link,
            fromHex(request.frame ?? ''),
            Number(request.batch ?? 256),
            bounded(request.ms),
          ),
        );
      case 'count':
        return await count(link, bounded(request.ms));
    }
  } finally {
    await link.close();
  }
}

function bounded(ms: number | undefined): number {
  return Math.min(ms ?? 1_000, MAX_MS);
}

function send(link: AfPacketLink, frames: readonly Uint8Array[], batch: boolean): number {
  if (batch) return link.sendBatch(frames);
  for (const frame of frames) link.send(frame);
  return frames.length;
}

/**
 * Prints frames as they come until `count` or `timeoutMs`, then the stats and the close time.
 * The socket is open (frames queue) from `ready`; reading starts `delayMs` later.
 */
async function receive(
  link: AfPacketLink,
  count: number,
  timeoutMs: number,
  delayMs: number,
): Promise<void> {
  let seen = 0;
  print({ ready: true, flags: link.flags() });
  if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    link.receive((frame) => {
      print({
        hex: toHex(frame.bytes),
        packetType: frame.packetType,
        sec: frame.sec,
        nsec: frame.nsec,
      });
      if (++seen >= count) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  print({ stats: link.stats() });
  const started = performance.now();
  await link.close();
  print({ closeMs: performance.now() - started });
}

/** Sends batches of `batch` copies of `frame` for `ms`; one process, unpaced. */
function blast(
  link: AfPacketLink,
  frame: Uint8Array,
  batch: number,
  ms: number,
): Record<string, unknown> {
  const frames = Array.from({ length: batch }, () => frame);
  let sent = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    sent += link.sendBatch(frames);
    elapsed = performance.now() - started;
  }
  return { sent, seconds: elapsed / 1000, framesPerSec: sent / (elapsed / 1000) };
}

/** Counts frames received for `ms`, the first one starting the clock. */
async function count(link: AfPacketLink, ms: number): Promise<void> {
  let received = 0;
  let first = 0;
  let last = 0;
  link.receive(() => {
    last = performance.now();
    if (received++ === 0) first = last;
  });
  print({ ready: true });
  await new Promise((resolve) => setTimeout(resolve, ms));
  const seconds = (last - first) / 1000;
  print({
    received,
    seconds,
    framesPerSec: seconds > 0 ? (received - 1) / seconds : 0,
    stats: link.stats(),
  });
}

const request = JSON.parse(process.argv[2] ?? '{}') as Request;
try {
  await main(request);
} catch (error) {
  if (!(error instanceof Error)) throw error;
  print({ error: error.message, code: error instanceof OsError ? error.code : null });
}

/**
 * The ns-3 peer for the `arpkit sim` resolution-burst benchmark: builds and runs
 * bench/ns3/arp-burst.cc (one router sends one UDP datagram to each of N hosts on one 1 Gb/s CSMA
 * bus at t = 1 s, simulated to t = 10 s) against the system's ns-3 (Debian 12: `apt-get install
 * -y --no-install-recommends libns3-dev g++ pkg-config`, ns-3 3.37). A bench-only peer: nothing
 * in src/ depends on it, and benches skip the comparison when `ns3Available()` is false.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The pkg-config modules arp-burst.cc needs (Debian's libns3-dev names: ns3-<module>). */
export const NS3_PKG_MODULES = [
  'ns3-core',
  'ns3-network',
  'ns3-internet',
  'ns3-csma',
  'ns3-applications',
  'ns3-traffic-control',
] as const;

/** The C++ compiler and flags the peer is built with (besides pkg-config's). */
export const CXX = 'g++';
export const CXX_FLAGS = ['-O2', '-std=c++17'] as const;

/** Where an installed ns-3 keeps its headers when pkg-config is missing (Debian: /usr/include/ns3). */
const HEADER_DIRS = ['/usr/include', '/usr/local/include'];
const LIB_DIRS = [
  '/usr/lib/x86_64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/usr/lib',
  '/usr/local/lib',
];

/** bench/ns3/arp-burst.cc, found from either dist/bench/ (compiled) or bench/ (source). */
export function arpBurstSource(): string {
  const candidates = ['./ns3/arp-burst.cc', '../../bench/ns3/arp-burst.cc'].map((relative) =>
    fileURLToPath(new URL(relative, import.meta.url)),
  );
  const found = candidates.find((path) => existsSync(path));
  if (found === undefined)
    throw new Error(`arp-burst.cc not found (looked in ${candidates.join(', ')})`);
  return found;
}

function onPath(command: string): boolean {
  return (
    spawnSync('sh', ['-c', 'command -v "$1"', 'sh', command], { stdio: 'ignore' }).status === 0
  );
}

function pkgConfigHasNs3(): boolean {
  if (!onPath('pkg-config')) return false;
  return (
    spawnSync('pkg-config', ['--exists', ...NS3_PKG_MODULES], { stdio: 'ignore' }).status === 0
  );
}

/** Include and library flags for a header/library install found without pkg-config, or null. */
function fallbackFlags(): string[] | null {
  const includeDir = HEADER_DIRS.find((dir) => existsSync(join(dir, 'ns3', 'core-module.h')));
  const libDir = LIB_DIRS.find((dir) => existsSync(join(dir, 'libns3-core.so')));
  if (includeDir === undefined || libDir === undefined) return null;
  const libs = NS3_PKG_MODULES.map((module) => `-l${module}`);
  return [`-I${includeDir}`, `-L${libDir}`, ...libs];
}

/**
 * Whether ns-3's development files (pkg-config's ns3-core, ns3-network, ns3-internet, ns3-csma,
 * ns3-applications, ns3-traffic-control; or, without pkg-config, /usr/include/ns3/core-module.h
 * and libns3-core.so) and a C++ compiler are installed, so that `buildArpBurst` can work.
 */
export function ns3Available(): boolean {
  if (!onPath(CXX)) return false;
  return pkgConfigHasNs3() || fallbackFlags() !== null;
}

/**
 * The compile and link flags for the ns-3 modules. Debian 12's .pc files need two repairs:
 * ns3-core's Cflags carry a stray `-I/usr;` (printed as `-I/usr\;`), and its Libs name
 * /usr/lib/x86_64-linux-gnu/libgsl.so and libgslcblas.so, which only libgsl-dev provides
 * (libns3-core.so already records libgsl.so.27 as NEEDED). Such tokens are dropped.
 */
export function ns3Flags(): string[] {
  if (pkgConfigHasNs3()) {
    const result = spawnSync('pkg-config', ['--cflags', '--libs', ...NS3_PKG_MODULES], {
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`pkg-config failed: ${result.stderr}`);
    return result.stdout
      .split(/\s+/)
      .filter((token) => token !== '')
      .filter((token) => !token.includes(';') && !token.includes('\\'))
      .filter((token) => !(token.startsWith('/') && !existsSync(token)));
  }
  const flags = fallbackFlags();
  if (flags === null) throw new Error('ns-3 not found: install libns3-dev (and pkg-config)');
  return flags;
}

/** The full compiler command line that `buildArpBurst` runs. */
export function arpBurstCompileCommand(binary: string): string[] {
  return [CXX, ...CXX_FLAGS, '-o', binary, arpBurstSource(), ...ns3Flags()];
}

/**
 * Compiles bench/ns3/arp-burst.cc with `g++ -O2` against the installed ns-3 into `dir` (created
 * if missing) and returns the binary's path. Throws an Error carrying the compiler's stderr on
 * failure. Takes a few seconds.
 */
export function buildArpBurst(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const binary = resolve(dir, 'arp-burst');
  const [compiler, ...args] = arpBurstCompileCommand(binary);
  const result = spawnSync(compiler!, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.error !== undefined) {
    throw new Error(`${compiler} could not be run: ${result.error.message}`);
  }
  if (result.status !== 0) {
    throw new Error(`compiling arp-burst.cc failed (exit ${result.status}):\n${result.stderr}`);
  }
  return binary;
}

/** One run of the ns-3 peer. */
export interface ArpBurstResult {
  /** Wall seconds of ns-3's `Simulator::Run()` alone, timed inside the program. */
  wallSeconds: number;
  /** Wall seconds of the whole process (setup, run, teardown), timed from outside. */
  processSeconds: number;
  /** Wall seconds ns-3 spent building the topology before `Simulator::Run()`. */
  setupSeconds: number;
  /** Datagrams received by the hosts' sinks by t = 10 s (N when the burst resolves fully). */
  delivered: number;
  /** `Simulator::GetEventCount()` after the run. */
  events?: number;
}

/**
 * Runs the arp-burst binary for `hosts` hosts, killing it (SIGKILL) and throwing when it takes
 * longer than `timeoutMs`. `extraArgs` go to the program (e.g. `--defaultQueues=1`, `--payload=N`).
 * `wallSeconds` is the simulation's own time (the figure to compare a simulator against);
 * `processSeconds` is the outside wall time, which also counts setup and teardown.
 */
export function runArpBurst(
  binary: string,
  hosts: number,
  timeoutMs: number,
  extraArgs: readonly string[] = [],
): ArpBurstResult {
  if (!Number.isInteger(hosts) || hosts < 1) throw new Error(`hosts must be a positive integer`);
  const started = process.hrtime.bigint();
  const result = spawnSync(binary, [String(hosts), ...extraArgs], {
    encoding: 'utf8',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    maxBuffer: 64 << 20,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const processSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const code = (result.error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ETIMEDOUT') {
    throw new Error(`arp-burst ${hosts} timed out after ${timeoutMs} ms and was killed`);
  }
  if (result.error !== undefined) {
    throw new Error(`arp-burst could not be run: ${result.error.message}`);
  }
  if (result.status !== 0) {
    const how = result.signal !== null ? `signal ${result.signal}` : `exit ${result.status}`;
    throw new Error(`arp-burst ${hosts} failed (${how}):\n${result.stderr}`);
  }
  const line = result.stdout
    .split('\n')
    .map((text) => text.trim())
    .filter((text) => text.startsWith('{'))
    .pop();
  if (line === undefined) throw new Error(`arp-burst printed no JSON line:\n${result.stdout}`);
  const parsed = JSON.parse(line) as Record<string, unknown>;
  const { wallSeconds, setupSeconds, delivered, events } = parsed;
  if (typeof wallSeconds !== 'number' || typeof delivered !== 'number') {
    throw new Error(`arp-burst printed an unexpected line: ${line}`);
  }
  const run: ArpBurstResult = {
    wallSeconds,
    processSeconds,
    setupSeconds: typeof setupSeconds === 'number' ? setupSeconds : 0,
    delivered,
  };
  if (typeof events === 'number') run.events = events;
  return run;
}

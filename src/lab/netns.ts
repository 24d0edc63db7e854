/**
 * Network namespaces for tier-2 tests (ARCHITECTURE.md, "Test tiers"), benchmarks and
 * `arpkit demo`, driven through iproute2.
 *
 * A caller gets a `Lab` from `withLab`, adds namespaces to it and wires them with veth pairs and
 * bridges; every interface is created inside a namespace the lab made (`ip -n`), never in the
 * machine's own. Names are unique per process and run. When the body returns, throws or runs out
 * of time, the lab kills what it started and deletes its namespaces; a process `exit` or signal
 * handler does the same for whatever a crashed run left behind.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** What one command printed and its exit status. */
export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

/** A process running inside a namespace until it ends or the lab is torn down. */
export interface Background {
  readonly child: ChildProcess;
  /** Everything it has printed so far, stdout and stderr in arrival order. */
  output(): string;
  /** Resolves with the output once it matches `pattern`; rejects after `timeoutMs` or if the process ends first. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<string>;
}

/** One network namespace of a lab. */
export interface Netns {
  readonly name: string;
  /** Runs `cmd` in the namespace; resolves whatever the exit code, rejects on a timeout (default 10 s). */
  exec(cmd: string, args: readonly string[], timeoutMs?: number): Promise<ExecResult>;
  /** Like `exec`, but rejects unless the command exits 0; resolves with its stdout. */
  run(cmd: string, args: readonly string[], timeoutMs?: number): Promise<string>;
  /** Starts `cmd` in the background in the namespace; the lab kills it at teardown. */
  spawn(cmd: string, args: readonly string[]): Background;
  /** Adds an address in CIDR form (`10.77.0.1/24`) to an interface. */
  addr(ifname: string, cidr: string): Promise<void>;
  /** Sets an interface up. */
  up(ifname: string): Promise<void>;
}

/** The namespaces of one test and the links between them. */
export interface Lab {
  /** A new namespace with a unique name (`ak-<pid>-<n>-<random>-<role>`) and `lo` up. */
  addNamespace(role: string): Promise<Netns>;
  /** A veth pair from `aIf` in `a` to `bIf` in `b`, both ends up, with optional MACs. */
  vethPair(a: Netns, aIf: string, b: Netns, bIf: string, macs?: VethMacs): Promise<void>;
  /** A Linux bridge (STP off, so ports forward at once) over existing `ports` of `ns`, all up. */
  bridge(ns: Netns, name: string, ports: readonly string[]): Promise<void>;
}

/** MAC addresses for the two ends of a veth pair, in `aa:bb:cc:dd:ee:ff` form. */
export interface VethMacs {
  readonly aMac?: string;
  readonly bMac?: string;
}

/** Whether this process can create network namespaces, and if not, why. */
export type NetnsAvailability =
  { readonly ok: true } | { readonly ok: false; readonly reason: string };

const EXEC_TIMEOUT_MS = 10_000;
const LAB_TIMEOUT_MS = 60_000;
const KILL_WAIT_MS = 2_000;

// Process-wide on purpose: the exit and signal handlers must find every namespace and process
// still alive, whichever lab made it.
const liveNamespaces = new Set<string>();
const liveChildren = new Set<ChildProcess>();
let namespaceCounter = 0;
let cachedAvailability: NetnsAvailability | undefined;
let handlersInstalled = false;

/** Probes once per process: root, `ip` on the PATH, and a namespace that can be added and entered. */
export function netnsAvailability(): NetnsAvailability {
  cachedAvailability ??= probe();
  return cachedAvailability;
}

function probe(): NetnsAvailability {
  const uid = process.getuid?.();
  if (uid !== 0) return { ok: false, reason: `not running as root (uid ${uid ?? 'unknown'})` };
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
  } catch {
    return { ok: false, reason: '`ip` (iproute2) cannot be run' };
  }
  const name = uniqueName('probe');
  try {
    execFileSync('ip', ['netns', 'add', name], { stdio: 'pipe' });
    liveNamespaces.add(name);
    execFileSync('ip', ['netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up'], { stdio: 'pipe' });
    return { ok: true };
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return { ok: false, reason: `\`ip netns\` failed: ${stderr || String(error)}` };
  } finally {
    destroyNamespaceSync(name);
  }
}

/** Runs `fn` with a fresh lab and always tears the lab down, also when `fn` throws or overruns `timeoutMs`. */
export async function withLab<T>(
  fn: (lab: Lab) => Promise<T>,
  timeoutMs = LAB_TIMEOUT_MS,
): Promise<T> {
  const availability = netnsAvailability();
  if (!availability.ok) throw new Error(`network namespaces unavailable: ${availability.reason}`);
  const lab = new LabRun();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`lab timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  let outcome: { ok: true; value: T } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, value: await Promise.race([fn(lab), deadline]) };
  } catch (error) {
    outcome = { ok: false, error };
  } finally {
    clearTimeout(timer);
  }
  const problems = await lab.teardown();
  if (!outcome.ok) {
    if (problems.length > 0) process.emitWarning(`lab teardown: ${problems.join('; ')}`);
    throw outcome.error;
  }
  if (problems.length > 0) throw new Error(`lab teardown: ${problems.join('; ')}`);
  return outcome.value;
}

class LabRun implements Lab {
  readonly #namespaces: string[] = [];
  readonly #children: ChildProcess[] = [];
  #closed = false;

  async addNamespace(role: string): Promise<Netns> {
    if (this.#closed) throw new Error('lab is already torn down');
    installHandlers();
    const name = uniqueName(role);
    await ip(['netns', 'add', name]);
    liveNamespaces.add(name);
    if (this.#closed) {
      destroyNamespaceSync(name);
      throw new Error('lab was torn down while the namespace was being added');
    }
    this.#namespaces.push(name);
    const ns = new NamespaceHandle(name, (child) => this.#children.push(child));
    await ns.up('lo');
    return ns;
  }

  async vethPair(a: Netns, aIf: string, b: Netns, bIf: string, macs: VethMacs = {}): Promise<void> {
    const aEnd = [aIf, ...(macs.aMac === undefined ? [] : ['address', macs.aMac])];
    const bEnd = [bIf, ...(macs.bMac === undefined ? [] : ['address', macs.bMac]), 'netns', b.name];
    await ip(['-n', a.name, 'link', 'add', ...aEnd, 'type', 'veth', 'peer', 'name', ...bEnd]);
    await a.up(aIf);
    await b.up(bIf);
  }

  async bridge(ns: Netns, name: string, ports: readonly string[]): Promise<void> {
    await ip(['-n', ns.name, 'link', 'add', 'name', name, 'type', 'bridge', 'stp_state', '0']);
    for (const port of ports) {
      await ip(['-n', ns.name, 'link', 'set', port, 'master', name]);
      await ns.up(port);
    }
    await ns.up(name);
  }

  /** Kills what the lab started, then deletes its namespaces; returns what could not be undone. */
  async teardown(): Promise<string[]> {
    this.#closed = true;
    await Promise.all(this.#children.map(killAndWait));
    const problems: string[] = [];
    for (const name of this.#namespaces) {
      const problem = destroyNamespaceSync(name);
      if (problem !== undefined) problems.push(problem);
    }
    return problems;
  }
}

class NamespaceHandle implements Netns {
  constructor(
    readonly name: string,
    private readonly adopt: (child: ChildProcess) => void,
  ) {}

  exec(cmd: string, args: readonly string[], timeoutMs = EXEC_TIMEOUT_MS): Promise<ExecResult> {
    return execute('ip', ['netns', 'exec', this.name, cmd, ...args], timeoutMs);
  }

  async run(cmd: string, args: readonly string[], timeoutMs = EXEC_TIMEOUT_MS): Promise<string> {
    const result = await this.exec(cmd, args, timeoutMs);
    if (result.code !== 0) {
      throw new Error(
        `${this.name}: ${[cmd, ...args].join(' ')} exited ${result.code}: ${result.stderr.trim()}`,
      );
    }
    return result.stdout;
  }

  spawn(cmd: string, args: readonly string[]): Background {
    const child = spawn('ip', ['netns', 'exec', this.name, cmd, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    liveChildren.add(child);
    this.adopt(child);
    let text = '';
    let closed = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    child.once('close', () => {
      closed = true;
      liveChildren.delete(child);
    });
    child.once('error', () => liveChildren.delete(child));
    return {
      child,
      output: () => text,
      waitFor: (pattern, timeoutMs) =>
        waitFor(
          child,
          () => text,
          () => closed,
          pattern,
          timeoutMs,
        ),
    };
  }

  async addr(ifname: string, cidr: string): Promise<void> {
    await ip(['-n', this.name, 'addr', 'add', cidr, 'dev', ifname]);
  }

  async up(ifname: string): Promise<void> {
    await ip(['-n', this.name, 'link', 'set', ifname, 'up']);
  }
}

/** Checks the output on every chunk until it matches `pattern`, the child closes, or time runs out. */
function waitFor(
  child: ChildProcess,
  text: () => string,
  closed: () => boolean,
  pattern: RegExp,
  timeoutMs: number,
): Promise<string> {
  const what = child.spawnargs.slice(4).join(' ');
  return new Promise((resolve, reject) => {
    const settle = (error?: Error) => {
      clearTimeout(timer);
      child.stdout?.off('data', check);
      child.stderr?.off('data', check);
      child.off('close', check);
      if (error === undefined) resolve(text());
      else reject(error);
    };
    function check(): void {
      if (text().search(pattern) !== -1) settle();
      else if (closed()) settle(new Error(`${what} ended before printing ${pattern}: ${text()}`));
    }
    const timer = setTimeout(
      () => settle(new Error(`${what}: no ${pattern} within ${timeoutMs} ms: ${text()}`)),
      timeoutMs,
    );
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.on('close', check);
    check();
  });
}

function uniqueName(role: string): string {
  namespaceCounter += 1;
  const tag = role
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .slice(0, 12);
  return `ak-${process.pid}-${namespaceCounter}-${randomBytes(2).toString('hex')}-${tag}`;
}

async function ip(args: readonly string[]): Promise<void> {
  const result = await execute('ip', args, EXEC_TIMEOUT_MS);
  if (result.code !== 0)
    throw new Error(`ip ${args.join(' ')} exited ${result.code}: ${result.stderr.trim()}`);
}

function execute(file: string, args: readonly string[], timeoutMs: number): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const options = { timeout: timeoutMs, killSignal: 'SIGKILL' as const, maxBuffer: 64 << 20 };
    execFile(file, args, options, (error, stdout, stderr) => {
      if (error === null) return resolve({ stdout, stderr, code: 0 });
      if (typeof error.code === 'number') return resolve({ stdout, stderr, code: error.code });
      const why = error.killed ? `timed out after ${timeoutMs} ms` : error.message;
      reject(new Error(`${[file, ...args].join(' ')}: ${why}`));
    });
  });
}

async function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    exited,
    new Promise<void>((resolve) => (timer = setTimeout(resolve, KILL_WAIT_MS))),
  ]);
  clearTimeout(timer);
}

/** Kills any process still inside `name`, then deletes it; returns a problem, if any. */
function destroyNamespaceSync(name: string): string | undefined {
  try {
    const pids = execFileSync('ip', ['netns', 'pids', name], { stdio: 'pipe', encoding: 'utf8' });
    for (const pid of pids.split(/\s+/).filter(Boolean)) process.kill(Number(pid), 'SIGKILL');
  } catch {
    // No such namespace any more, or the process ended first: the delete below settles it.
  }
  try {
    execFileSync('ip', ['netns', 'del', name], { stdio: 'pipe' });
    liveNamespaces.delete(name);
    return undefined;
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return `ip netns del ${name}: ${stderr || String(error)}`;
  }
}

/** Last resort for a run that ends without teardown: an uncaught error, process.exit, a signal. */
function cleanUpEverythingSync(): void {
  for (const child of liveChildren) child.kill('SIGKILL');
  for (const name of liveNamespaces) destroyNamespaceSync(name);
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.once('exit', cleanUpEverythingSync);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      cleanUpEverythingSync();
      process.kill(process.pid, signal);
    });
  }
}

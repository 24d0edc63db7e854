import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { arpPcap } from '../testing/arp-pcap.js';
import { runCli } from '../testing/cli.js';
import { ArpOp } from '../wire/arp.js';
import { type Ipv4, parseIpv4 } from '../wire/ipv4.js';
import { MAC_ZERO, parseMac } from '../wire/mac.js';
import { VERSION } from './main.js';

const BIN = fileURLToPath(new URL('../../../bin/arpkit', import.meta.url));
const LIMIT_MS = 20_000;

/** A classic pcap of `count` ARP requests for 198.51.100.N, one a second. */
function requests(count: number): Uint8Array {
  const mac = parseMac('02:00:00:00:00:01');
  return arpPcap(
    Array.from({ length: count }, (_, i) => ({
      arp: {
        op: ArpOp.REQUEST,
        senderMac: mac,
        senderIp: parseIpv4('192.0.2.1'),
        targetMac: MAC_ZERO,
        targetIp: (0xc6336400 + (i % 250)) as Ipv4,
      },
      sec: 1_700_000_000 + i,
      nsec: 0,
    })),
  );
}

interface Exited {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs bin/arpkit as a user would, with a time limit. */
function arpkit(args: readonly string[], stdout: 'pipe' | number = 'pipe'): Promise<Exited> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      stdio: ['ignore', stdout, 'pipe'],
      timeout: LIMIT_MS,
    });
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk;
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk;
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout: out, stderr: err }));
  });
}

describe('arpkit (the command line as a process)', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'arpkit-main-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('bare arpkit is a usage error: help on stderr, exit 2', async () => {
    const run = await arpkit([]);
    assert.equal(run.status, 2);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /Usage: arpkit \[options\] \[command\]/);
  });

  test('--version and --help succeed', async () => {
    const version = await arpkit(['--version']);
    assert.equal(version.status, 0);
    assert.equal(version.stdout, `${VERSION}\n`);
    const help = await arpkit(['--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /decode \[options\] <file\.\.\.>/);
  });

  test('--json and --count together are a usage error', async () => {
    const run = await runCli(['decode', '--json', '--count', 'x.pcap']);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /^arpkit: option '--count' cannot be used with option '--json'/);
  });

  test('a full disk on standard output is a one-line runtime error, exit 1', async () => {
    const path = join(dir, 'many.pcap');
    writeFileSync(path, requests(20_000));
    const full = openSync('/dev/full', 'w');
    try {
      const run = await arpkit(['decode', path], full);
      assert.equal(run.status, 1);
      assert.equal(run.stderr, 'arpkit: standard output: no space left on device (ENOSPC)\n');
    } finally {
      closeSync(full);
    }
  });

  test('a reader that goes away (| head) ends the run quietly, keeping an earlier failure', async () => {
    const path = join(dir, 'many.pcap');
    writeFileSync(path, requests(20_000));
    for (const [args, status] of [
      [[path], 0],
      [[join(dir, 'missing.pcap'), path], 1],
    ] as const) {
      const result = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [BIN, 'decode', ...args], { timeout: LIMIT_MS });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk;
        });
        child.stdout.once('data', () => child.stdout.destroy());
        child.on('close', (code) => resolve({ status: code, stderr }));
      });
      assert.equal(result.status, status, JSON.stringify(args));
      assert.doesNotMatch(result.stderr, /EPIPE|Error|at /);
    }
  });

  test('standard input is decoded as it arrives: each frame shows before the next is sent', async () => {
    const child = spawn(process.execPath, [BIN, 'decode', '-'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: LIMIT_MS,
    });
    let out = '';
    const lines = (n: number) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (out.split('\n').length > n) resolve();
        };
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk;
          check();
        });
        child.on('close', () => reject(new Error(`ended after: ${out}`)));
        check();
      });
    const records = requests(2);
    child.stdin.write(records.subarray(0, 24 + 76));
    await lines(1);
    assert.match(
      out,
      /^1 \S+ 02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff ARP Request who-has 198\.51\.100\.0 /,
    );
    child.stdin.write(records.subarray(24 + 76));
    await lines(2);
    assert.match(out.split('\n')[1]!, /^2 .*who-has 198\.51\.100\.1 /);
    child.stdin.end();
    const status = await new Promise((resolve) => child.on('close', resolve));
    assert.equal(status, 0);
  });
});

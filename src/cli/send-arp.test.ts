import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { memoryLinkPair } from '../link/memory-link.js';
import { runCli } from '../testing/cli.js';
import { VirtualClock } from '../time/virtual-clock.js';
import { parseArp } from '../wire/arp.js';
import { decodeFrame } from '../wire/frame.js';
import { formatMac, parseMac } from '../wire/mac.js';

const DEVICE = parseMac('02:00:00:00:0f:01');

function world() {
  const clock = new VirtualClock(1_700_000_000_000);
  const [ours, peer] = memoryLinkPair(clock);
  const heard: { at: number; op: number; sha: string; ethSrc: string }[] = [];
  peer.receive((frame) => {
    const decoded = decodeFrame(frame.bytes, 'ethernet');
    assert.ok(decoded.proto === 'arp');
    const arp = parseArp(decoded.arp);
    heard.push({
      at: clock.now() - 1_700_000_000_000,
      op: arp.op,
      sha: formatMac(arp.senderMac),
      ethSrc: formatMac(decoded.source!),
    });
  });
  return { clock, ours, heard, cli: { clock, interfaces: { eth0: { mac: DEVICE, link: ours } } } };
}

describe('arpkit send-arp', () => {
  // main() loads a command's module on first use, which takes real I/O: load it before the
  // tests move their virtual clocks, or a command would start sleeping after the clock moved.
  before(() => import('./send-arp.js'));

  test('fake syntax: the one frame, on the named interface', async () => {
    const w = world();
    const result = runCli(
      ['send-arp', '0.0.0.0', '52:54:00:aa:bb:01', '0.0.0.0', 'ff:ff:ff:ff:ff:ff', 'eth0'],
      w.cli,
    );
    await w.clock.advance(10);
    assert.equal((await result).status, 0);
    assert.deepEqual(w.heard, [
      { at: 0, op: 1, sha: '52:54:00:aa:bb:01', ethSrc: '52:54:00:aa:bb:01' },
    ]);
  });

  test('resource-agents syntax: request, reply, half an interval apart, pidfile while sending', async () => {
    const w = world();
    const dir = mkdtempSync(join(tmpdir(), 'arpkit-sendarp-'));
    try {
      const pidfile = join(dir, 'send_arp.pid');
      const result = runCli(
        [
          'send-arp',
          '-i',
          '200',
          '-r',
          '2',
          '-p',
          pidfile,
          'eth0',
          '192.0.2.10',
          'auto',
          '192.0.2.255',
          '255.255.255.0',
        ],
        w.cli,
      );
      await w.clock.advance(150);
      assert.equal(readFileSync(pidfile, 'utf8'), `${process.pid}\n`);
      await w.clock.advance(1000);
      assert.equal((await result).status, 0);
      assert.equal(existsSync(pidfile), false);
      assert.deepEqual(
        w.heard.map((h) => [h.at, h.op, h.sha, h.ethSrc]),
        [0, 100, 200, 300].map((at, i) => [
          at,
          i % 2 === 0 ? 1 : 2,
          '02:00:00:00:0f:01',
          '02:00:00:00:0f:01',
        ]),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('bad command lines are usage errors naming the argument; --help documents both forms', async () => {
    const w = world();
    const bad = await runCli(
      ['send-arp', '0.0.0.0', 'zz', '0.0.0.0', 'ff:ff:ff:ff:ff:ff', 'eth0'],
      w.cli,
    );
    assert.equal(bad.status, 2);
    assert.equal(
      bad.stderr,
      'arpkit: send-arp: SRC_MAC: "zz" is not a MAC address (e.g. 00:11:22:33:44:55)\n',
    );
    const help = await runCli(['send-arp', '--help'], w.cli);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /SRC_IP SRC_MAC TARGET_IP TARGET_MAC \[IFACE/);
    assert.match(help.stdout, /-i INTERVAL_MS\] \[-r COUNT\] \[-p PIDFILE\] DEVICE/);
    assert.equal(w.heard.length, 0);
  });

  test('SIGTERM ends the run with exit 0 (as IPaddr2 expects); a previous sender is stopped', async () => {
    const w = world();
    const dir = mkdtempSync(join(tmpdir(), 'arpkit-sendarp-'));
    const previous = spawn('sleep', ['30']);
    try {
      const pidfile = join(dir, 'send_arp.pid');
      writeFileSync(pidfile, `${previous.pid}\n`);
      const gone = new Promise((resolve) =>
        previous.once('exit', (_code, signal) => resolve(signal)),
      );
      const result = runCli(
        [
          'send-arp',
          '-i',
          '1000',
          '-r',
          '100',
          '-p',
          pidfile,
          'eth0',
          '192.0.2.10',
          'auto',
          'not_used',
          'not_used',
        ],
        w.cli,
      );
      await w.clock.advance(2200);
      assert.equal(await gone, 'SIGKILL');
      process.emit('SIGTERM');
      await w.clock.advance(10);
      assert.equal((await result).status, 0);
      assert.equal(w.heard.length, 5); // at 0, 500, 1000, 1500 and 2000 ms
      assert.equal(existsSync(pidfile), false);
    } finally {
      previous.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a pidfile another sender has taken over is left to it', async () => {
    const w = world();
    const dir = mkdtempSync(join(tmpdir(), 'arpkit-sendarp-'));
    try {
      const pidfile = join(dir, 'send_arp.pid');
      const result = runCli(
        ['send-arp', '-p', pidfile, 'eth0', '192.0.2.10', 'auto', 'not_used', 'not_used'],
        w.cli,
      );
      await w.clock.advance(100);
      writeFileSync(pidfile, '4194304\n');
      await w.clock.advance(1000);
      assert.equal((await result).status, 0);
      assert.equal(readFileSync(pidfile, 'utf8'), '4194304\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

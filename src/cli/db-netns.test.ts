import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'node:test';
import { labTest } from '../testing/lab-test.js';
import type { Background } from '../testing/netns.js';
import { runCli } from '../testing/cli.js';
import { peerToolGate } from '../testing/peer-tools.js';

const LAB_MS = 60_000;
const tools = peerToolGate(['arpwatch', 'arping'], LAB_MS + 15_000);

const WATCHER_MAC = '02:00:00:99:00:01';
// Zero octets: upstream arpwatch would write this one as 2:a:0:b:c:2.
const PEER_MAC = '02:0a:00:0b:0c:02';
const TRIES = 10;

/** Resolves when `process` has exited (at once if it already has). */
function exited(process: Background): Promise<void> {
  const child = process.child;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('close', () => resolve()));
}

describe('arpwatch’s arp.dat into the bindings database (network namespaces)', () => {
  labTest(
    'a real arp.dat written by arpwatch imports, and who-has answers the peer’s IP with its MAC',
    tools,
    LAB_MS,
    async (lab) => {
      const dir = mkdtempSync(join(tmpdir(), 'arpkit-arpwatch-'));
      try {
        const watcher = await lab.addNamespace('watcher');
        const peer = await lab.addNamespace('peer');
        await lab.vethPair(watcher, 'eth0', peer, 'eth0', { aMac: WATCHER_MAC, bMac: PEER_MAC });
        await watcher.addr('eth0', '10.99.0.1/24');
        await peer.addr('eth0', '10.99.0.2/24');

        // arpwatch wants its file to exist; -d keeps it in the foreground with its reports on
        // stderr (no mail), -Q sends no mail either.
        const dat = join(dir, 'arp.dat');
        writeFileSync(dat, '');
        const arpwatch = watcher.spawn('arpwatch', ['-d', '-Q', '-i', 'eth0', '-f', dat]);
        // arpwatch says nothing when it is ready: ask until it reports the peer.
        let reported = false;
        for (let i = 0; i < TRIES && !reported; i++) {
          await peer.exec('arping', ['-c', '1', '-I', 'eth0', '10.99.0.1'], 5_000);
          reported = await arpwatch
            .waitFor(/new station \(10\.99\.0\.2\)/, 1_000)
            .then(() => true)
            .catch(() => false);
        }
        assert.ok(reported, `arpwatch never reported the peer: ${arpwatch.output()}`);
        await peer.run('arping', ['-c', '3', '-I', 'eth0', '10.99.0.1'], 10_000);

        // SIGTERM: arpwatch writes arp.dat and exits.
        arpwatch.child.kill('SIGTERM');
        await exited(arpwatch);
        const written = readFileSync(dat, 'utf8');
        const peerLine = new RegExp(
          `^${PEER_MAC}\\t10\\.99\\.0\\.2\\t(\\d+)\\t[^\\t]*\\teth0$`,
          'm',
        );
        const match = peerLine.exec(written);
        assert.ok(match, `no line for the peer in arp.dat:\n${written}`);
        const epoch = Number(match[1]);

        const db = join(dir, 'site.db');
        const imported = await runCli(['db', 'import-arpwatch', dat, '--db', db]);
        assert.equal(imported.stderr, '');
        assert.equal(imported.status, 0);
        assert.match(imported.stdout, /: [12] bindings? imported into /);

        const who = await runCli(['db', 'who-has', '10.99.0.2', '--db', db, '--json']);
        assert.equal(who.status, 0, who.stderr);
        const bindings = who.stdout
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line));
        assert.deepEqual(
          bindings.map((b) => [b.ip, b.mac, b.vlan, b.iface, b.firstTs, b.lastTs, b.count]),
          [['10.99.0.2', PEER_MAC, [], 'eth0', epoch, epoch, 1]],
        );
        const at = await runCli(['db', 'who-has', '10.99.0.2', '--db', db, '--at', `${epoch}`]);
        assert.match(
          at.stdout,
          new RegExp(`^10\\.99\\.0\\.2 is-at ${PEER_MAC} vlan - iface eth0 `),
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

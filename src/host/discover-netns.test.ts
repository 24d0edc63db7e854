import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type IprouteOutput, iprouteJson, type SnapshotJson } from '../testing/host-json.js';
import { labTest } from '../testing/lab-test.js';
import type { Netns } from '../testing/netns.js';
import { peerToolGate } from '../testing/peer-tools.js';

const FIXTURE = fileURLToPath(new URL('../testing/host-fixture.js', import.meta.url));
const LAB_MS = 60_000;
const tools = peerToolGate(['ip', 'bridge', 'sysctl'], LAB_MS + 15_000);

/** How many static FDB entries the bridge gets, on its two ports. */
const STATIC_ENTRIES = 300;

/** `02:00:00:40:HH:LL` for entry `i`. */
function entryMac(i: number): string {
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  return `02:00:00:40:${hex(i >> 8)}:${hex(i & 0xff)}`;
}

/** Adds `count` static entries with one `bridge -batch` (one process, not `count`). */
async function addStaticEntries(ns: Netns, count: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'arpkit-fdb-'));
  try {
    const file = join(dir, 'fdb.batch');
    const lines = Array.from(
      { length: count },
      (_, i) => `fdb add ${entryMac(i)} dev p${i % 2} master static`,
    );
    writeFileSync(file, `${lines.join('\n')}\n`);
    await ns.run('bridge', ['-batch', file], 30_000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What `ip` and `bridge` say of `ns` now. */
async function iproute(ns: Netns): Promise<IprouteOutput> {
  const json = async (argv: string[]) => JSON.parse(await ns.run(argv[0]!, argv.slice(1)));
  return {
    link: await json(['ip', '-j', '-d', 'link', 'show']),
    addr: await json(['ip', '-j', 'addr', 'show']),
    fdb: await json(['bridge', '-j', 'fdb', 'show']),
    vlan: await json(['bridge', '-j', 'vlan', 'show']),
  };
}

describe('readHostSnapshot in a network namespace', () => {
  labTest(
    'agrees with ip and bridge: links, addresses, 300 static FDB entries and the local ones',
    tools,
    LAB_MS,
    async (lab) => {
      const host = await lab.addNamespace('host');
      const peer = await lab.addNamespace('peer');
      // Nothing may change between the snapshot and iproute2's look: the peer sends nothing the
      // bridge could learn, and no address waits for duplicate address detection.
      await peer.run('sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1']);
      await peer.run('sysctl', ['-qw', 'net.ipv6.conf.default.disable_ipv6=1']);
      await host.run('sysctl', ['-qw', 'net.ipv6.conf.default.accept_dad=0']);
      await lab.vethPair(host, 'p0', peer, 'e0', { aMac: '02:00:00:50:00:00' });
      await lab.vethPair(host, 'p1', peer, 'e1', { aMac: '02:00:00:50:00:01' });
      await lab.bridge(host, 'br0', ['p0', 'p1']);
      await host.addr('br0', '10.50.0.1/24');
      await host.addr('br0', '10.50.0.2/24');
      await host.run('ip', ['-6', 'addr', 'add', '2001:db8:50::1/64', 'dev', 'br0', 'nodad']);
      await addStaticEntries(host, STATIC_ENTRIES);

      const run = await host.exec(process.execPath, [FIXTURE], 20_000);
      assert.equal(run.code, 0, run.stderr);
      const actual = JSON.parse(run.stdout) as SnapshotJson;
      const expected = iprouteJson(await iproute(host));

      assert.deepEqual(actual.links, expected.links);
      assert.deepEqual(actual.addresses, expected.addresses);
      assert.deepEqual(actual.fdb, expected.fdb);
      const states = (state: string) => actual.fdb.filter((e) => e.state === state).length;
      assert.equal(states('static'), STATIC_ENTRIES);
      assert.equal(states('local'), 2, 'both ports’ own addresses (br0 took p0’s as its own)');
      const secondary = actual.addresses.find((a) => a.ip === '10.50.0.2');
      assert.equal(secondary?.secondary, true);
    },
  );
});

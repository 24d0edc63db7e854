import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { parseMac } from '../wire/mac.js';
import { type Background, type NetnsAvailability, requireNetns, withLab } from './netns.js';

/** Deadline of every lab here: a hung lab fails as a lab timeout and is torn down in the test. */
const LAB_MS = 20_000;
/** A test's timeout: its lab's deadline plus room for the teardown (kills, `ip netns del`). */
const NETWORK_TEST = { timeout: LAB_MS + 10_000 };
const PINGER_MAC = '02:00:00:77:00:01';
const PEER_MAC = '02:00:00:77:00:02';

/** Names from `ip netns list` (lines look like `ak-1-2-ab12-pinger (id: 0)`). */
function listedNamespaces(): Set<string> {
  const text = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  return new Set(
    text
      .split('\n')
      .map((line) => line.split(' ')[0]!)
      .filter(Boolean),
  );
}

/** Asserts that none of `names` is still listed. */
function assertGone(names: readonly string[]): void {
  assert.ok(names.length > 0, 'the lab made no namespace');
  const listed = listedNamespaces();
  assert.deepEqual(
    names.filter((name) => listed.has(name)),
    [],
  );
}

/** Asserts that a background process has ended. */
function assertEnded(background: Background | undefined): void {
  assert.ok(background !== undefined, 'no background process was started');
  const { exitCode, signalCode } = background.child;
  assert.ok(exitCode !== null || signalCode !== null, 'still running after teardown');
}

describe('netns lab', () => {
  test(
    'two namespaces over a veth pair: ping, ARP on the wire, the neighbour table',
    NETWORK_TEST,
    async (t) => {
      if (!requireNetns(t)) return;
      const names: string[] = [];
      let capture: Background | undefined;
      await withLab(async (lab) => {
        const pinger = await lab.addNamespace('pinger');
        const peer = await lab.addNamespace('peer');
        names.push(pinger.name, peer.name);
        assert.notEqual(pinger.name, peer.name);
        await lab.vethPair(pinger, 'eth0', peer, 'eth0', { aMac: PINGER_MAC, bMac: PEER_MAC });
        await pinger.addr('eth0', '10.77.0.1/24');
        await peer.addr('eth0', '10.77.0.2/24');

        // tcpdump drops what arrives before it prints "listening on" (to stderr): wait for it.
        capture = peer.spawn('tcpdump', ['-n', '-l', '-e', '-i', 'eth0', 'arp']);
        await capture.waitFor(/listening on eth0/, 5_000);

        const ping = await pinger.exec('ping', ['-c', '1', '-W', '1', '10.77.0.2']);
        assert.equal(ping.code, 0, `ping failed: ${ping.stdout}${ping.stderr}`);

        const seen = await capture.waitFor(/Reply 10\.77\.0\.2 is-at/, 5_000);
        assert.match(
          seen,
          new RegExp(`${PINGER_MAC} > ff:ff:ff:ff:ff:ff.*Request who-has 10\\.77\\.0\\.2`),
        );

        const neigh = await pinger.run('ip', ['neigh', 'show', '10.77.0.2', 'dev', 'eth0']);
        const lladdr = /lladdr (\S+)/.exec(neigh)?.[1];
        assert.ok(lladdr !== undefined, `no neighbour entry: ${neigh}`);
        assert.equal(parseMac(lladdr), parseMac(PEER_MAC));
        assert.ok(listedNamespaces().has(pinger.name));
      }, LAB_MS);
      assertGone(names);
      assertEnded(capture);
    },
  );

  test('a Linux bridge learns each host MAC on its port', NETWORK_TEST, async (t) => {
    if (!requireNetns(t)) return;
    const names: string[] = [];
    const learned = await withLab(async (lab) => {
      const sw = await lab.addNamespace('switch');
      const h1 = await lab.addNamespace('h1');
      const h2 = await lab.addNamespace('h2');
      names.push(sw.name, h1.name, h2.name);
      await lab.vethPair(h1, 'eth0', sw, 'p1', { aMac: PINGER_MAC });
      await lab.vethPair(h2, 'eth0', sw, 'p2', { aMac: PEER_MAC });
      await lab.bridge(sw, 'br0', ['p1', 'p2']);
      await h1.addr('eth0', '10.77.0.1/24');
      await h2.addr('eth0', '10.77.0.2/24');

      await h1.run('ping', ['-c', '1', '-W', '1', '10.77.0.2']);

      // Learned entries read `02:00:00:77:00:01 dev p1 master br0`; a port's own MAC says `permanent`.
      const fdb = await sw.run('bridge', ['fdb', 'show', 'br', 'br0']);
      const ports = new Map<number, string>();
      for (const line of fdb.split('\n')) {
        const entry = /^(\S+) dev (\S+) master br0\s*$/.exec(line);
        if (entry) ports.set(parseMac(entry[1]!), entry[2]!);
      }
      return ports;
    }, LAB_MS);
    assert.equal(learned.get(parseMac(PINGER_MAC)), 'p1');
    assert.equal(learned.get(parseMac(PEER_MAC)), 'p2');
    assertGone(names);
  });

  test('a body that throws still loses its namespaces and processes', NETWORK_TEST, async (t) => {
    if (!requireNetns(t)) return;
    const names: string[] = [];
    let sleeper: Background | undefined;
    await assert.rejects(
      withLab(async (lab) => {
        const ns = await lab.addNamespace('thrower');
        names.push(ns.name);
        sleeper = ns.spawn('sleep', ['30']);
        throw new Error('boom');
      }, LAB_MS),
      /boom/,
    );
    assertGone(names);
    assertEnded(sleeper);
  });

  test(
    'a body that overruns the lab deadline is cut off and cleaned up',
    NETWORK_TEST,
    async (t) => {
      if (!requireNetns(t)) return;
      const names: string[] = [];
      await assert.rejects(
        withLab(async (lab) => {
          names.push((await lab.addNamespace('stuck')).name);
          await new Promise<never>(() => {});
        }, 300),
        /lab timed out after 300 ms/,
      );
      assertGone(names);
    },
  );

  test('waitFor rejects when the process ends without a match', NETWORK_TEST, async (t) => {
    if (!requireNetns(t)) return;
    await withLab(async (lab) => {
      const ns = await lab.addNamespace('echo');
      const echo = ns.spawn('echo', ['hello']);
      await assert.rejects(echo.waitFor(/goodbye/, 5_000), /ended before printing/);
      assert.equal(echo.output(), 'hello\n');
    }, LAB_MS);
  });

  describe('requireNetns', () => {
    const missing: NetnsAvailability = { ok: false, reason: 'not running as root (uid 1000)' };
    const recorder = () => {
      const skipped: (string | undefined)[] = [];
      return { skipped, context: { skip: (reason?: string) => void skipped.push(reason) } };
    };

    test('runs the test when namespaces work', () => {
      const { skipped, context } = recorder();
      assert.equal(requireNetns(context, { ok: true }, {}), true);
      assert.deepEqual(skipped, []);
    });

    test('skips with the reason when they do not and nothing requires them', () => {
      for (const env of [{}, { ARPKIT_REQUIRE_NETNS: '' }, { ARPKIT_REQUIRE_NETNS: '0' }]) {
        const { skipped, context } = recorder();
        assert.equal(requireNetns(context, missing, env), false);
        assert.equal(skipped.length, 1);
        assert.match(skipped[0] ?? '', /not running as root \(uid 1000\)/);
      }
    });

    test('fails under ARPKIT_REQUIRE_NETNS=1, never skips', () => {
      const { skipped, context } = recorder();
      assert.throws(
        () => requireNetns(context, missing, { ARPKIT_REQUIRE_NETNS: '1' }),
        /ARPKIT_REQUIRE_NETNS is set .*not running as root/,
      );
      assert.deepEqual(skipped, []);
    });
  });
});

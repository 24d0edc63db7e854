import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { EventJson, FixtureLine } from '../testing/event-fixture.js';
import { labTest } from '../testing/lab-test.js';
import type { Background, Netns } from '../testing/netns.js';
import { peerToolGate } from '../testing/peer-tools.js';

const FIXTURE = fileURLToPath(new URL('../testing/event-fixture.js', import.meta.url));
const LAB_MS = 60_000;
/** How long the fixture listens at most; the tests end it sooner. */
const FIXTURE_MS = 40_000;
/** How long one expected line may take to show up. */
const WAIT_MS = 10_000;
const tools = peerToolGate(['ip', 'bridge', 'arping', 'sysctl'], LAB_MS + 15_000);

/** The fixture's output, read as lines, searched from a position on. */
class FixtureLog {
  constructor(readonly fixture: Background) {}

  /** Every whole line printed so far. */
  lines(): FixtureLine[] {
    const text = this.fixture.output();
    const whole = text.slice(0, text.lastIndexOf('\n') + 1);
    return whole
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as FixtureLine);
  }

  /** How many lines there are now: a position for `next`. */
  mark(): number {
    return this.lines().length;
  }

  /** The first line at or after `from` that `matches`, with its position; waits for it. */
  async next(
    from: number,
    what: string,
    matches: (line: FixtureLine) => boolean,
  ): Promise<{ line: FixtureLine; at: number }> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const lines = this.lines();
      const at = lines.findIndex((line, i) => i >= from && matches(line));
      if (at >= 0) return { line: lines[at]!, at };
      if (Date.now() > deadline || this.fixture.child.exitCode !== null) {
        throw new Error(
          `no ${what} after line ${from}; the fixture printed:\n${this.fixture.output()}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Like `next`, for an event (of the type `T` that `matches` accepts). */
  async event<T extends EventJson = EventJson>(
    from: number,
    what: string,
    matches: (event: EventJson) => boolean,
  ): Promise<{ event: T; at: number }> {
    const { line, at } = await this.next(
      from,
      what,
      (l) => l.event !== undefined && matches(l.event),
    );
    return { event: line.event as T, at };
  }
}

/** Starts the fixture in `ns` and waits until it has joined the groups. */
async function listen(ns: Netns, args: readonly string[] = []): Promise<FixtureLog> {
  const fixture = ns.spawn(process.execPath, [FIXTURE, '--deadline-ms', `${FIXTURE_MS}`, ...args]);
  const log = new FixtureLog(fixture);
  await log.next(0, 'ready line', (line) => line.ready === true);
  return log;
}

type LinkEvent = Extract<EventJson, { type: 'link' }>;
const link =
  (name: string, test: (event: LinkEvent) => boolean = () => true) =>
  (event: EventJson): boolean =>
    event.type === 'link' && event.name === name && test(event);

describe('rtnetlink events in a network namespace', () => {
  labTest(
    'links come and go, lose and regain carrier, change MAC and master; addresses; a learned MAC',
    tools,
    LAB_MS,
    async (lab) => {
      const host = await lab.addNamespace('host');
      const peer = await lab.addNamespace('peer');
      await peer.run('sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1']);
      await peer.run('sysctl', ['-qw', 'net.ipv6.conf.default.disable_ipv6=1']);
      const log = await listen(host);
      const start = log.mark();

      // A veth pair from the host to the peer: RTM_NEWLINK for p0, down, without carrier.
      await host.run('ip', [
        ...['link', 'add', 'p0', 'address', '02:00:00:60:00:01', 'type', 'veth'],
        ...['peer', 'name', 'e0', 'address', '02:00:00:60:00:02', 'netns', peer.name],
      ]);
      const created = await log.event<LinkEvent>(start, 'p0 created', link('p0'));
      assert.deepEqual(
        { ...created.event, index: 0 },
        {
          type: 'link',
          op: 'new',
          linkEvent: null,
          index: 0,
          name: 'p0',
          kind: 'veth',
          mac: '02:00:00:60:00:01',
          up: false,
          carrier: false,
          master: null,
        },
      );
      const p0 = created.event.index;

      // Carrier follows the peer's end: up, down, up again.
      await host.up('p0');
      await peer.up('e0');
      const up1 = await log.event(
        created.at,
        'p0 carrier',
        link('p0', (e) => e.up && e.carrier),
      );
      await peer.run('ip', ['link', 'set', 'e0', 'down']);
      const down = await log.event<LinkEvent>(
        up1.at + 1,
        'p0 carrier lost',
        link('p0', (e) => !e.carrier),
      );
      assert.equal(down.event.up, true, 'still administratively up');
      await peer.up('e0');
      const up2 = await log.event(
        down.at + 1,
        'p0 carrier back',
        link('p0', (e) => e.carrier),
      );

      // A new MAC.
      await host.run('ip', ['link', 'set', 'p0', 'address', '02:00:00:60:00:11']);
      const moved = await log.event(
        up2.at + 1,
        'p0 new MAC',
        link('p0', (e) => e.mac === '02:00:00:60:00:11'),
      );

      // An IPv4 address added, then removed.
      await host.addr('p0', '10.60.0.1/24');
      const added = await log.event(
        moved.at + 1,
        'address added',
        (e) => e.type === 'address' && e.ip === '10.60.0.1',
      );
      assert.deepEqual(added.event, {
        type: 'address',
        op: 'new',
        index: p0,
        family: 'ipv4',
        ip: '10.60.0.1',
        prefixLength: 24,
        scope: 0,
        tentative: false,
        deprecated: false,
        secondary: false,
      });
      await host.run('ip', ['addr', 'del', '10.60.0.1/24', 'dev', 'p0']);
      await log.event(
        added.at + 1,
        'address removed',
        (e) => e.type === 'address' && e.op === 'del' && e.ip === '10.60.0.1',
      );

      // A bridge over p0: br0 appears, p0 gets it as master.
      await host.run('ip', ['link', 'add', 'br0', 'type', 'bridge', 'stp_state', '0']);
      const bridge = await log.event<LinkEvent>(
        added.at,
        'br0',
        link('br0', (e) => e.kind === 'bridge'),
      );
      const br0 = bridge.event.index;
      await host.run('ip', ['link', 'set', 'p0', 'master', 'br0']);
      await host.up('br0');
      await log.event(
        bridge.at,
        'p0 enslaved',
        link('p0', (e) => e.master === br0),
      );

      // The peer speaks (a gratuitous ARP from e0): the bridge learns e0's MAC on p0.
      await peer.addr('e0', '10.60.0.2/24');
      // iputils arping exits 1 when nobody answers, as nobody does an unsolicited ARP.
      const arping = await peer.exec('arping', ['-q', '-U', '-c', '1', '-I', 'e0', '10.60.0.2']);
      assert.ok(arping.code <= 1, `arping exited ${arping.code}: ${arping.stderr}`);
      const learned = await log.event(
        bridge.at,
        'learned FDB entry',
        (e) => e.type === 'fdb' && e.mac === '02:00:00:60:00:02',
      );
      assert.deepEqual(learned.event, {
        type: 'fdb',
        op: 'new',
        mac: '02:00:00:60:00:02',
        bridge: br0,
        port: p0,
        state: 'learned',
      });

      // p0 deleted: RTM_DELLINK still says which link it was.
      await host.run('ip', ['link', 'del', 'p0']);
      const gone = await log.event<LinkEvent>(
        learned.at,
        'p0 deleted',
        (e) => e.type === 'link' && e.op === 'del',
      );
      assert.equal(gone.event.name, 'p0');
      assert.equal(gone.event.index, p0);
      assert.deepEqual(
        log.lines().filter((line) => line.overrun || line.error || line.malformed),
        [],
        'no losses, errors or unreadable messages on the way',
      );
    },
  );

  labTest(
    'a tiny buffer and a burst of 400 changes: overrun, then events again',
    tools,
    LAB_MS,
    async (lab) => {
      const host = await lab.addNamespace('burst');
      await host.run('ip', ['link', 'add', 'd0', 'type', 'veth', 'peer', 'name', 'd1']);
      const dir = mkdtempSync(join(tmpdir(), 'arpkit-events-'));
      try {
        const go = join(dir, 'go');
        const log = await listen(host, ['--buffer', '1024', '--hold', go]);
        const ready = (await log.next(0, 'ready', (line) => line.ready === true)).line;
        assert.ok(ready.buffer! <= 4096, `a tiny buffer: ${ready.buffer} bytes`);
        // The socket is subscribed but not reading: the burst overflows its queue.
        const batch = join(dir, 'burst');
        const lines = Array.from(
          { length: 400 },
          (_, i) => `addr add 10.61.${Math.floor(i / 200)}.${(i % 200) + 1}/16 dev d0`,
        );
        writeFileSync(batch, `${lines.join('\n')}\n`);
        await host.run('ip', ['-batch', batch], 30_000);
        writeFileSync(go, '');
        const overrun = await log.next(0, 'overrun', (line) => line.overrun === true);
        const queued = log.lines().filter((line) => line.event !== undefined).length;
        assert.ok(queued < 400, `most of the burst was lost (${queued} delivered)`);

        // Receiving goes on: a change after the overrun arrives.
        await host.addr('d0', '10.62.0.1/32');
        await log.event(
          overrun.at + 1,
          'the address added after the overrun',
          (e) => e.type === 'address' && e.ip === '10.62.0.1',
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  labTest(
    'a datagram longer than the receive slot is reported, counted as lost, and the slot grows',
    tools,
    LAB_MS,
    async (lab) => {
      const host = await lab.addNamespace('trunc');
      const log = await listen(host, ['--slot', '256']);
      // A link message is over a kilobyte; an IPv4 address message under a hundred bytes.
      await host.run('ip', ['link', 'add', 't0', 'type', 'veth', 'peer', 'name', 't1']);
      const error = await log.next(0, 'EMSGSIZE', (line) => line.error !== undefined);
      assert.match(
        error.line.error!,
        /^rtnetlink events: a \d+-byte event datagram did not fit 256 bytes and was lost$/,
      );
      await log.next(error.at + 1, 'overrun', (line) => line.overrun === true);
      await host.run('ip', ['link', 'set', 't0', 'up']);
      await log.event(
        error.at,
        't0 up, read whole now',
        link('t0', (e) => e.up),
      );
    },
  );
});

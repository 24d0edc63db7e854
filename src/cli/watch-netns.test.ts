import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildFailoverLab, type FailoverLab, HOST, SWITCH } from '../lab/failover.js';
import { labTest } from '../testing/lab-test.js';
import type { Background, Netns } from '../testing/netns.js';
import { peerToolGate } from '../testing/peer-tools.js';

const BIN = fileURLToPath(new URL('../../../bin/arpkit', import.meta.url));
const LAB_MS = 60_000;
const tools = peerToolGate(['bridge', 'ping', 'tcpdump'], LAB_MS + 15_000);
const GUESTS = 3;
/** The client pings each guest this often, for this many pings. */
const PING_INTERVAL_MS = 10;
const PINGS = 150;
/** The move starts this long after the pings do. */
const MOVE_AFTER_MS = 500;

/** `arpkit watch ARGS` in the host namespace, once it says it is ready. */
async function watch(host: Netns, args: readonly string[]): Promise<Background> {
  const daemon = host.spawn(process.execPath, [BIN, 'watch', ...args]);
  await daemon.waitFor(/^watching /m, 10_000);
  return daemon;
}

/** Where the daemon serves metrics, inside its namespace. */
const METRICS = '127.0.0.1:9468';

/** `GET /metrics` from inside `ns`. */
function scrape(ns: Netns): Promise<string> {
  const get = `fetch('http://${METRICS}/metrics').then((r) => r.text()).then((t) => process.stdout.write(t))`;
  return ns.run(process.execPath, ['-e', get]);
}

/** Sends `signal` to the daemon; resolves its exit code and how long it took to exit. */
async function stop(daemon: Background, signal: NodeJS.Signals = 'SIGTERM') {
  const started = performance.now();
  const exited = new Promise<number | null>((resolve) => daemon.child.once('exit', resolve));
  daemon.child.kill(signal);
  const code = await exited;
  return { code, ms: performance.now() - started };
}

/** Pings every guest every 10 ms from the client; resolves how many each got back. */
function pingGuests(lab: FailoverLab): Promise<number[]> {
  return Promise.all(
    lab.guests.map(async (guest) => {
      const args = ['-n', '-q', '-c', String(PINGS), '-i', String(PING_INTERVAL_MS / 1000)];
      const result = await lab.client.exec('ping', [...args, '-w', '5', guest.ip], 20_000);
      const received = / (\d+) received/.exec(result.stdout)?.[1];
      assert.ok(received !== undefined, `ping ${guest.ip}: ${result.stdout}${result.stderr}`);
      return Number(received);
    }),
  );
}

/** Resolves once the switch has every guest MAC on `port`, or fails after `limitMs`. */
async function guestsOn(lab: FailoverLab, port: string, limitMs: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    const ports = await Promise.all(lab.guests.map((guest) => lab.switchPortOf(guest.mac)));
    if (ports.every((each) => each === port)) return performance.now();
    if (performance.now() - started > limitMs) {
      assert.fail(`guests still on ${ports.join(', ')} ${limitMs} ms after the move`);
    }
  }
}

/**
 * Moves br0 from uplink A to B while the client pings every guest every 10 ms. Resolves the
 * pings each guest answered, when the move started and ended, and when the switch had every
 * guest on port B (undefined if it never did within a second).
 */
async function moveWhilePinging(lab: FailoverLab) {
  const pings = pingGuests(lab);
  await new Promise((resolve) => setTimeout(resolve, MOVE_AFTER_MS));
  const moveStart = performance.now();
  await lab.moveToUplinkB();
  const moveEnd = performance.now();
  const moved = await guestsOn(lab, SWITCH.portB, 1000).catch(() => undefined);
  return { answered: await pings, moveStart, moveEnd, moved };
}

/** Resolves once `ifname` in `ns` has lost its carrier (within 5 s). */
async function carrierGone(ns: Netns, ifname: string): Promise<void> {
  for (let tries = 0; tries < 500; tries++) {
    const json = await ns.run('ip', ['-j', 'link', 'show', ifname]);
    const [link] = JSON.parse(json) as { flags: string[] }[];
    if (!link!.flags.includes('LOWER_UP')) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail(`${ifname} kept its carrier`);
}

/** `tcpdump` on `ifname` in `ns`, printing each ARP/RARP frame with its time. */
async function capture(ns: Netns, ifname: string): Promise<Background> {
  const args = ['-i', ifname, '-n', '-l', '--immediate-mode', '-tt', '-e', 'arp or rarp'];
  const dump = ns.spawn('tcpdump', args);
  await dump.waitFor(/listening on/, 10_000);
  return dump;
}

/** The times (s) of the captured lines that match `pattern`. */
function timesOf(dump: Background, pattern: RegExp): number[] {
  return dump
    .output()
    .split('\n')
    .filter((line) => pattern.test(line))
    .map((line) => Number(line.split(' ')[0]));
}

/** Groups times into rounds: a gap over 100 ms starts a new one. */
function rounds(times: readonly number[]): number[] {
  const starts: number[] = [];
  let last = Number.NEGATIVE_INFINITY;
  for (const time of times) {
    if (time - last > 0.1) starts.push(time);
    last = time;
  }
  return starts;
}

const WATCH_BRIDGE = [
  '--iface',
  HOST.bridge,
  '--guests',
  HOST.bridge,
  '--uplink',
  HOST.uplinkA,
  '--uplink',
  HOST.uplinkB,
  '--off',
  'start',
  '--schedule',
  'port-change=0,200ms',
];

describe('arpkit watch in namespaces', () => {
  labTest(
    'a failover with the daemon loses only the pings in flight; without it, every later one',
    tools,
    LAB_MS,
    async (raw) => {
      const lab = await buildFailoverLab(raw, { guests: GUESTS });
      // Without the daemon: the switch keeps sending to port A, where nothing answers.
      const without = await moveWhilePinging(lab);
      assert.equal(without.moved, undefined, 'without an announcement the switch never moves');
      const before = Math.floor(MOVE_AFTER_MS / PING_INTERVAL_MS);
      for (const answered of without.answered) {
        assert.ok(answered <= before + 5, `${answered} of ${PINGS} answered without the daemon`);
      }
      // Back to uplink A (the switch relearns the guests from their replies), with the daemon.
      await lab.host.run('ip', ['link', 'set', HOST.uplinkB, 'nomaster']);
      await lab.host.run('ip', ['link', 'set', HOST.uplinkA, 'master', HOST.bridge]);
      await lab.client.exec('ping', ['-n', '-q', '-c', '1', '-W', '1', HOST.ip]);
      for (const guest of lab.guests) await lab.ping(guest.ip, 1);
      await guestsOn(lab, SWITCH.portA, 5000);
      const daemon = await watch(lab.host, WATCH_BRIDGE);
      const withDaemon = await moveWhilePinging(lab);
      assert.ok(
        withDaemon.moved !== undefined,
        `the switch moved every guest to port B: ${daemon.output()}`,
      );
      const afterMove = withDaemon.moved - withDaemon.moveEnd;
      assert.ok(
        afterMove <= 100,
        `the switch moved the guests ${afterMove.toFixed(1)} ms after the move`,
      );
      const inFlight = Math.ceil((withDaemon.moved - withDaemon.moveStart) / PING_INTERVAL_MS) + 2;
      for (const answered of withDaemon.answered) {
        assert.ok(
          PINGS - answered <= inFlight,
          `${PINGS - answered} pings lost with the daemon, ${inFlight} in flight at most`,
        );
      }
      assert.match(daemon.output(), /trigger port-change: upB joined br0/);
      await daemon.waitFor(/announced after .*port-change/, 5000);
      const stopped = await stop(daemon);
      assert.equal(stopped.code, 0);
    },
  );

  labTest(
    'carrier down and up of an uplink runs the carrier-up schedule',
    tools,
    LAB_MS,
    async (raw) => {
      const lab = await buildFailoverLab(raw, { guests: 1 });
      const daemon = await watch(lab.host, [
        ...WATCH_BRIDGE,
        '--schedule',
        'carrier-up=0,300ms,800ms',
      ]);
      const sent = await capture(lab.host, HOST.uplinkA);
      const seen = await capture(lab.switch, SWITCH.bridge);
      await lab.switch.run('ip', ['link', 'set', SWITCH.portA, 'down']);
      // The kernel reports the carrier as it is when its link watch runs: wait for the loss
      // to be seen, or a quick down-up reads as no change at all.
      await carrierGone(lab.host, HOST.uplinkA);
      await lab.switch.run('ip', ['link', 'set', SWITCH.portA, 'up']);
      await daemon.waitFor(/announced after carrier-up/, 5000);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const starts = rounds(timesOf(sent, new RegExp(HOST.mac)));
      assert.equal(starts.length, 3, `rounds at ${starts.join(', ')}: ${sent.output()}`);
      const offsets = starts.map((start) => (start - starts[0]!) * 1000);
      assert.ok(Math.abs(offsets[1]! - 300) < 50, `second round at ${offsets[1]} ms`);
      assert.ok(Math.abs(offsets[2]! - 800) < 50, `third round at ${offsets[2]} ms`);
      // The switch's port forwards only once the switch side has processed its own carrier
      // change: the first round can be lost there (why the schedule repeats), the last is not.
      const arrived = rounds(timesOf(seen, new RegExp(HOST.mac)));
      assert.ok(arrived.length >= 1, `the switch saw no round: ${seen.output()}`);
      assert.ok(Math.abs(arrived.at(-1)! - starts[2]!) < 0.05, 'the last round reached the switch');
      assert.match(daemon.output(), /trigger carrier-up: upA: carrier up/);
      await stop(daemon);
    },
  );

  labTest(
    "an address added with ip addr add is announced; the client's entry follows",
    tools,
    LAB_MS,
    async (raw) => {
      const lab = await buildFailoverLab(raw, { guests: 1 });
      const vip = '192.0.2.50';
      const guest = lab.guests[0]!;
      await lab.addressOnGuest(`${vip}/24`);
      await guest.ns.run('ip', ['addr', 'del', `${vip}/24`, 'dev', 'eth0']);
      const daemon = await watch(lab.host, [
        '--address',
        vip,
        '--iface',
        HOST.bridge,
        '--uplink',
        HOST.uplinkA,
        '--off',
        'start',
        '--schedule',
        'address-added=0',
      ]);
      await lab.host.addr(HOST.bridge, `${vip}/24`);
      await daemon.waitFor(/announced after address-added/, 5000);
      assert.equal(await lab.clientNeighbour(vip), HOST.mac);
      assert.match(daemon.output(), /trigger address-added: 192\.0\.2\.50 added on br0/);
      await stop(daemon);
    },
  );

  labTest(
    'SIGHUP reloads a valid file and keeps the old one on an invalid one; metrics count it; SIGTERM stops at once',
    tools,
    LAB_MS,
    async (raw) => {
      const lab = await buildFailoverLab(raw, { guests: 1 });
      const file = join(tmpdir(), `arpkit-watch-${process.pid}-${Date.now()}.yaml`);
      const config = (addresses: string) =>
        `announce:\n  iface: [${HOST.bridge}]\n  uplink: [${HOST.uplinkA}]\nwatch:\n  addresses: [${addresses}]\ntriggers:\n  start: false\n`;
      await writeFile(file, config('192.0.2.60'));
      const daemon = await watch(lab.host, ['--config', file, '--metrics', METRICS]);
      await writeFile(file, config('192.0.2.61'));
      daemon.child.kill('SIGHUP');
      await daemon.waitFor(/reloaded: watching .*192\.0\.2\.61/, 5000);
      await writeFile(file, `${config('192.0.2.61')}brdiges: [br0]\n`);
      daemon.child.kill('SIGHUP');
      await daemon.waitFor(
        /reload failed, keeping the running configuration: .*:8: .*unknown key "brdiges"/,
        5000,
      );
      await lab.host.addr(HOST.bridge, '192.0.2.61/24');
      await daemon.waitFor(/announced after address-added/, 10_000);
      const metrics = await scrape(lab.host);
      for (const series of [
        /^arpkit_watch_config_reloads_total\{result="ok"\} 1$/m,
        /^arpkit_watch_config_reloads_total\{result="failed"\} 1$/m,
        /^arpkit_watch_triggers_total\{kind="address-added"\} 1$/m,
        // br0's two addresses (192.0.2.1 and the new one), a request and a reply each, 3 rounds.
        /^arpkit_watch_frames_sent_total\{link="upA",kind="request"\} 6$/m,
        /^arpkit_watch_frames_sent_total\{link="upA",kind="reply"\} 6$/m,
        /^arpkit_watch_event_to_first_frame_seconds_count 1$/m,
      ]) {
        assert.match(metrics, series);
      }
      const stopped = await stop(daemon);
      assert.equal(stopped.code, 0);
      assert.ok(stopped.ms < 1000, `stopped in ${stopped.ms.toFixed(0)} ms`);
      assert.match(daemon.output(), /SIGTERM: stopping/);
    },
  );
});

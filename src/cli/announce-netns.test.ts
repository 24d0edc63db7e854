import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildFailoverLab, type FailoverLab, HOST, SWITCH } from '../lab/failover.js';
import { labTest } from '../testing/lab-test.js';
import type { Lab, Netns } from '../testing/netns.js';
import { peerToolGate } from '../testing/peer-tools.js';

const BIN = fileURLToPath(new URL('../../../bin/arpkit', import.meta.url));
const LAB_MS = 60_000;
const tools = peerToolGate(['bridge', 'ping', 'sysctl'], LAB_MS + 15_000);
const GUESTS = 3;
const PINGS = 3;
/** A single round: the switch learns from the first frame, the tests need not wait 5 s. */
const ONE_ROUND = ['--rounds', '1'];

/** `arpkit ARGS` inside `ns`; asserts exit 0 and resolves its output. */
async function announce(ns: Netns, args: readonly string[]): Promise<string> {
  const result = await ns.exec(process.execPath, [BIN, 'announce', ...args], 20_000);
  assert.equal(result.code, 0, `arpkit announce ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** Every guest's MAC is on `port` of the switch, and the client's pings to each get `answered`. */
async function assertGuests(lab: FailoverLab, port: string, answered: number): Promise<void> {
  for (const guest of lab.guests) {
    assert.equal(await lab.ping(guest.ip, PINGS), answered, `pings answered by ${guest.ip}`);
    assert.equal(await lab.switchPortOf(guest.mac), port, `switch port of guest ${guest.mac}`);
  }
}

/** The failover: br0 on uplink A, the client reaches every guest; br0 moves to B; pings are lost. */
async function failedOver(lab: FailoverLab): Promise<void> {
  await assertGuests(lab, SWITCH.portA, PINGS);
  assert.equal(await lab.ping(HOST.ip, 1), 1);
  assert.equal(await lab.switchPortOf(HOST.mac), SWITCH.portA);
  await lab.moveToUplinkB();
  await assertGuests(lab, SWITCH.portA, 0);
}

/**
 * `vip` moves from the guest to the host's bridge, as keepalived moves a VIP: the client's
 * neighbour entry names the guest until `arpkit announce --ip` (default schedule: the client may
 * ignore a second update within its 1 s locktime), then the host, and the address answers.
 */
async function moveAddress(raw: Lab, vip: string, prefix: number): Promise<void> {
  const lab = await buildFailoverLab(raw, { guests: 1, ipv6: vip.includes(':') });
  const guest = lab.guests[0]!;
  await lab.addressOnGuest(`${vip}/${prefix}`);
  assert.equal(await lab.clientNeighbour(vip), guest.mac);
  await guest.ns.run('ip', ['addr', 'del', `${vip}/${prefix}`, 'dev', 'eth0']);
  await lab.host.addr(HOST.bridge, `${vip}/${prefix}`);
  await announce(lab.host, ['--ip', vip, '--uplink', HOST.uplinkA]);
  assert.equal(await lab.clientNeighbour(vip), HOST.mac);
  assert.equal(await lab.ping(vip, 1), 1);
}

describe('arpkit announce in namespaces: a host bridge moved to another uplink', () => {
  labTest(
    '--guests moves every guest MAC to the new port and the pings answer',
    tools,
    LAB_MS,
    async (raw) => {
      const lab = await buildFailoverLab(raw, { guests: GUESTS });
      await failedOver(lab);
      await announce(lab.host, ['--guests', HOST.bridge, '--uplink', HOST.uplinkB, ...ONE_ROUND]);
      await assertGuests(lab, SWITCH.portB, PINGS);
    },
  );

  labTest('--all --guests also moves the host bridge MAC', tools, LAB_MS, async (raw) => {
    const lab = await buildFailoverLab(raw, { guests: GUESTS });
    await failedOver(lab);
    await announce(lab.host, ['--all', '--guests', '--uplink', HOST.uplinkB, ...ONE_ROUND]);
    await assertGuests(lab, SWITCH.portB, PINGS);
    assert.equal(await lab.switchPortOf(HOST.mac), SWITCH.portB);
    assert.equal(await lab.ping(HOST.ip, PINGS), PINGS);
  });

  labTest('--mac-frame learn does the same with the send_arp frame', tools, LAB_MS, async (raw) => {
    const lab = await buildFailoverLab(raw, { guests: GUESTS });
    await failedOver(lab);
    const args = ['--guests', HOST.bridge, '--uplink', HOST.uplinkB, '--mac-frame', 'learn'];
    await announce(lab.host, [...args, ...ONE_ROUND]);
    await assertGuests(lab, SWITCH.portB, PINGS);
  });

  labTest(
    '--ip: the client neighbour entry of a moved address takes the new MAC',
    tools,
    LAB_MS,
    (raw) => moveAddress(raw, '192.0.2.50', 24),
  );

  labTest('IPv6: the client neighbour entry follows an unsolicited NA', tools, LAB_MS, (raw) =>
    moveAddress(raw, '2001:db8::50', 64),
  );

  labTest(
    'an address this host does not have is refused unless --force',
    tools,
    LAB_MS,
    async (raw) => {
      const lab = await buildFailoverLab(raw, { guests: 1 });
      const vip = '192.0.2.50';
      const guest = lab.guests[0]!;
      await lab.addressOnGuest(`${vip}/24`);
      const args = ['--ip', vip, '--uplink', HOST.uplinkA];
      const refused = await lab.host.exec(process.execPath, [BIN, 'announce', ...args]);
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /--force/);
      assert.equal(await lab.clientNeighbour(vip), guest.mac);
      await announce(lab.host, [...args, '--iface', HOST.bridge, '--force']);
      assert.equal(await lab.clientNeighbour(vip), HOST.mac);
    },
  );
});

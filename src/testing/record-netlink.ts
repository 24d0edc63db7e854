/**
 * Records the rtnetlink fixtures of `src/host/fixtures/`: builds one network namespace with a
 * bridge, veth ports, a tap guest, a tun, a dummy (ifb where the kernel has no dummy), a
 * macvlan and a macvtap, IPv4 primary and secondary addresses, IPv6 addresses (a tentative one
 * on a link without carrier, a deprecated one, point-to-point peers) and static, permanent,
 * dynamic and learned FDB entries; then, inside it, writes the raw reply datagrams of the four
 * dumps `readHostSnapshot` takes (`<dump>.bin`, the datagrams one after another) and, right
 * after, what iproute2 says of the same state (`ip-link.json`, `ip-addr.json`, `bridge-fdb.json`,
 * `bridge-vlan.json`). Parts this kernel lacks (VLAN filtering, 802.1Q links) are left out and
 * said so on stderr; the tests compare whatever was recorded.
 *
 *     node dist/src/testing/record-netlink.js [OUT_DIR]    # default: <repo>/src/host/fixtures
 *     npx prettier --write src/host/fixtures
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type HostDumps, readHostDumps } from '../host/discover.js';
import { AfPacketLink } from '../link/af-packet-link.js';
import { parseMac } from '../wire/mac.js';
import { arpRequests } from './link-lab.js';
import { type Netns, withLab } from '../lab/netns.js';

const SELF = fileURLToPath(import.meta.url);
const DEFAULT_OUT = fileURLToPath(new URL('../../../src/host/fixtures/', import.meta.url));

/** The fixture files of one dump: the raw datagrams, one after another. */
export const DUMP_FILES: Readonly<Record<keyof HostDumps, string>> = Object.freeze({
  links: 'links.bin',
  bridgeVlans: 'bridge-vlans.bin',
  addresses: 'addresses.bin',
  fdb: 'fdb.bin',
});

/** What iproute2 printed of the same state, and the command that printed it. */
export const TOOL_FILES = Object.freeze({
  link: { file: 'ip-link.json', argv: ['ip', '-j', '-d', 'link', 'show'] },
  addr: { file: 'ip-addr.json', argv: ['ip', '-j', 'addr', 'show'] },
  fdb: { file: 'bridge-fdb.json', argv: ['bridge', '-j', 'fdb', 'show'] },
  vlan: { file: 'bridge-vlan.json', argv: ['bridge', '-j', 'vlan', 'show'] },
});

/** Source MACs sent into the bridge from outside it, so that it learns them on p0 and p1. */
const LEARNED = [
  ['h0', '02:00:00:30:00:01'],
  ['h1', '02:00:00:30:00:02'],
] as const;

/** Runs `command` (words split on spaces) in `ns`; an optional step reports and goes on when it fails. */
async function step(ns: Netns, command: string, optional = false): Promise<boolean> {
  const [cmd, ...args] = command.split(/\s+/);
  const result = await ns.exec(cmd!, args);
  if (result.code === 0) return true;
  const what = `${command}: ${result.stderr.trim()}`;
  if (!optional) throw new Error(what);
  process.stderr.write(`record-netlink: left out (this kernel cannot): ${what}\n`);
  return false;
}

/** Builds the scenario in `ns` (see the file comment). */
async function build(ns: Netns): Promise<void> {
  const run = (command: string) => step(ns, command);
  // The hosts outside the bridge send nothing by themselves, so every learned entry is ours.
  await run('sysctl -qw net.ipv6.conf.default.disable_ipv6=1');
  await run('ip link add br0 address 02:00:00:10:00:01 type bridge stp_state 0');
  await run('sysctl -qw net.ipv6.conf.br0.disable_ipv6=0');
  const filtering = await step(ns, 'ip link set br0 type bridge vlan_filtering 1', true);
  for (const n of [0, 1]) {
    await run(
      `ip link add p${n} address 02:00:00:10:01:0${n} type veth peer name h${n} address 02:00:00:10:01:1${n}`,
    );
    await run(`ip link set p${n} master br0`);
  }
  await run('ip tuntap add mode tap name tap0');
  await run('ip link set tap0 address 02:00:00:10:02:00 master br0');
  await run('ip tuntap add mode tun name tun0');
  if (!(await step(ns, 'ip link add dummy0 type dummy', true))) {
    await run('ip link add ifb0 address 02:00:00:10:04:00 type ifb');
  }
  await run('ip link add link h0 name mv0 address 02:00:00:10:03:00 type macvlan mode bridge');
  await run('ip link add link h1 name mvt0 address 02:00:00:10:03:01 type macvtap');
  await step(ns, 'ip link add link h1 name h1.5 type vlan id 5', true);
  for (const name of ['br0', 'p0', 'p1', 'h0', 'h1', 'tap0']) await run(`ip link set ${name} up`);
  if (filtering) {
    await run('bridge vlan add dev p0 vid 10');
    await run('bridge vlan add dev p0 vid 20 pvid untagged');
    await run('bridge vlan add dev p1 vid 30-33');
    await run('bridge vlan add dev br0 vid 10 self');
  }
  await run('ip addr add 10.10.0.1/24 dev br0');
  await run('ip addr add 10.10.0.2/24 dev br0');
  await run('ip addr add 10.10.1.1/24 dev br0');
  await run('ip addr add 10.10.9.1 peer 10.10.9.2/32 dev tun0');
  await run('ip -6 addr add 2001:db8:10::1/64 dev br0 nodad');
  await run('ip -6 addr add 2001:db8:10::2/64 dev br0 nodad preferred_lft 0');
  await run('sysctl -qw net.ipv6.conf.tap0.disable_ipv6=0');
  await run('sysctl -qw net.ipv6.conf.tun0.disable_ipv6=0');
  // No carrier on tap0 (nobody holds it open): duplicate address detection never starts.
  await run('ip -6 addr add 2001:db8:10::100/64 dev tap0');
  await run('ip -6 addr add 2001:db8:99::1 peer 2001:db8:99::2/128 dev tun0 nodad');
  await run('bridge fdb add 02:00:00:20:00:01 dev p0 master static');
  await run('bridge fdb add 02:00:00:20:00:02 dev p1 master static');
  await run('bridge fdb add 02:00:00:20:00:03 dev tap0 master static');
  await run('bridge fdb add 02:00:00:20:00:04 dev p1 master permanent');
  await run('bridge fdb add 02:00:00:20:00:05 dev p0 master dynamic');
  if (filtering) await run('bridge fdb add 02:00:00:20:00:06 dev p0 master static vlan 10');
}

/** Inside the namespace: sends the frames the bridge learns from, then records dumps and tool output. */
async function record(out: string): Promise<void> {
  for (const [iface, mac] of LEARNED) {
    const link = AfPacketLink.open(iface);
    try {
      for (const frame of arpRequests(parseMac(mac), 1)) link.send(frame);
    } finally {
      await link.close();
    }
  }
  await new Promise((done) => setTimeout(done, 100));
  const dumps = readHostDumps();
  mkdirSync(out, { recursive: true });
  for (const key of Object.keys(DUMP_FILES) as (keyof HostDumps)[]) {
    const datagrams = dumps[key];
    const odd = datagrams.find((datagram) => datagram.length % 4 !== 0);
    if (odd !== undefined)
      throw new Error(`${key}: a ${odd.length}-byte datagram is not 4-aligned`);
    writeFileSync(join(out, DUMP_FILES[key]), Buffer.concat(datagrams));
  }
  for (const { file, argv } of Object.values(TOOL_FILES)) {
    const text = execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
    writeFileSync(join(out, file), `${JSON.stringify(JSON.parse(text), null, 2)}\n`);
  }
}

async function main(argv: readonly string[]): Promise<void> {
  if (argv[0] === '--inside') return record(argv[1]!);
  const out = resolve(argv[0] ?? DEFAULT_OUT);
  await withLab(async (lab) => {
    const ns = await lab.addNamespace('record');
    await build(ns);
    const run = await ns.exec(process.execPath, [SELF, '--inside', out], 30_000);
    process.stderr.write(run.stderr);
    if (run.code !== 0) throw new Error(`recording inside the namespace failed (${run.code})`);
  });
  process.stdout.write(`recorded into ${out}\n`);
}

if (process.argv[1] === SELF) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`record-netlink: ${error instanceof Error ? error.message : error}\n`);
    process.exitCode = 1;
  });
}

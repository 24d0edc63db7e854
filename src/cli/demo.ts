import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { buildFailoverLab, type FailoverLab, HOST, SWITCH } from '../lab/failover.js';
import { netnsAvailability, withLab } from '../lab/netns.js';
import { AsciiWriter } from './ascii-writer.js';
import { Exit, RuntimeError } from './errors.js';
import type { Io } from './io.js';
import { parseWhole } from './values.js';

const BIN = fileURLToPath(new URL('../../../bin/arpkit', import.meta.url));
const PINGS = 3;
const DEMO_MS = 120_000;

const DEMO_HELP = `
The failover (arpkit demo failover), in network namespaces of its own:

  client ── switch (a Linux bridge) ──┬── portA ── upA ──┐
                                      └── portB ── upB   br0 ── guests (veths, one namespace each)

br0 moves from uplink A to uplink B, as when a bond changes its active slave. The switch keeps
sending to portA, where it last saw each guest MAC, and the client's pings are lost; after
\`arpkit announce --guests br0 --iface br0 --uplink upB\` every MAC is on portB and they answer.
Needs root (it creates namespaces); removes everything it made, also on Ctrl-C.`;

/** Adds `arpkit demo` to the program. */
export function registerDemo(program: Command, io: Io, run: { status: number }): void {
  program
    .command('demo')
    .description('see arpkit work in network namespaces of its own (needs root)')
    .command('failover')
    .description('a host bridge moves to another uplink; arpkit announce repairs the switch')
    .option('--guests <n>', 'guests behind the host bridge (1 to 20)', '3')
    .addHelpText('after', DEMO_HELP)
    .action(async (args: { guests: string }) => {
      run.status = await runDemo(parseWhole('--guests', args.guests, 1, 20), io);
    });
}

async function runDemo(guests: number, io: Io): Promise<number> {
  const availability = netnsAvailability();
  if (!availability.ok) {
    throw new RuntimeError(`demo failover builds network namespaces: ${availability.reason}`);
  }
  const out = new AsciiWriter(io.stdout);
  const say = (line = '') => {
    out.text(`${line}\n`);
    out.flush();
  };
  return withLab(async (lab) => {
    say(`Building a switch, a client and a host with ${guests} guests behind its bridge br0...`);
    const failover = await buildFailoverLab(lab, { guests });
    say(`br0 reaches the switch through uplink A (host ${HOST.uplinkA} = switch ${SWITCH.portA}).`);
    say();
    say('Before the failover:');
    await showGuests(failover, say);
    say();
    say(
      `Failover: br0 moves from uplink A to uplink B (${HOST.uplinkB} = switch ${SWITCH.portB}).`,
    );
    await failover.moveToUplinkB();
    await showGuests(failover, say);
    say(`The switch still sends every guest's frames to ${SWITCH.portA}: the pings are lost.`);
    say();
    const command = ['announce', '--guests', 'br0', '--iface', 'br0', '--uplink', 'upB'];
    say(`In the host: arpkit ${command.join(' ')} --rounds 1`);
    const result = await failover.host.exec(process.execPath, [BIN, ...command, '--rounds', '1']);
    for (const line of `${result.stdout}${result.stderr}`.trimEnd().split('\n')) say(`  ${line}`);
    if (result.code !== 0) throw new RuntimeError(`arpkit announce exited ${result.code}`);
    say();
    say('After the announcement:');
    const answered = await showGuests(failover, say);
    say();
    say(`The demo removes its ${guests + 3} namespaces.`);
    return answered === guests * PINGS ? Exit.OK : Exit.FAILURE;
  }, DEMO_MS);
}

/** Prints each guest's switch port and pings; resolves how many pings were answered in all. */
async function showGuests(failover: FailoverLab, say: (line: string) => void): Promise<number> {
  const rows = await Promise.all(
    failover.guests.map(async (guest) => {
      const answered = await failover.ping(guest.ip, PINGS);
      const port = await failover.switchPortOf(guest.mac);
      return { guest, port: port ?? 'no port', answered };
    }),
  );
  for (const { guest, port, answered } of rows) {
    say(
      `  guest ${guest.ip} at ${guest.mac}: the switch's FDB says ${port}; pings answered ${answered}/${PINGS}`,
    );
  }
  return rows.reduce((sum, row) => sum + row.answered, 0);
}

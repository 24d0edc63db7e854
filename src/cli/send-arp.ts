import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseSendArp } from './send-arp-args.js';
import { describeFsError } from '../io/fs-error.js';
import { Exit, RuntimeError } from './errors.js';
import type { Io } from './io.js';
import type { Link } from '../link/link.js';

const HELP = `
A drop-in for the two historical send_arp programs; the syntax is told apart by the first
argument (an IPv4 address: the fake package's; an option or a device: resource-agents').

  arpkit send-arp SRC_IP SRC_MAC TARGET_IP TARGET_MAC [IFACE [ETH_SRC [ETH_DST]] [request|reply]]
      The fake package (Horms; send_arp by Yuri Volobuev). One ARP frame with exactly these
      sender and target fields; Ethernet source ETH_SRC or SRC_MAC, destination ETH_DST or
      TARGET_MAC; a request unless "reply"; interface eth0 unless given. MACs with or without
      colons. The classic failover line teaches switches a (guest) MAC and binds no IP:
        arpkit send-arp 0.0.0.0 52:54:00:aa:bb:01 0.0.0.0 ff:ff:ff:ff:ff:ff bond0

  arpkit send-arp [-i INTERVAL_MS] [-r COUNT] [-p PIDFILE] DEVICE SRC_IP SRC_MAC BROADCAST_IP NETMASK
      ClusterLabs resource-agents (IPaddr2's libnet send_arp). COUNT times (default 1), a
      gratuitous request for SRC_IP (THA 00:00:00:00:00:00) and, half an interval later
      (INTERVAL_MS default 1000), a gratuitous reply (THA = SRC_MAC), from the device's own MAC
      to broadcast; SRC_MAC "auto" is the device's MAC. PIDFILE holds our pid while sending.
      BROADCAST_IP and NETMASK are not used, as in the original. SIGTERM ends the run with
      exit 0, and a previous sender under the same PIDFILE is stopped, as the original does.
        arpkit send-arp -i 200 -r 5 eth0 192.0.2.10 auto 192.0.2.255 255.255.255.0

Exit status: 0 when every frame was sent, 1 when sending failed, 2 for a usage error.`;

/** Adds `arpkit send-arp` to the program. */
export function registerSendArp(program: Command, io: Io, run: { status: number }): void {
  program
    .command('send-arp')
    .description('drop-in for send_arp (fake and resource-agents syntaxes)')
    .argument('[args...]', 'the send_arp command line (see below)')
    .allowUnknownOption()
    .helpOption('--help', 'display help for command')
    .addHelpText('after', HELP)
    .action(async (args: string[]) => {
      run.status = await runSendArp(args, io);
    });
}

/** Runs `arpkit send-arp`; returns the exit status. */
export async function runSendArp(args: readonly string[], io: Io): Promise<number> {
  const plan = parseSendArp(args);
  const frames = plan.frames(await io.links.interfaceMac(plan.iface));
  // As the resource-agents original (its `byebye`): SIGTERM ends the run with success, since
  // IPaddr2 stops a sender that way.
  const stop = new AbortController();
  const terminate = () => stop.abort();
  process.once('SIGTERM', terminate);
  let link: Link | undefined;
  try {
    link = await io.links.open(plan.iface);
    if (plan.pidfile !== undefined) takePidfile(plan.pidfile);
    const start = io.clock.now();
    for (const { atMs, frame } of frames) {
      await io.clock.sleep(start + atMs - io.clock.now(), stop.signal);
      if (stop.signal.aborted) break;
      link.send(frame);
    }
    return Exit.OK;
  } finally {
    process.removeListener('SIGTERM', terminate);
    await link?.close();
    if (plan.pidfile !== undefined) releasePidfile(plan.pidfile);
  }
}

/**
 * Writes our pid to `path`. As the original, a sender still running under that pidfile (a
 * previous announcement for the same address) is killed first.
 */
function takePidfile(path: string): void {
  const previous = pidIn(path);
  if (previous !== undefined && previous !== process.pid) {
    try {
      process.kill(previous, 'SIGKILL');
    } catch {
      // Already gone: nothing to stop.
    }
  }
  try {
    writeFileSync(path, `${process.pid}\n`);
  } catch (error) {
    throw new RuntimeError(`-p: cannot write the pidfile "${path}": ${describeFsError(error)}`);
  }
}

/** Removes `path` if it still names us (a newer sender may have taken it over). */
function releasePidfile(path: string): void {
  if (pidIn(path) === process.pid) rmSync(path, { force: true });
}

function pidIn(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

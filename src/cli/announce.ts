import { type Command, Option } from 'commander';
import { type AnnounceOutcome, type LinkOutcome, runAnnouncement } from '../announce/announcer.js';
import { type AnnouncePlan, PlanError, planAnnouncement } from '../announce/plan.js';
import type { Link } from '../link/link.js';
import { PcapLink } from '../link/pcap-link.js';
import {
  addSelectors,
  type AnnounceArgs,
  announceOptions,
  DEFAULT_SPACING_MS,
  rateOf,
  scheduleOf,
} from './announce-args.js';
import { AnnounceReport, countByEgress, secondsText } from './announce-report.js';
import { AsciiWriter } from './ascii-writer.js';
import { Exit, RuntimeError, UsageError } from './errors.js';
import type { Io } from './io.js';

const ANNOUNCE_HELP = `
What is announced (selectors combine; at least one is needed):
  --iface IF      that link's MAC and its addresses
  --all           every link with a MAC of its own that uses ARP (not lo, not NOARP)
  --guests [BR]   every MAC bridge BR (bare: every bridge) has learned or holds as static on a
                  port that is not an uplink (the guests: taps, VIFs, veths), sent out of the
                  bridge's uplinks with the guest's MAC as Ethernet source
  --ip ADDR       an address of this host (a VIP), from the link it is configured on

What is sent, from the link each MAC lives behind (a bond's slave sends on the bond, a bridge
and its ports on the bridge's uplinks: physical, bond, team, vlan or vxlan ports, or --uplink):
  each IPv4 address   an ARP request and an ARP reply, SPA = TPA = the address (some peers
                      honour only one of the two; RFC 5944 section 4.6)
  each IPv6 address   an unsolicited Neighbor Advertisement, O flag, to ff02::1 (RFC 4861 7.2.6)
  a MAC without one   a RARP frame, as QEMU, VMware and OVS announce a guest (RFC 903), or with
                      --mac-frame learn the classic send_arp 0.0.0.0 MAC 0.0.0.0 ff:ff:ff:ff:ff:ff

Every round sends all of it. Rounds start at 0, 1.1s and 5s by default: Linux ignores a second
update of a neighbour within its locktime (1 s), so repeats closer than that do not count. Each
link is paced at --rate frames a second, so a hypervisor with thousands of guests does not trip a
switch's ARP policer; a round that outlasts the gap to the next delays it.

Examples:
  arpkit announce --all --guests                     # after a failover: the host and its guests
  arpkit announce --guests br0 --uplink bond0 --dry-run
  arpkit announce --ip 192.0.2.10 --schedule 0,1.1s,5s,15s
  arpkit announce --iface eth0 --rounds 1 --pcap announce.pcap

Exit status: 0 when every frame was sent, 1 when any send failed (named in the output), 2 for a
usage error (an address this host does not have is refused without --force).`;

/** Adds `arpkit announce` to the program. */
export function registerAnnounce(program: Command, io: Io, run: { status: number }): void {
  const command = program
    .command('announce')
    .description(
      'announce every MAC and address of this host and of the guests behind its bridges',
    );
  addSelectors(command)
    .addOption(
      new Option('--mac-frame <kind>', 'the frame for a MAC without an address')
        .choices(['rarp', 'learn'])
        .default('rarp'),
    )
    .option('--force', 'announce an --ip this host does not have (it takes it from its owner)')
    .option('--schedule <list>', 'when each round starts (default 0,1.1s,5s)')
    .option('--rounds <n>', 'this many rounds (default 3)…')
    .option('--spacing <duration>', `…this far apart (default ${secondsText(DEFAULT_SPACING_MS)})`)
    .option('--rate <pps>', 'frames a second on each link; 0 sends unpaced', '1000')
    .option('--dry-run', 'print the plan, one line per frame and round; send nothing')
    .option('--json', 'JSON lines: one per frame (planned or sent), then a summary')
    .option(
      '--pcap <file>',
      'write the frames to a pcap file instead of the wire (with --dry-run: at once, no waiting)',
    )
    .addHelpText('after', ANNOUNCE_HELP)
    .action(async (args: AnnounceArgs) => {
      run.status = await runAnnounce(args, io);
    });
}

/** Runs `arpkit announce`; returns the exit status. */
async function runAnnounce(args: AnnounceArgs, io: Io): Promise<number> {
  const options = announceOptions(args);
  const offsetsMs = scheduleOf(args);
  const rate = rateOf(args);
  let plan: AnnouncePlan;
  const started = io.clock.now();
  const host = await io.host();
  const read = io.clock.now();
  try {
    plan = planAnnouncement(host, options);
  } catch (error) {
    if (error instanceof PlanError) throw new UsageError(error.message);
    throw error;
  }
  const timings = { hostMs: read - started, planMs: io.clock.now() - read };
  for (const note of plan.skipped) io.stderr.write(`arpkit: skipped: ${note}\n`);
  const report = new AnnounceReport(new AsciiWriter(io.stdout), args.json === true);
  if (args.dryRun) {
    offsetsMs.forEach((offset, round) => {
      for (const frame of plan.frames) report.planned(frame, round, offset);
    });
    if (args.pcap !== undefined) await writePlan(args.pcap, plan, offsetsMs.length, io);
    report.planSummary(plan, offsetsMs);
    return Exit.OK;
  }
  const perRound = countByEgress(plan.frames);
  const { links, failures } = await openLinks(args, io, [...perRound.keys()]);
  try {
    const done = new Map<string, number>();
    const sending = io.clock.now();
    const outcome = await runAnnouncement({
      plan: { ...plan, frames: plan.frames.filter((frame) => links.has(frame.egress)) },
      offsetsMs,
      rate,
      clock: io.clock,
      links,
      onBatch: (batch) => {
        report.sent(batch.frames, batch.round, batch.timeMs);
        const key = `${batch.egress} ${batch.round}`;
        const count = (done.get(key) ?? 0) + batch.frames.length;
        done.set(key, count);
        if (count === perRound.get(batch.egress)) {
          const at = batch.timeMs - sending;
          report.roundDone(batch.egress, batch.round, offsetsMs.length, count, at);
        }
      },
      onFailure: (failure) => {
        io.stderr.write(
          `arpkit: ${failure.egress}: round ${failure.round + 1}: ${failure.frames.length} frames not sent: ${failure.message}\n`,
        );
      },
    });
    const all = withUnopened(outcome, failures, perRound, offsetsMs.length);
    report.runSummary(plan, offsetsMs, all, timings);
    return all.links.some((link) => link.failed > 0) ? Exit.FAILURE : Exit.OK;
  } finally {
    await Promise.all([...new Set(links.values())].map((link) => link.close()));
  }
}

/** The open links by egress name, and why the others could not be opened. */
interface OpenLinks {
  readonly links: Map<string, Link>;
  readonly failures: Map<string, string>;
}

/**
 * Opens the egress links `names`, or one pcap file that takes them all. A link that cannot be
 * opened (down, no carrier, no privilege) is reported and the others still announce.
 */
async function openLinks(args: AnnounceArgs, io: Io, names: readonly string[]): Promise<OpenLinks> {
  const links = new Map<string, Link>();
  const failures = new Map<string, string>();
  if (args.pcap !== undefined) {
    const file = await PcapLink.create(args.pcap, io.clock);
    for (const name of names) links.set(name, file);
    return { links, failures };
  }
  for (const name of names) {
    try {
      links.set(name, await io.links.open(name));
    } catch (error) {
      if (!(error instanceof RuntimeError)) {
        await Promise.all([...links.values()].map((link) => link.close()));
        throw error;
      }
      failures.set(name, error.message);
      io.stderr.write(`arpkit: ${error.message}\n`);
    }
  }
  return { links, failures };
}

/** `--dry-run --pcap FILE`: every round's frames into the capture at once, no waiting. */
async function writePlan(path: string, plan: AnnouncePlan, rounds: number, io: Io): Promise<void> {
  const file = await PcapLink.create(path, io.clock);
  try {
    const frames = plan.frames.map((planned) => planned.frame);
    for (let round = 0; round < rounds; round++) file.sendBatch(frames);
  } finally {
    await file.close();
  }
}

/** The outcome with the links that could not be opened counted as failed, every frame of theirs. */
function withUnopened(
  outcome: AnnounceOutcome,
  failures: ReadonlyMap<string, string>,
  perRound: ReadonlyMap<string, number>,
  rounds: number,
): AnnounceOutcome {
  const unopened: LinkOutcome[] = [...failures].map(([egress, error]) => ({
    egress,
    sent: 0,
    failed: (perRound.get(egress) ?? 0) * rounds,
    error,
  }));
  return { ...outcome, links: [...outcome.links, ...unopened] };
}

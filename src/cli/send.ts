import { type Command, Option } from 'commander';
import { probe } from '../announce/probe.js';
import { SEND_KINDS, type SendKind, type SendSpec, sendFrame } from '../announce/send-frame.js';
import type { Link } from '../link/link.js';
import { PcapLink } from '../link/pcap-link.js';
import { formatIpv4, type Ipv4, parseIpv4 } from '../wire/ipv4.js';
import { type Ipv6, parseIpv6 } from '../wire/ipv6.js';
import { formatMac, type Mac, parseMac, parseMacOrAuto } from '../wire/mac.js';
import { AsciiWriter } from './ascii-writer.js';
import { Exit, UsageError } from './errors.js';
import type { Io } from './io.js';
import { SentReport } from './sent-report.js';
import { collect, parseAddress, parseDuration, parseVlans, parseWhole } from './values.js';

/** `arpkit send` options as commander hands them over (strings, unvalidated). */
interface SendArgs {
  readonly iface: string;
  readonly kind: SendKind;
  readonly ip?: string;
  readonly mac?: string;
  readonly ethSrc?: string;
  readonly ethDst?: string;
  readonly targetIp?: string;
  readonly targetMac?: string;
  readonly vlan: string[];
  readonly count?: string;
  readonly interval?: string;
  readonly wait?: string;
  readonly router?: boolean;
  readonly json?: boolean;
  readonly dryRun?: boolean;
  readonly pcap?: string;
}

const KINDS_HELP = `
Kinds (what failover tools send):
  learn     ARP request SPA = TPA = 0.0.0.0, THA ff:ff:ff:ff:ff:ff, from the MAC: teaches
            switches the MAC, binds no IP (send_arp 0.0.0.0 $mac 0.0.0.0 ff:ff:ff:ff:ff:ff)
  announce  RFC 5227 announcement: request, SPA = TPA = --ip, THA 00:00:00:00:00:00
  request   as arping -U: request, SPA = TPA = --ip, THA ff:ff:ff:ff:ff:ff
  reply     as arping -A: reply, SPA = TPA = --ip, THA = SHA
  rarp      RFC 903 request reverse, SHA = THA = the MAC (as QEMU, VMware and OVS announce a guest)
  na        unsolicited Neighbor Advertisement for --ip (IPv6) to ff02::1, hop limit 255, O flag
  probe     RFC 5227 probe for --ip; listens --wait after the last one and exits 1 naming the MAC
            of a host that claims the address (as arping -D)

Examples:
  arpkit send --iface bond0 --kind learn --mac 52:54:00:aa:bb:01
  arpkit send --iface eth0 --kind announce --ip 192.0.2.10 --count 3 --interval 1.1s
  arpkit send --iface eth0 --kind na --ip 2001:db8::10 --vlan 100
  arpkit send --iface eth0 --kind probe --ip 192.0.2.77
  arpkit send --iface eth0 --kind rarp --mac 52:54:00:aa:bb:02 --dry-run --pcap out.pcap

Exit status: 0 when every frame was sent (no reply is expected from an announcement), 1 when a
send failed or (probe) the address is in use, 2 for a usage error.`;

/** Adds `arpkit send` to the program. */
export function registerSend(program: Command, io: Io, run: { status: number }): void {
  program
    .command('send')
    .description('send ARP, RARP or IPv6 ND frames that announce where a MAC and an address live')
    .requiredOption('--iface <if>', 'the interface to send on')
    .addOption(
      new Option('--kind <kind>', 'what to send (see below)')
        .choices(SEND_KINDS)
        .makeOptionMandatory(),
    )
    .option('--ip <addr>', 'the address announced (IPv4; IPv6 for na)')
    .option('--mac <mac>', 'the MAC announced (default: the interface\'s; "auto" is the same)')
    .option('--eth-src <mac>', 'Ethernet source (default: the MAC)')
    .option(
      '--eth-dst <mac>',
      'Ethernet destination (default: broadcast; 33:33:00:00:00:01 for na)',
    )
    .option('--target-ip <addr>', 'ARP target / NA target address (default: by kind)')
    .option('--target-mac <mac>', 'ARP target hardware address (default: by kind)')
    .option('--vlan <vid[:pcp]>', 'an 802.1Q tag; twice for QinQ (outer first)', collect, [])
    .option('--count <n>', 'frames to send (default 1; probe 3)')
    .option('--interval <duration>', 'time between frames (default 1s)')
    .option('--wait <duration>', 'probe: listen this long after the last probe (default 2s)')
    .option('--router', 'na: set the R (router) flag')
    .option('--json', 'one JSON object per frame sent')
    .option('--dry-run', 'print the frames, send nothing')
    .option('--pcap <file>', 'write the frames to a pcap file instead of the wire')
    .addHelpText('after', KINDS_HELP)
    .action(async (args: SendArgs) => {
      run.status = await runSend(args, io);
    });
}

/**
 * Validates the options into the frame to send; every error names its option. The interface is
 * asked for its MAC last, so a usage error is reported as one even for a missing interface.
 */
async function specOf(args: SendArgs, interfaceMac: () => Promise<Mac>): Promise<SendSpec> {
  const requested =
    args.mac === undefined ? 'auto' : parseAddress('--mac', args.mac, parseMacOrAuto);
  const macOf = async () => (requested === 'auto' ? interfaceMac() : requested);
  const common = {
    vlans: parseVlans(args.vlan),
    ...(args.ethSrc === undefined
      ? {}
      : { ethSrc: parseAddress('--eth-src', args.ethSrc, parseMac) }),
    ...(args.ethDst === undefined
      ? {}
      : { ethDst: parseAddress('--eth-dst', args.ethDst, parseMac) }),
    ...(args.targetMac === undefined
      ? {}
      : { targetMac: parseAddress('--target-mac', args.targetMac, parseMac) }),
  };
  if (args.router && args.kind !== 'na') {
    throw new UsageError('--router: only --kind na has an R flag');
  }
  if (args.targetMac !== undefined && args.kind === 'na') {
    throw new UsageError(
      '--target-mac: --kind na carries the MAC as its target link-layer address (--mac)',
    );
  }
  if (args.kind === 'na') {
    if (args.ip === undefined)
      throw new UsageError('--ip: --kind na needs the IPv6 address to announce');
    const ip: Ipv6 = parseAddress('--ip', args.ip, parseIpv6);
    const targetIp =
      args.targetIp === undefined ? ip : parseAddress('--target-ip', args.targetIp, parseIpv6);
    return {
      ...common,
      mac: await macOf(),
      kind: 'na',
      ip,
      targetIp,
      router: args.router === true,
    };
  }
  const needsIp = args.kind !== 'learn' && args.kind !== 'rarp';
  if (needsIp && args.ip === undefined) {
    throw new UsageError(`--ip: --kind ${args.kind} needs the IPv4 address to announce`);
  }
  if (!needsIp && args.ip !== undefined) {
    throw new UsageError(
      `--ip: --kind ${args.kind} binds no address (use announce, request or reply)`,
    );
  }
  const ip: Ipv4 | undefined =
    args.ip === undefined ? undefined : parseAddress('--ip', args.ip, parseIpv4);
  const targetIp =
    args.targetIp === undefined ? undefined : parseAddress('--target-ip', args.targetIp, parseIpv4);
  return {
    ...common,
    mac: await macOf(),
    kind: args.kind,
    ...(ip === undefined ? {} : { ip }),
    ...(targetIp === undefined ? {} : { targetIp }),
  };
}

/** Runs `arpkit send`; returns the exit status. */
export async function runSend(args: SendArgs, io: Io): Promise<number> {
  const probing = args.kind === 'probe';
  if (probing && (args.dryRun || args.pcap !== undefined)) {
    throw new UsageError(
      `${args.dryRun ? '--dry-run' : '--pcap'}: --kind probe listens for an owner on the wire; it cannot be a dry run`,
    );
  }
  const count =
    args.count === undefined ? (probing ? 3 : 1) : parseWhole('--count', args.count, 1, 1_000_000);
  const intervalMs =
    args.interval === undefined ? 1000 : parseDuration('--interval', args.interval);
  const waitMs = args.wait === undefined ? 2000 : parseDuration('--wait', args.wait);
  const spec = await specOf(args, () => io.links.interfaceMac(args.iface));
  const out = new AsciiWriter(io.stdout);
  const sent = new SentReport(out, args.iface, spec.kind, args.json === true);
  const report = (number: number, frame: Uint8Array) => sent.sent(number, frame, io.clock.now());
  const frame = sendFrame(spec);
  const link = await openLink(args, io);
  try {
    if (link !== undefined && spec.kind === 'probe' && spec.ip !== undefined) {
      const owner = await probe(link, io.clock, {
        frame,
        mac: spec.mac,
        ip: spec.ip,
        count,
        intervalMs,
        waitMs,
        onSent: report,
      });
      return probeResult(out, spec.ip, owner, args.json === true);
    }
    for (let i = 1; i <= count; i++) {
      link?.send(frame);
      report(i, frame);
      if (i < count) await io.clock.sleep(intervalMs);
    }
    return Exit.OK;
  } finally {
    await link?.close();
  }
}

/** The link frames go to: a pcap file, nothing at all (`--dry-run`), or the interface. */
async function openLink(args: SendArgs, io: Io): Promise<Link | undefined> {
  if (args.pcap !== undefined) return PcapLink.create(args.pcap, io.clock);
  return args.dryRun ? undefined : io.links.open(args.iface);
}

function probeResult(out: AsciiWriter, ip: Ipv4, owner: Mac | undefined, json: boolean): number {
  const address = formatIpv4(ip);
  if (json) {
    out.text(
      `${JSON.stringify({ probe: address, inUse: owner !== undefined, by: owner === undefined ? null : formatMac(owner) })}\n`,
    );
  } else {
    out.text(
      owner === undefined
        ? `${address}: no reply, the address is free\n`
        : `${address}: in use by ${formatMac(owner)}\n`,
    );
  }
  out.flush();
  return owner === undefined ? Exit.OK : Exit.FAILURE;
}

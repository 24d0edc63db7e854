import { sendFrame } from '../announce/send-frame.js';
import { ArpOp, type ArpRepr } from '../wire/arp.js';
import { arpFrame } from '../wire/compose.js';
import { type Ipv4, parseIpv4 } from '../wire/ipv4.js';
import { type Mac, parseMac, parseMacOrAuto } from '../wire/mac.js';
import { UsageError } from './errors.js';
import { parseAddress, parseWhole } from './values.js';

/** One frame of a `send_arp` run and when to send it, in milliseconds from the start. */
export interface TimedFrame {
  readonly atMs: number;
  readonly frame: Uint8Array;
}

/** What a `send_arp` command line asks for, once the device's own MAC is known. */
export interface SendArpPlan {
  /** Which program's syntax the arguments were in. */
  readonly syntax: 'fake' | 'resource-agents';
  readonly iface: string;
  /** resource-agents `-p`: written with our pid while sending, removed at the end. */
  readonly pidfile: string | undefined;
  /** The frames to send; `deviceMac` is the interface's own MAC (resource-agents uses it). */
  frames(deviceMac: Mac): TimedFrame[];
}

const FAKE_USAGE =
  'send_arp SRC_IP SRC_MAC TARGET_IP TARGET_MAC [IFACE [ETH_SRC [ETH_DST]] [request|reply]]';
const RA_USAGE =
  'send_arp [-i INTERVAL_MS] [-r COUNT] [-p PIDFILE] DEVICE SRC_IP SRC_MAC BROADCAST_IP NETMASK';

/**
 * Reads either historical `send_arp` command line. The two are told apart by their first
 * argument: an IPv4 address starts the `fake` package's form, an option or a device name the
 * ClusterLabs resource-agents form.
 */
export function parseSendArp(args: readonly string[]): SendArpPlan {
  if (args.length === 0) {
    throw new UsageError(`send-arp: missing arguments; usage: ${FAKE_USAGE} | ${RA_USAGE}`);
  }
  return isIpv4(args[0]!) ? parseFake(args) : parseResourceAgents(args);
}

function isIpv4(text: string): boolean {
  try {
    parseIpv4(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The `fake` package (Horms; send_arp by Yuri Volobuev, layer-2 patch by Patrick Koppen): one
 * frame, SHA/SPA/THA/TPA as given, Ethernet source = ETH_SRC or SRC_MAC, destination = ETH_DST
 * or TARGET_MAC, a request unless `reply` is given; the interface defaults to eth0.
 */
function parseFake(args: readonly string[]): SendArpPlan {
  const rest = [...args];
  let op: number = ArpOp.REQUEST;
  const last = rest.at(-1);
  if (rest.length > 4 && (last === 'request' || last === 'reply')) {
    op = last === 'reply' ? ArpOp.REPLY : ArpOp.REQUEST;
    rest.pop();
  }
  if (rest.length < 4 || rest.length > 7) {
    throw new UsageError(`send-arp: expected 4 to 8 arguments; usage: ${FAKE_USAGE}`);
  }
  const [srcIp, srcMac, targetIp, targetMac, iface = 'eth0', ethSrc, ethDst] = rest as [
    string,
    string,
    string,
    string,
    string | undefined,
    string | undefined,
    string | undefined,
  ];
  const arp: ArpRepr = {
    op,
    senderIp: parseAddress('send-arp: SRC_IP', srcIp, parseIpv4),
    senderMac: parseAddress('send-arp: SRC_MAC', srcMac, parseMac),
    targetIp: parseAddress('send-arp: TARGET_IP', targetIp, parseIpv4),
    targetMac: parseAddress('send-arp: TARGET_MAC', targetMac, parseMac),
  };
  const source =
    ethSrc === undefined ? arp.senderMac : parseAddress('send-arp: ETH_SRC', ethSrc, parseMac);
  const destination =
    ethDst === undefined ? arp.targetMac : parseAddress('send-arp: ETH_DST', ethDst, parseMac);
  const frame = arpFrame({ destination, source, vlans: [] }, arp);
  return {
    syntax: 'fake',
    iface,
    pidfile: undefined,
    frames: () => [{ atMs: 0, frame }],
  };
}

/**
 * ClusterLabs resource-agents' libnet `send_arp`: COUNT times, a request (THA 00:…) and then
 * half an interval later a reply (THA = the MAC), both gratuitous for SRC_IP, from the device's
 * own MAC to broadcast; SRC_MAC (`auto` = the device's) goes in the ARP sender field only.
 * BROADCAST_IP and NETMASK are not used, as in the original (IPaddr2 passes `not_used`).
 */
function parseResourceAgents(args: readonly string[]): SendArpPlan {
  let intervalMs = 1000;
  let count = 1;
  let pidfile: string | undefined;
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-i' || arg === '-r' || arg === '-p') {
      const value = args[++i];
      if (value === undefined) throw new UsageError(`send-arp: ${arg} needs a value`);
      if (arg === '-p') pidfile = value;
      else if (arg === '-i') intervalMs = parseWhole('send-arp: -i', value, 0, 3_600_000);
      else count = parseWhole('send-arp: -r', value, 1, 1_000_000);
    } else if (arg.startsWith('-') && arg !== '-') {
      throw new UsageError(`send-arp: unknown option "${arg}"; usage: ${RA_USAGE}`);
    } else {
      positional.push(arg);
    }
  }
  if (positional.length !== 5) {
    throw new UsageError(
      `send-arp: expected 5 arguments after the options, got ${positional.length}; usage: ${RA_USAGE}`,
    );
  }
  const [iface, srcIp, srcMac] = positional as [string, string, string];
  const ip: Ipv4 = parseAddress('send-arp: SRC_IP', srcIp, parseIpv4);
  const mac = parseAddress('send-arp: SRC_MAC', srcMac, parseMacOrAuto);
  return {
    syntax: 'resource-agents',
    iface,
    pidfile,
    frames(deviceMac) {
      // The announce and reply of `arpkit send`, with the device's MAC as Ethernet source.
      const sender = { mac: mac === 'auto' ? deviceMac : mac, ip, ethSrc: deviceMac };
      const request = sendFrame({ kind: 'announce', ...sender });
      const reply = sendFrame({ kind: 'reply', ...sender });
      const frames: TimedFrame[] = [];
      for (let round = 0; round < count; round++) {
        frames.push({ atMs: round * intervalMs, frame: request });
        frames.push({ atMs: round * intervalMs + intervalMs / 2, frame: reply });
      }
      return frames;
    },
  };
}

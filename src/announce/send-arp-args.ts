import { ArpOp, type ArpRepr } from '../wire/arp.js';
import { AddressParseError } from '../wire/address-error.js';
import { arpFrame } from '../wire/compose.js';
import { type Ipv4, parseIpv4 } from '../wire/ipv4.js';
import { MAC_BROADCAST, MAC_ZERO, type Mac, parseMac, parseMacOrAuto } from '../wire/mac.js';

/** A `send_arp` command line that cannot be understood; the message names the argument. */
export class SendArpUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SendArpUsageError';
  }
}

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
    throw new SendArpUsageError(`send-arp: missing arguments; usage: ${FAKE_USAGE} | ${RA_USAGE}`);
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

/** Runs a parser, turning an address error into a usage error naming the argument. */
function argument<T>(name: string, text: string, parse: (text: string) => T): T {
  try {
    return parse(text);
  } catch (error) {
    if (error instanceof AddressParseError) {
      throw new SendArpUsageError(`send-arp: ${name}: ${error.message}`);
    }
    throw error;
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
    throw new SendArpUsageError(`send-arp: expected 4 to 8 arguments; usage: ${FAKE_USAGE}`);
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
    senderIp: argument('SRC_IP', srcIp, parseIpv4),
    senderMac: argument('SRC_MAC', srcMac, parseMac),
    targetIp: argument('TARGET_IP', targetIp, parseIpv4),
    targetMac: argument('TARGET_MAC', targetMac, parseMac),
  };
  const source = ethSrc === undefined ? arp.senderMac : argument('ETH_SRC', ethSrc, parseMac);
  const destination = ethDst === undefined ? arp.targetMac : argument('ETH_DST', ethDst, parseMac);
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
 * BROADCAST_IP and NETMASK are read for compatibility and not used, as in the original.
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
      if (value === undefined) throw new SendArpUsageError(`send-arp: ${arg} needs a value`);
      if (arg === '-p') pidfile = value;
      else if (arg === '-i') intervalMs = whole('-i', value, 'milliseconds', 0);
      else count = whole('-r', value, 'a repeat count', 1);
    } else if (arg.startsWith('-') && arg !== '-') {
      throw new SendArpUsageError(`send-arp: unknown option "${arg}"; usage: ${RA_USAGE}`);
    } else {
      positional.push(arg);
    }
  }
  if (positional.length !== 5) {
    throw new SendArpUsageError(
      `send-arp: expected 5 arguments after the options, got ${positional.length}; usage: ${RA_USAGE}`,
    );
  }
  const [iface, srcIp, srcMac, broadcast, netmask] = positional as [
    string,
    string,
    string,
    string,
    string,
  ];
  const ip: Ipv4 = argument('SRC_IP', srcIp, parseIpv4);
  const mac = argument('SRC_MAC', srcMac, parseMacOrAuto);
  argument('BROADCAST_IP', broadcast, parseIpv4);
  argument('NETMASK', netmask, parseIpv4);
  return {
    syntax: 'resource-agents',
    iface,
    pidfile,
    frames(deviceMac) {
      const senderMac = mac === 'auto' ? deviceMac : mac;
      const link = { destination: MAC_BROADCAST, source: deviceMac, vlans: [] };
      const request = arpFrame(link, {
        op: ArpOp.REQUEST,
        senderMac,
        senderIp: ip,
        targetMac: MAC_ZERO,
        targetIp: ip,
      });
      const reply = arpFrame(link, {
        op: ArpOp.REPLY,
        senderMac,
        senderIp: ip,
        targetMac: senderMac,
        targetIp: ip,
      });
      const frames: TimedFrame[] = [];
      for (let round = 0; round < count; round++) {
        frames.push({ atMs: round * intervalMs, frame: request });
        frames.push({ atMs: round * intervalMs + intervalMs / 2, frame: reply });
      }
      return frames;
    },
  };
}

function whole(option: string, text: string, what: string, min: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || !Number.isSafeInteger(value)) {
    throw new SendArpUsageError(
      `send-arp: ${option}: "${text}" is not ${what} (a whole number ≥ ${min})`,
    );
  }
  return value;
}

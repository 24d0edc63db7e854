/**
 * Helpers for the AF_PACKET tests and bench (never imported by the library): frames of every
 * kind the filter must tell apart, built with wire/compose, and a client for the fixture script
 * (`link-fixture.ts`) that opens an AfPacketLink inside a lab namespace, where raw sockets must
 * be created for their traffic to stay there.
 */
import { fileURLToPath } from 'node:url';
import { arpFrame, emitLink, type LinkRepr, linkBufferLen } from '../wire/compose.js';
import { EtherType } from '../wire/ethertype.js';
import { parseIpv4 } from '../wire/ipv4.js';
import { IPV6_ALL_NODES, parseIpv6, solicitedNodeIpv6 } from '../wire/ipv6.js';
import { emitIpv6Packet, IPV6_HEADER_LEN, IpNextHeader, Ipv6Packet } from '../wire/ipv6-header.js';
import { MAC_BROADCAST, type Mac, parseMac } from '../wire/mac.js';
import {
  emitNdPacket,
  ipv6MulticastMac,
  ndPacketBufferLen,
  unsolicitedNa,
} from '../wire/nd-packet.js';
import type { NdpRepr } from '../wire/ndp.js';
import { rarpAnnouncement } from '../wire/rarp.js';
import type { VlanRepr } from '../wire/vlan.js';
import type { Lab, Netns } from './netns.js';

/** The kinds of frame the tests send: the first four pass the ARP/ND filter, the rest do not. */
export type FrameKind = 'arp' | 'rarp' | 'ns' | 'na' | 'ipv4' | 'ipv6-tcp' | 'icmpv6-echo';

/** Every kind, the ones the filter accepts first. */
export const FRAME_KINDS: readonly FrameKind[] = [
  'arp',
  'rarp',
  'ns',
  'na',
  'ipv4',
  'ipv6-tcp',
  'icmpv6-echo',
];

/** True for the kinds the ARP/ND filter lets through. */
export function filterAccepts(kind: FrameKind): boolean {
  return kind === 'arp' || kind === 'rarp' || kind === 'ns' || kind === 'na';
}

const SOURCE_IP = parseIpv6('fe80::1');
const TARGET_IP = parseIpv6('fe80::2');
/** ICMPv6 Echo Request type (RFC 4443 §4.1). */
const ECHO_REQUEST = 128;
/** TCP's protocol number (IANA). */
const TCP = 6;

/** A frame of `kind` from `source` with `vlans` (outermost first), padded to 60 bytes. */
export function frameOf(
  kind: FrameKind,
  source: Mac,
  vlans: readonly VlanRepr[] = [],
  destination: Mac = MAC_BROADCAST,
): Uint8Array {
  const link: LinkRepr = { destination, source, vlans };
  switch (kind) {
    case 'arp':
      return arpFrame(link, {
        op: 1,
        senderMac: source,
        senderIp: parseIpv4('10.77.0.1'),
        targetMac: parseMac('00:00:00:00:00:00'),
        targetIp: parseIpv4('10.77.0.2'),
      });
    case 'rarp':
      return arpFrame(link, rarpAnnouncement(source), EtherType.RARP);
    case 'ns':
      return ndFrame(
        { ...link, destination: ipv6MulticastMac(solicitedNodeIpv6(TARGET_IP)) },
        {
          type: 'ns',
          target: TARGET_IP,
          sourceLla: source,
        },
      );
    case 'na': {
      const na = unsolicitedNa({ source: SOURCE_IP, target: SOURCE_IP, mac: source });
      return ndFrame({ ...link, destination: ipv6MulticastMac(IPV6_ALL_NODES) }, na.nd);
    }
    case 'ipv4': {
      const bytes = new Uint8Array(linkBufferLen(link, 20));
      const at = emitLink(link, EtherType.IPV4, 20, bytes);
      // A bare IPv4 header (RFC 791 §3.1), UDP, 10.77.0.1 → 10.77.0.2.
      bytes.set([0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 10, 77, 0, 1, 10, 77, 0, 2], at);
      return bytes;
    }
    case 'ipv6-tcp':
      return ipv6Frame(link, TCP, new Uint8Array(20));
    case 'icmpv6-echo':
      return ipv6Frame(link, IpNextHeader.ICMPV6, Uint8Array.of(ECHO_REQUEST, 0, 0, 0, 0, 1, 0, 1));
  }
}

/** `count` ARP requests from `source`, each for a different target address (10.78.1.0 on). */
export function arpRequests(source: Mac, count: number): Uint8Array[] {
  return Array.from({ length: count }, (_, i) =>
    arpFrame(
      { destination: MAC_BROADCAST, source, vlans: [] },
      {
        op: 1,
        senderMac: source,
        senderIp: parseIpv4('10.78.0.1'),
        targetMac: parseMac('00:00:00:00:00:00'),
        targetIp: parseIpv4(`10.78.${1 + (i >> 8)}.${i & 0xff}`),
      },
    ),
  );
}

function ndFrame(link: LinkRepr, nd: NdpRepr): Uint8Array {
  const length = ndPacketBufferLen(nd);
  const bytes = new Uint8Array(linkBufferLen(link, length));
  const at = emitLink(link, EtherType.IPV6, length, bytes);
  emitNdPacket({ source: SOURCE_IP, destination: TARGET_IP }, nd, bytes.subarray(at, at + length));
  return bytes;
}

function ipv6Frame(link: LinkRepr, nextHeader: number, payload: Uint8Array): Uint8Array {
  const length = IPV6_HEADER_LEN + payload.length;
  const bytes = new Uint8Array(linkBufferLen(link, length));
  const at = emitLink(link, EtherType.IPV6, length, bytes);
  const packet = Ipv6Packet.unchecked(bytes, at, length);
  emitIpv6Packet(
    {
      trafficClass: 0,
      flowLabel: 0,
      payloadLength: payload.length,
      nextHeader,
      hopLimit: 64,
      source: SOURCE_IP,
      destination: TARGET_IP,
    },
    packet,
  );
  bytes.set(payload, at + IPV6_HEADER_LEN);
  return bytes;
}

/**
 * Two namespaces joined by a veth pair, sender `veth0` — `veth1` receiver, with IPv6 off in both
 * so that the kernel sends no Neighbor Discovery or MLD of its own into a test's frames.
 */
export async function vethLab(
  lab: Lab,
  senderMac: string,
  receiverMac: string,
): Promise<{ sender: Netns; receiver: Netns }> {
  const sender = await lab.addNamespace('sender');
  const receiver = await lab.addNamespace('receiver');
  for (const ns of [sender, receiver]) {
    await ns.run('sysctl', [
      '-qw',
      'net.ipv6.conf.all.disable_ipv6=1',
      'net.ipv6.conf.default.disable_ipv6=1',
    ]);
  }
  await lab.vethPair(sender, 'veth0', receiver, 'veth1', { aMac: senderMac, bMac: receiverMac });
  return { sender, receiver };
}

/**
 * trafgen arguments that send `count` copies of the packet in `config` on `dev` from one CPU,
 * touching nothing outside the namespace: no socket memory sysctls, no IRQ affinity.
 */
export function trafgenArgs(dev: string, config: string, count: number): string[] {
  return [
    '--no-sock-mem',
    '--notouch-irq',
    '--cpus',
    '1',
    '--dev',
    dev,
    '--conf',
    config,
    '-n',
    `${count}`,
  ];
}

/** A trafgen packet configuration for exactly `frame`'s bytes. */
export function trafgenConfig(frame: Uint8Array): string {
  return `{ ${Array.from(frame, (byte) => `0x${byte.toString(16).padStart(2, '0')}`).join(', ')} }\n`;
}

/** Lower-case hex of `bytes`, the form frames travel in between a test and the fixture. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** The bytes of `hex`. */
export function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** The compiled fixture script. */
const FIXTURE = fileURLToPath(new URL('./link-fixture.js', import.meta.url));

/** A request to the fixture: one JSON argument. See link-fixture.ts for the operations. */
export type FixtureRequest = Readonly<Record<string, unknown>> & { readonly op: string };

/** The argv that runs the fixture with `request`, for `ns.run` / `ns.spawn` (optionally as another user first). */
export function fixtureArgv(request: FixtureRequest, asUser: readonly string[] = []): string[] {
  return [...asUser, process.execPath, FIXTURE, JSON.stringify(request)];
}

/** Runs the fixture in `ns` to the end and returns the JSON lines it printed. */
export async function runFixture(
  ns: Netns,
  request: FixtureRequest,
  timeoutMs = 10_000,
): Promise<Record<string, unknown>[]> {
  const [cmd, ...args] = fixtureArgv(request);
  const result = await ns.exec(cmd!, args, timeoutMs);
  const lines = parseLines(result.stdout);
  if (result.code !== 0) {
    throw new Error(
      `fixture ${request.op} exited ${result.code}: ${result.stderr}${result.stdout}`,
    );
  }
  return lines;
}

/** The JSON objects of a fixture's output, one per line. */
export function parseLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Starts a receiving fixture and waits until its socket is bound; `done()` gives every line it printed. */
export async function startReceiver(
  ns: Netns,
  request: Omit<FixtureRequest, 'op'>,
): Promise<{ ready: Record<string, unknown>; done: () => Promise<Record<string, unknown>[]> }> {
  const [cmd, ...args] = fixtureArgv({ op: 'receive', ...request });
  const background = ns.spawn(cmd!, args);
  const ready = parseLines(await background.waitFor(/"ready"/, 10_000)).find((line) => line.ready);
  return {
    ready: ready!,
    done: async () => parseLines(await background.waitFor(/"closeMs"/, 15_000)),
  };
}

/**
 * Tier 2 (ARCHITECTURE.md, "Test tiers"): capture files written by real tools while real tools
 * make ARP in a two-namespace lab, read by arpkit and compared frame by frame with tshark's
 * reading of the same file. Five captures run at once: tcpdump µs and ns pcap, tshark (dumpcap)
 * pcapng, and tcpdump on `any` as Linux cooked v2 (tcpdump 4.99 / libpcap 1.10 default) and v1.
 *
 * Tagged ARP comes from `arping -V 100`, not from a VLAN device: kernels without 8021q refuse
 * `ip link add … type vlan` ("Unknown device type"). On the receiver the kernel moves the tag to
 * packet metadata and libpcap puts it back in Ethernet and cooked v1 captures; cooked v2 captures
 * of libpcap 1.10 lose it, so tags are checked in the four other files only.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openFileSource } from '../io/fd-source.js';
import { openFileSink } from '../io/file-sink.js';
import { hex } from '../testing/bytes.js';
import { type Background, type Netns, requireNetns, withLab } from '../testing/netns.js';
import { viewOf } from '../testing/pcap-kit.js';
import { peerToolGate } from '../testing/peer-tools.js';
import { type FrameRow, TSHARK_TIMEOUT_MS, tsharkFrames } from '../testing/tshark.js';
import { parseArp } from '../wire/arp.js';
import { hex16 } from '../wire/ethertype.js';
import { decodeFrame } from '../wire/frame.js';
import { formatIpv4 } from '../wire/ipv4.js';
import { formatMac } from '../wire/mac.js';
import { openCapture } from './capture.js';
import { BlockType, LinkType, PcapMagic } from './constants.js';
import { linkKindOf } from './link-kind.js';
import { hex32 } from './pcap-reader.js';
import { PcapWriter } from './pcap-writer.js';

const SENDER_MAC = '02:00:00:77:05:01';
const RECEIVER_MAC = '02:00:00:77:05:02';
const SENDER_IP = '10.77.5.1';
const RECEIVER_IP = '10.77.5.2';
/** Asked for last and never answered: once every capture has printed it, all has been written. */
const SENTINEL_IP = '10.77.5.99';
const VID = '100';
const BROADCAST = 'ff:ff:ff:ff:ff:ff';

const PEER_TOOLS = ['tcpdump', 'tshark', 'arping', 'trafgen', 'ping'] as const;
/** The lab's deadline (withLab); a test's timeout adds teardown and two tshark reads to it. */
const LAB_MS = 60_000;
const TEST_MS = LAB_MS + 2 * TSHARK_TIMEOUT_MS + 10_000;
const READY_MS = 15_000;
const SEEN_MS = 10_000;
const STOP_MS = 10_000;

/** One capture process of the lab and what its file must look like. */
interface CaptureSpec {
  readonly label: string;
  readonly file: string;
  readonly side: 'sender' | 'receiver';
  readonly command: string;
  readonly args: (path: string) => string[];
  /** Printed once the tool captures. */
  readonly ready: RegExp;
  /** First four bytes, read in the file's own byte order. */
  readonly magic: number;
  readonly linkTypes: readonly number[];
  /** Decimal digits of the stamps; unchecked for pcapng, whose resolution the writer picks. */
  readonly digits?: 6 | 9;
  /** The 802.1Q tags of tagged ARP survive in this file (libpcap 1.10 drops them in cooked v2). */
  readonly keepsTags: boolean;
}

/** tcpdump flags: stay root, print each frame once written (`--print -U`), without delay. */
const TCPDUMP = ['-Z', 'root', '-n', '-l', '--immediate-mode', '-U', '--print'];

/** tcpdump writing `path` with `options` besides TCPDUMP. */
function tcpdump(options: readonly string[]): (path: string) => string[] {
  return (path) => [...TCPDUMP, ...options, '-w', path];
}

const SPECS: readonly CaptureSpec[] = [
  {
    label: 'tcpdump -w, µs pcap, sender side',
    file: 'tcpdump-us.pcap',
    side: 'sender',
    command: 'tcpdump',
    args: tcpdump(['-i', 'eth0']),
    ready: /listening on eth0/,
    magic: PcapMagic.MICROSECONDS,
    linkTypes: [LinkType.ETHERNET],
    digits: 6,
    keepsTags: true,
  },
  {
    label: 'tcpdump --time-stamp-precision=nano, ns pcap',
    file: 'tcpdump-ns.pcap',
    side: 'receiver',
    command: 'tcpdump',
    args: tcpdump(['--time-stamp-precision=nano', '-i', 'eth0']),
    ready: /listening on eth0/,
    magic: PcapMagic.NANOSECONDS,
    linkTypes: [LinkType.ETHERNET],
    digits: 9,
    keepsTags: true,
  },
  {
    label: 'tshark -w (dumpcap), pcapng',
    file: 'tshark.pcapng',
    side: 'receiver',
    command: 'tshark',
    args: (path) => ['-n', '-l', '-P', '-i', 'eth0', '-w', path],
    ready: /Capturing on 'eth0'/,
    magic: BlockType.SECTION_HEADER,
    linkTypes: [LinkType.ETHERNET],
    keepsTags: true,
  },
  {
    label: 'tcpdump -i any, Linux cooked (v2 since tcpdump 4.99), sender side',
    file: 'any.pcap',
    side: 'sender',
    command: 'tcpdump',
    args: tcpdump(['-i', 'any']),
    ready: /listening on any/,
    magic: PcapMagic.MICROSECONDS,
    linkTypes: [LinkType.LINUX_SLL, LinkType.LINUX_SLL2],
    digits: 6,
    keepsTags: false,
  },
  {
    label: 'tcpdump -i any -y LINUX_SLL, Linux cooked v1',
    file: 'any-sll1.pcap',
    side: 'receiver',
    command: 'tcpdump',
    args: tcpdump(['-y', 'LINUX_SLL', '-i', 'any']),
    ready: /listening on any/,
    magic: PcapMagic.MICROSECONDS,
    linkTypes: [LinkType.LINUX_SLL],
    digits: 6,
    keepsTags: true,
  },
];

/** An ARP frame the lab sends, by the fields that identify it. */
interface Expected extends Partial<FrameRow> {
  readonly what: string;
}

const EXPECTED: readonly Expected[] = [
  { what: 'arping request', op: '1', spa: SENDER_IP, tpa: RECEIVER_IP, vlan: '' },
  { what: 'kernel reply', op: '2', spa: RECEIVER_IP, tpa: SENDER_IP, tha: SENDER_MAC },
  { what: 'arping -U', op: '1', spa: SENDER_IP, tpa: SENDER_IP, tha: BROADCAST, vlan: '' },
  { what: 'arping -U -P', op: '2', spa: SENDER_IP, tpa: SENDER_IP, vlan: '' },
  { what: 'arping -0 (probe)', op: '1', spa: '0.0.0.0', tpa: RECEIVER_IP },
  { what: 'kernel reply to the probe', op: '2', spa: RECEIVER_IP, tpa: '0.0.0.0' },
  { what: 'arping -V 100', op: '1', spa: SENDER_IP, tpa: RECEIVER_IP, vlan: VID },
  { what: 'arping -V 100 -U -P', op: '2', spa: SENDER_IP, tpa: SENDER_IP, vlan: VID },
  {
    what: 'trafgen RARP request',
    ethertype: '0x8035',
    op: '3',
    sha: SENDER_MAC,
    spa: '0.0.0.0',
    tha: SENDER_MAC,
    tpa: '0.0.0.0',
  },
  { what: 'ping (kernel ICMP echo)', ethertype: '0x0800' },
  { what: 'sentinel', op: '1', spa: SENDER_IP, tpa: SENTINEL_IP },
];

/** What arpkit read from one file. */
interface ArpkitReading {
  readonly format: 'pcap' | 'pcapng';
  readonly linkTypes: ReadonlySet<number>;
  readonly digits: ReadonlySet<number>;
  readonly rows: readonly FrameRow[];
  /** Numbers of the frames decodeFrame called malformed. */
  readonly malformed: readonly number[];
}

/** Reads `path` with openCapture + decodeFrame into the rows tshark is compared on. */
function readWithArpkit(path: string): ArpkitReading {
  const source = openFileSource(path);
  try {
    const reader = openCapture(source);
    const linkTypes = new Set<number>();
    const digits = new Set<number>();
    const rows: FrameRow[] = [];
    const malformed: number[] = [];
    for (let record = reader.nextShared(); record !== null; record = reader.nextShared()) {
      const number = rows.length + 1;
      linkTypes.add(record.linkType);
      digits.add(record.tsDigits);
      const kind = linkKindOf(record.linkType);
      assert.ok(kind !== undefined, `${path}: frame ${number}: link type ${record.linkType}`);
      const frame = decodeFrame(record.data, kind);
      if (frame.proto === 'malformed') malformed.push(number);
      let arp = { op: '', sha: '', spa: '', tha: '', tpa: '' };
      if ((frame.proto === 'arp' || frame.proto === 'rarp') && frame.arp.isEthernetIpv4) {
        const repr = parseArp(frame.arp);
        arp = {
          op: String(repr.op),
          sha: formatMac(repr.senderMac),
          spa: formatIpv4(repr.senderIp),
          tha: formatMac(repr.targetMac),
          tpa: formatIpv4(repr.targetIp),
        };
      }
      rows.push({
        frame: String(number),
        ts: `${record.tsSec}.${String(record.tsNsec).padStart(9, '0')}`,
        len: String(record.origLen),
        caplen: String(record.data.length),
        ethertype: frame.ethertype === undefined ? '' : hex16(frame.ethertype),
        ...arp,
        vlan: frame.vlans.map((tag) => tag.vid).join(','),
      });
    }
    return { format: reader.format, linkTypes, digits, rows, malformed };
  } finally {
    source.close();
  }
}

const tools = peerToolGate(PEER_TOOLS, TEST_MS);
const OPTIONS = tools.options;

/** Fails under ARPKIT_REQUIRE_NETNS when a peer tool is missing; false when namespaces skip. */
function ready(t: Parameters<typeof requireNetns>[0]): boolean {
  tools.require();
  return requireNetns(t);
}

/** Runs a command that sends without expecting a reply: its exit status is 1 when none comes. */
async function send(ns: Netns, cmd: string, args: readonly string[]): Promise<void> {
  const { stdout, stderr } = await ns.exec(cmd, args);
  assert.match(stdout, /1 packets transmitted/, `${cmd} ${args.join(' ')}: ${stderr}`);
}

/** SIGINT, then waits (bounded) for the exit; resolves with the exit code. */
function stop(capture: Background, label: string): Promise<number | null> {
  const { child } = capture;
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(
      () => reject(new Error(`${label}: still running ${STOP_MS} ms after SIGINT`)),
      STOP_MS,
    );
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill('SIGINT');
  });
}

/** The lab: every capture started, the ARP made, every capture stopped; returns the file paths. */
async function captureAll(dir: string): Promise<ReadonlyMap<string, string>> {
  const mac = SENDER_MAC.replaceAll(':', '');
  const rarpFrame = hex(`
    ffffffffffff ${mac} 8035  # broadcast, from the sender, RARP
    0001 0800 06 04 0003      # Ethernet/IPv4, op 3 (request reverse, RFC 903)
    ${mac} 00000000           # sender
    ${mac} 00000000           # target: the same MAC, asking for its IP
  `);
  const rarp = join(dir, 'rarp.trafgen');
  writeFileSync(rarp, `{ ${[...rarpFrame].map((byte) => `0x${byte.toString(16)}`).join(', ')} }\n`);

  return withLab(async (lab) => {
    const sender = await lab.addNamespace('sender');
    const receiver = await lab.addNamespace('receiver');
    const macs = { aMac: SENDER_MAC, bMac: RECEIVER_MAC };
    await lab.vethPair(sender, 'eth0', receiver, 'eth0', macs);
    await sender.addr('eth0', `${SENDER_IP}/24`);
    await receiver.addr('eth0', `${RECEIVER_IP}/24`);

    const files = new Map<string, string>();
    const captures = SPECS.map((spec) => {
      const path = join(dir, spec.file);
      files.set(spec.file, path);
      const ns = spec.side === 'sender' ? sender : receiver;
      return { spec, process: ns.spawn(spec.command, spec.args(path)) };
    });
    await Promise.all(captures.map((c) => c.process.waitFor(c.spec.ready, READY_MS)));

    await sender.run('arping', ['-c', '2', '-W', '0.2', '-i', 'eth0', RECEIVER_IP]);
    await send(sender, 'arping', ['-c', '1', '-w', '0.2', '-U', '-i', 'eth0', SENDER_IP]);
    await send(sender, 'arping', ['-c', '1', '-w', '0.2', '-U', '-P', '-i', 'eth0', SENDER_IP]);
    await sender.run('arping', ['-c', '1', '-w', '1', '-0', '-i', 'eth0', RECEIVER_IP]);
    await send(sender, 'arping', ['-c', '1', '-w', '0.2', '-V', VID, '-i', 'eth0', RECEIVER_IP]);
    const taggedReply = ['-c', '1', '-w', '0.2', '-V', VID, '-U', '-P', '-i', 'eth0', SENDER_IP];
    await send(sender, 'arping', taggedReply);
    await sender.run('trafgen', ['--in', rarp, '--out', 'eth0', '-n', '1', '--cpus', '1', '-q']);
    await sender.run('ip', ['neigh', 'flush', 'dev', 'eth0']);
    await sender.run('ping', ['-c', '1', '-W', '1', RECEIVER_IP]);
    await send(sender, 'arping', ['-c', '1', '-w', '0.2', '-i', 'eth0', SENTINEL_IP]);

    const sentinel = new RegExp(SENTINEL_IP.replaceAll('.', '\\.'));
    await Promise.all(captures.map((c) => c.process.waitFor(sentinel, SEEN_MS)));
    const codes = await Promise.all(captures.map((c) => stop(c.process, c.spec.label)));
    for (const [i, c] of captures.entries()) {
      assert.equal(codes[i], 0, `${c.spec.label} exited ${codes[i]}: ${c.process.output()}`);
    }
    return files;
  }, LAB_MS);
}

/** The first four bytes and a classic header's link type, in the byte order that makes `known`. */
function fileHeader(bytes: Uint8Array, known: number): { magic: number; linkType: number } {
  const view = viewOf(bytes);
  const littleEndian = view.getUint32(0, false) !== known;
  return {
    magic: view.getUint32(0, littleEndian),
    linkType: view.getUint32(20, littleEndian) & 0xffff,
  };
}

/** Asserts that `rows` hold a frame matching each expectation (VLAN ids only if kept). */
function assertCovers(rows: readonly FrameRow[], spec: CaptureSpec): void {
  for (const { what, ...fields } of EXPECTED) {
    const wanted = Object.entries(fields).filter(([key]) => spec.keepsTags || key !== 'vlan');
    const found = rows.some((row) =>
      wanted.every(([key, value]) => row[key as keyof FrameRow] === value),
    );
    assert.ok(found, `${spec.file}: no frame for ${what} (${JSON.stringify(fields)})`);
  }
}

describe('captures written by tcpdump and tshark while arping, ping and trafgen run', () => {
  let dir: string | undefined;
  let session: Promise<ReadonlyMap<string, string>> | undefined;
  const captured = () => {
    dir ??= mkdtempSync(join(tmpdir(), 'arpkit-real-capture-'));
    session ??= captureAll(dir);
    return session;
  };
  after(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  for (const spec of SPECS) {
    test(`${spec.label}: every frame as tshark reads it`, OPTIONS, async (t) => {
      if (!ready(t)) return;
      const path = (await captured()).get(spec.file)!;
      const ours = readWithArpkit(path);
      assert.deepEqual(ours.rows, await tsharkFrames(path));
      assert.deepEqual(ours.malformed, [], 'the lab sends no malformed frame');
      assertCovers(ours.rows, spec);
    });
  }

  test('the files really differ in container, resolution and link type', OPTIONS, async (t) => {
    if (!ready(t)) return;
    const files = await captured();
    const kinds = new Set<string>();
    for (const spec of SPECS) {
      const path = files.get(spec.file)!;
      const bytes = readFileSync(path);
      const { magic, linkType: headerLinkType } = fileHeader(bytes, spec.magic);
      assert.equal(hex32(magic), hex32(spec.magic), `${spec.file}: magic`);
      const reading = readWithArpkit(path);
      assert.equal(reading.format, spec.magic === BlockType.SECTION_HEADER ? 'pcapng' : 'pcap');
      const [linkType, ...others] = reading.linkTypes;
      assert.ok(linkType !== undefined && others.length === 0, `${spec.file}: one link type`);
      assert.ok(spec.linkTypes.includes(linkType), `${spec.file}: link type ${linkType}`);
      if (reading.format === 'pcap') assert.equal(headerLinkType, linkType);
      if (spec.digits !== undefined) assert.deepEqual([...reading.digits], [spec.digits]);
      kinds.add(`${hex32(magic)}/${linkType}`);
    }
    // µs/1, ns/1, pcapng/1, µs/276 (or 113 with an older tcpdump) and µs/113.
    assert.ok(kinds.size >= 4, `only ${[...kinds].join(' ')}`);
  });

  test('a big-endian ns copy by PcapWriter reads the same in tshark', OPTIONS, async (t) => {
    if (!ready(t)) return;
    const original = (await captured()).get('tshark.pcapng')!;
    const copy = join(dir!, 'copy-be-ns.pcap');
    const source = openFileSource(original);
    const sink = openFileSink(copy);
    try {
      const reader = openCapture(source);
      const writer = new PcapWriter(sink, {
        resolution: 'ns',
        byteOrder: 'big',
        linkType: LinkType.ETHERNET,
      });
      for (let record = reader.nextShared(); record !== null; record = reader.nextShared()) {
        assert.equal(record.linkType, LinkType.ETHERNET);
        writer.writeRecord(record.data, record.tsSec, record.tsNsec, record.origLen);
      }
      writer.flush();
    } finally {
      source.close();
      sink.close();
    }
    assert.deepEqual([...readFileSync(copy).subarray(0, 4)], [0xa1, 0xb2, 0x3c, 0x4d]);
    const theirs = await tsharkFrames(original);
    assert.ok(theirs.length > EXPECTED.length, `only ${theirs.length} frames`);
    assert.deepEqual(await tsharkFrames(copy), theirs);
    assert.deepEqual(readWithArpkit(copy).rows, readWithArpkit(original).rows);
  });
});

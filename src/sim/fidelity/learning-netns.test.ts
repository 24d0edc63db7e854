/**
 * Fidelity 3: what an ARP frame teaches a Linux host that did not ask (arp.c `arp_process`),
 * with arp_accept 0 and 1: requests for it, overheard requests (new sender; known sender with a
 * new MAC, within and after locktime), gratuitous requests and replies (unknown and known
 * senders, a known one within locktime) and unsolicited replies. A sender namespace puts the
 * frames on a bridge; two observers (arp_accept 0 and 1) and the owner of the overheard target
 * listen. The twin gets the very same frames (`SimFrame`s, sent as bytes by `send-frames.ts`)
 * at the same offsets; each observer's entry per case must match: learned or not, state, MAC.
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { ArpOp } from '../../wire/arp.js';
import { formatIpv4, type Ipv4, parseIpv4 } from '../../wire/ipv4.js';
import { formatMac, MAC_BROADCAST, MAC_ZERO, type Mac, parseMac } from '../../wire/mac.js';
import { garpReply, garpRequest } from '../announcers.js';
import { arpSimFrame, type SimFrame } from '../frame.js';
import { fromMs } from '../units.js';
import { report } from './compare.js';
import { fidelityTest, fidelityTools } from './harness.js';
import { kernelNeighbour, kernelNeighParams, setSysctls } from './kernel.js';
import { bridgedSegment, STATION_IF } from './kernel-lab.js';
import { startFrameSender, type TimedFrame } from './send-frames.js';
import { segment } from './sim-twin.js';

const LAB_MS = 30_000;
const tools = fidelityTools(LAB_MS);

const OBSERVERS = [
  { role: 'observer0', ip: '10.73.255.1', mac: '02:f3:00:00:ff:01', accept: 0 },
  { role: 'observer1', ip: '10.73.255.2', mac: '02:f3:00:00:ff:02', accept: 1 },
] as const;
const OWNER = { role: 'owner', ip: '10.73.255.3', mac: '02:f3:00:00:ff:03' };
const SENDER = { role: 'sender', ip: '10.73.255.4', mac: '02:f3:00:00:ff:04' };
const MASK = 0xffff_0000;
/** The entry a "known sender" case starts from is made at 0; locktime is 1 s. */
const WITHIN_LOCKTIME_MS = 300;
const AFTER_LOCKTIME_MS = 1_500;
const READ_AT_MS = 2_000;

/** What an observer's entry for the case's sender is at the end: none, or state and MAC. */
type Outcome = 'none' | { readonly state: string; readonly mac: string };

/** One case: an optional first frame at 0 (the entry to start from), the frame under test, when. */
interface Case {
  readonly name: string;
  /** Whether the observer has an entry for the sender first (a request for it, at 0, MAC 1). */
  readonly known: boolean;
  readonly atMs: number;
  /** The frame under test, from the sender's IP with MAC 2, about or to `observer`. */
  readonly frame: (observer: (typeof OBSERVERS)[number], sender: Sender) => SimFrame;
  /** The outcome by arp_accept (index 0 and 1); MAC 1 or 2 of the sender. */
  readonly expected: readonly [Expected, Expected];
}

type Expected = 'none' | readonly ['STALE' | 'REACHABLE', 1 | 2];

/** A case's sender: its address and its two MACs. */
interface Sender {
  readonly ip: Ipv4;
  readonly mac1: Mac;
  readonly mac2: Mac;
}

const owner = parseIpv4(OWNER.ip);
const ipOf = (o: (typeof OBSERVERS)[number]) => parseIpv4(o.ip);

/** A reply from the sender's second MAC to observer `o`, sent to `destination`. */
function replyTo(o: (typeof OBSERVERS)[number], s: Sender, destination: Mac): SimFrame {
  return arpSimFrame(ArpOp.REPLY, destination, s.mac2, s.ip, parseMac(o.mac), ipOf(o));
}

const CASES: readonly Case[] = [
  {
    name: 'request for me, new sender',
    known: false,
    atMs: AFTER_LOCKTIME_MS,
    frame: (o, s) => arpSimFrame(ArpOp.REQUEST, MAC_BROADCAST, s.mac2, s.ip, MAC_ZERO, ipOf(o)),
    expected: [
      ['STALE', 2],
      ['STALE', 2],
    ],
  },
  {
    name: 'request for me, known sender, new MAC within locktime',
    known: true,
    atMs: WITHIN_LOCKTIME_MS,
    frame: (o, s) => arpSimFrame(ArpOp.REQUEST, MAC_BROADCAST, s.mac2, s.ip, MAC_ZERO, ipOf(o)),
    expected: [
      ['STALE', 2],
      ['STALE', 2],
    ],
  },
  {
    name: 'overheard request, new sender',
    known: false,
    atMs: AFTER_LOCKTIME_MS,
    frame: (_, s) => arpSimFrame(ArpOp.REQUEST, MAC_BROADCAST, s.mac2, s.ip, MAC_ZERO, owner),
    expected: ['none', 'none'],
  },
  {
    name: 'overheard request, known sender, new MAC after locktime',
    known: true,
    atMs: AFTER_LOCKTIME_MS,
    frame: (_, s) => arpSimFrame(ArpOp.REQUEST, MAC_BROADCAST, s.mac2, s.ip, MAC_ZERO, owner),
    expected: [
      ['STALE', 2],
      ['STALE', 2],
    ],
  },
  {
    name: 'overheard request, known sender, new MAC within locktime',
    known: true,
    atMs: WITHIN_LOCKTIME_MS,
    frame: (_, s) => arpSimFrame(ArpOp.REQUEST, MAC_BROADCAST, s.mac2, s.ip, MAC_ZERO, owner),
    expected: [
      ['STALE', 1],
      ['STALE', 1],
    ],
  },
  {
    name: 'GARP request, unknown sender',
    known: false,
    atMs: AFTER_LOCKTIME_MS,
    frame: (_, s) => garpRequest(s.mac2, s.ip),
    expected: ['none', ['STALE', 2]],
  },
  {
    name: 'GARP reply, unknown sender',
    known: false,
    atMs: AFTER_LOCKTIME_MS,
    frame: (_, s) => garpReply(s.mac2, s.ip),
    expected: ['none', ['STALE', 2]],
  },
  {
    name: 'GARP request, known sender, new MAC within locktime',
    known: true,
    atMs: WITHIN_LOCKTIME_MS,
    frame: (_, s) => garpRequest(s.mac2, s.ip),
    expected: [
      ['STALE', 2],
      ['STALE', 2],
    ],
  },
  {
    name: 'GARP reply, known sender, new MAC within locktime',
    known: true,
    atMs: WITHIN_LOCKTIME_MS,
    frame: (_, s) => garpReply(s.mac2, s.ip),
    expected: [
      ['STALE', 2],
      ['STALE', 2],
    ],
  },
  {
    name: 'unicast reply to me, unknown sender',
    known: false,
    atMs: AFTER_LOCKTIME_MS,
    frame: (o, s) => replyTo(o, s, parseMac(o.mac)),
    expected: ['none', ['REACHABLE', 2]],
  },
  {
    name: 'unicast reply to me, known sender, new MAC within locktime',
    known: true,
    atMs: WITHIN_LOCKTIME_MS,
    frame: (o, s) => replyTo(o, s, parseMac(o.mac)),
    expected: [
      ['STALE', 1],
      ['STALE', 1],
    ],
  },
  {
    name: 'broadcast reply, unknown sender',
    known: false,
    atMs: AFTER_LOCKTIME_MS,
    frame: (o, s) => replyTo(o, s, MAC_BROADCAST),
    expected: ['none', ['STALE', 2]],
  },
  {
    name: 'broadcast reply, known sender, new MAC after locktime',
    known: true,
    atMs: AFTER_LOCKTIME_MS,
    frame: (o, s) => replyTo(o, s, MAC_BROADCAST),
    expected: [
      ['STALE', 2],
      ['STALE', 2],
    ],
  },
];

/** Case `k` for observer `o`: sender 10.73.(o+1).(k+10), MACs 02:f3:0o:0k:00:01 and …:02. */
function senderOf(o: number, k: number): Sender {
  const mac = (n: number) => parseMac(`02:f3:0${o}:${k.toString(16).padStart(2, '0')}:00:0${n}`);
  return { ip: parseIpv4(`10.73.${o + 1}.${k + 10}`), mac1: mac(1), mac2: mac(2) };
}

/** Every frame of every case for both observers, in time order. */
function schedule(): TimedFrame[] {
  const frames: TimedFrame[] = [];
  OBSERVERS.forEach((o, oi) => {
    CASES.forEach((c, k) => {
      const s = senderOf(oi, k);
      if (c.known) {
        const first = arpSimFrame(ArpOp.REQUEST, MAC_BROADCAST, s.mac1, s.ip, MAC_ZERO, ipOf(o));
        frames.push({ atMs: 0, frame: first });
      }
      frames.push({ atMs: c.atMs, frame: c.frame(o, s) });
    });
  });
  return frames.sort((a, b) => a.atMs - b.atMs);
}

/** The expected outcome in `Outcome` form. */
function expectedOutcome(expected: Expected, s: Sender): Outcome {
  if (expected === 'none') return 'none';
  const [state, n] = expected;
  return { state, mac: formatMac(n === 1 ? s.mac1 : s.mac2) };
}

describe('fidelity: learning from ARP and GARP, arp_accept 0 and 1 (namespaces vs sim)', () => {
  fidelityTest(
    'each frame creates, updates or leaves the entry as the kernel does',
    tools,
    LAB_MS,
    async (lab, note) => {
      const specs = [...OBSERVERS, OWNER, SENDER];
      const { stations } = await bridgedSegment(lab, specs, 16);
      const observers = stations.slice(0, OBSERVERS.length);
      const sender = stations[specs.length - 1]!;
      for (const [i, o] of OBSERVERS.entries())
        await setSysctls(observers[i]!, { [`conf.${STATION_IF}.arp_accept`]: o.accept });
      const params = await Promise.all(observers.map((ns) => kernelNeighParams(ns, STATION_IF)));
      params.forEach((p, i) => assert.equal(p.params.arp_accept, OBSERVERS[i]!.accept));

      // The kernel.
      const frames = schedule();
      const send = await startFrameSender(sender, STATION_IF, frames, 'now');
      const sent = await send.sent(10_000);
      const firstAt = sent[0]!;
      for (const [i, { atMs }] of frames.entries()) {
        const late = sent[i]! - firstAt - atMs;
        assert.ok(late < 150, `frame ${i} (at ${atMs} ms) went ${late.toFixed(1)} ms late`);
      }
      await new Promise((resolve) => setTimeout(resolve, READ_AT_MS - (Date.now() - firstAt)));
      const kernel: Outcome[][] = [];
      for (const [oi] of OBSERVERS.entries()) {
        kernel.push(
          await Promise.all(
            CASES.map(async (_, k) => {
              const entry = await kernelNeighbour(
                observers[oi]!,
                STATION_IF,
                formatIpv4(senderOf(oi, k).ip),
              );
              return entry === undefined || entry.lladdr === undefined
                ? 'none'
                : { state: entry.state, mac: entry.lladdr };
            }),
          ),
        );
      }

      // The twin.
      const twin = segment(
        [
          ...OBSERVERS.map((o, i) => ({
            name: o.role,
            ip: o.ip,
            mac: o.mac,
            params: params[i]!.params,
          })),
          { name: OWNER.role, ip: OWNER.ip, mac: OWNER.mac, params: params[0]!.params },
          { name: SENDER.role, ip: SENDER.ip, mac: SENDER.mac, params: params[0]!.params },
        ],
        READ_AT_MS,
        MASK,
      );
      const simSender = twin.hosts.get(SENDER.role)!;
      for (const { atMs, frame } of frames)
        twin.world.engine.at(fromMs(atMs), () => simSender.sendArp(frame));
      twin.world.engine.run(fromMs(READ_AT_MS));
      const sim: Outcome[][] = OBSERVERS.map((o, oi) => {
        const table = twin.hosts.get(o.role)!.table;
        return CASES.map((_, k) => {
          const s = senderOf(oi, k);
          const mac = table.mac(s.ip);
          const state = table.state(s.ip);
          return mac === undefined || state === undefined
            ? 'none'
            : { state: state.toUpperCase(), mac: formatMac(mac) };
        });
      });

      const problems: string[] = [];
      const text = (outcome: Outcome) => JSON.stringify(outcome);
      OBSERVERS.forEach((o, oi) => {
        CASES.forEach((c, k) => {
          const want = expectedOutcome(c.expected[o.accept]!, senderOf(oi, k));
          const [got, simGot] = [kernel[oi]![k]!, sim[oi]![k]!];
          const what = `arp_accept=${o.accept}, ${c.name}`;
          note(report(what, got, simGot));
          if (text(got) !== text(want))
            problems.push(`kernel, ${what}: ${text(got)}, expected ${text(want)}`);
          if (text(simGot) !== text(got))
            problems.push(`sim, ${what}: ${text(simGot)}, kernel ${text(got)}`);
        });
      });
      assert.deepEqual(problems, []);
    },
  );
});

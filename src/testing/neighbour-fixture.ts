/**
 * What the BSD and router table tests share: addresses, ARP input frames, a host whose
 * neighbours answer, periodic traffic, and a random run of operations checked as it goes.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ArpOp } from '../wire/arp.js';
import type { Ipv4 } from '../wire/ipv4.js';
import { MAC_ZERO, type Mac } from '../wire/mac.js';
import type { ArpInput, NeighbourTable } from '../sim/neighbour/table.js';
import { MILLISECOND, type Nanos } from '../sim/units.js';
import { RecordingHost, type SentRequest } from './neighbour-host.js';

/** The n-th test address (10.0.0.0 + n). */
export const ip = (n: number): Ipv4 => (0x0a00_0000 + n) as Ipv4;
/** The n-th test MAC (02:00:00:00:00:00 + n). */
export const mac = (n: number): Mac => (0x0200_0000_0000 + n) as Mac;
/** The table's own host, and an address that is neither it nor a neighbour. */
export const ME = ip(0xff_fff0);
export const ME_MAC = mac(0xff_fff0);
const OTHER = ip(0xff_fff1);

/** An ARP frame from `senderIp`: for this host unless `forMe` is false, or gratuitous. */
export function arpInput(
  op: number,
  senderIp: Ipv4,
  senderMac: Mac,
  { forMe = true, gratuitous = false }: { forMe?: boolean; gratuitous?: boolean } = {},
): ArpInput {
  const mine = forMe && !gratuitous;
  return {
    op,
    senderIp,
    senderMac,
    targetIp: gratuitous ? senderIp : mine ? ME : OTHER,
    targetMac: op === ArpOp.REPLY ? (gratuitous ? senderMac : ME_MAC) : MAC_ZERO,
    broadcast: op === ArpOp.REQUEST || gratuitous,
    forMe: mine,
    gratuitous,
  };
}

/** A RecordingHost whose neighbours answer requests 1 ms later (all, or those in `answers`). */
export class AnsweringHost extends RecordingHost {
  table: NeighbourTable | undefined;
  readonly answers = new Map<Ipv4, Mac>();
  /** Every neighbour `ip(n)` answers with `mac(n)`. */
  answerAll = false;

  override request(target: Ipv4, unicast?: Mac): void {
    super.request(target, unicast);
    const owner = this.answerAll ? mac(target - ip(0)) : this.answers.get(target);
    const table = this.table;
    if (owner === undefined || table === undefined) return;
    this.engine.after(MILLISECOND, () => table.input(arpInput(ArpOp.REPLY, target, owner)));
  }
}

/** Sends a packet to `to` every `period` from `start` (inclusive) to `end` (exclusive). */
export function traffic(
  host: RecordingHost,
  table: NeighbourTable,
  to: Ipv4,
  start: Nanos,
  end: Nanos,
  period: Nanos,
): void {
  for (let t = start; t < end; t += period) {
    host.engine.at(t, () => table.output(to, host.packet(to)));
  }
}

/** One step of a random run against a table. */
export type TableOp =
  | { kind: 'output'; ip: number }
  | { kind: 'input'; ip: number; mac: number; op: number; forMe: boolean; gratuitous: boolean }
  | { kind: 'learn'; ip: number; mac: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'clear' };

/** Random operations on six addresses, with waits of `advancesMs` (long enough for every timer). */
export function tableOps(advancesMs: readonly number[]): fc.Arbitrary<TableOp> {
  return fc.oneof(
    { arbitrary: fc.record({ kind: fc.constant('output' as const), ip: fc.nat(5) }), weight: 3 },
    fc.record({
      kind: fc.constant('input' as const),
      ip: fc.nat(5),
      mac: fc.nat(2),
      op: fc.constantFrom(ArpOp.REQUEST, ArpOp.REPLY),
      forMe: fc.boolean(),
      gratuitous: fc.boolean(),
    }),
    fc.record({ kind: fc.constant('learn' as const), ip: fc.nat(5), mac: fc.nat(2) }),
    fc.record({ kind: fc.constant('advance' as const), ms: fc.constantFrom(...advancesMs) }),
    fc.record({ kind: fc.constant('clear' as const) }),
  );
}

/**
 * Runs `ops` against `table` (neighbours 0 and 1 answer) and checks after each: the host's held
 * set is the table's entries, requests for one target are at least `gap` apart, and `each`
 * holds; at the end, every packet was sent or dropped exactly once.
 */
export function runTableOps(
  host: AnsweringHost,
  table: NeighbourTable,
  ops: readonly TableOp[],
  gap: Nanos,
  each: () => void = () => undefined,
): void {
  host.answers.set(ip(0), mac(0));
  host.answers.set(ip(1), mac(1));
  let packets = 0;
  let checked = 0;
  const last = new Map<Ipv4, Nanos>();
  for (const op of ops) {
    if (op.kind === 'output') {
      table.output(ip(op.ip), host.packet(ip(op.ip)));
      packets++;
    } else if (op.kind === 'input') {
      table.input(arpInput(op.op, ip(op.ip), mac(op.mac), op));
    } else if (op.kind === 'learn') table.learn(ip(op.ip), mac(op.mac));
    else if (op.kind === 'advance') host.engine.run(host.engine.now + op.ms * MILLISECOND);
    else {
      checked = checkGaps(host.requests, checked, last, gap);
      last.clear();
      table.clear();
    }
    checked = checkGaps(host.requests, checked, last, gap);
    for (let i = 0; i < 6; i++) {
      assert.equal(table.state(ip(i)) !== undefined, host.held.has(ip(i)), `ip ${i}`);
    }
    assert.equal(table.size, host.held.size);
    each();
  }
  table.clear();
  const seqs = [...host.sent, ...host.dropped].map((e) => e.packet.seq).sort((a, b) => a - b);
  assert.deepEqual(
    seqs,
    Array.from({ length: packets }, (_, i) => i),
  );
}

/**
 * Asserts that the requests from index `from` on come at least `gap` after the previous request
 * for the same target (`last`, updated); returns the index to check from next time.
 */
function checkGaps(
  requests: readonly SentRequest[],
  from: number,
  last: Map<Ipv4, Nanos>,
  gap: Nanos,
): number {
  for (const r of requests.slice(from)) {
    const previous = last.get(r.target);
    if (previous !== undefined) {
      assert.ok(r.time - previous >= gap, `requests ${previous}, ${r.time}`);
    }
    last.set(r.target, r.time);
  }
  return requests.length;
}

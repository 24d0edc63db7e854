import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { arbMac } from '../testing/arbitraries.js';
import { FRAME_KINDS, type FrameKind, filterAccepts, frameOf } from '../testing/link-lab.js';
import { EtherType } from '../wire/ethertype.js';
import { decodeFrame } from '../wire/frame.js';
import { parseMac } from '../wire/mac.js';
import type { VlanRepr } from '../wire/vlan.js';
import { ARP_ND_FILTER, BPF_ACCEPT, BpfOp } from './bpf.js';
import type { SockFilterInstruction } from './sys/abi.js';

/** The most instructions the kernel takes (`BPF_MAXINSNS`). */
const BPF_MAXINSNS = 4096;
const SOURCE = parseMac('02:00:00:77:00:01');

/**
 * Classic BPF as Linux runs it (`net/core/filter.c`), for the opcodes the program uses: a load
 * past the end of the packet ends the program with 0 (drop); jumps are relative to the next
 * instruction. Counts the instructions run so a loop could not go unnoticed.
 */
function runFilter(program: readonly SockFilterInstruction[], packet: Uint8Array): number {
  let a = 0;
  let x = 0;
  let steps = 0;
  for (let pc = 0; pc < program.length; pc++) {
    assert.ok(++steps <= program.length, 'classic BPF never runs an instruction twice');
    const { code, jt, jf, k } = program[pc]!;
    switch (code) {
      case BpfOp.LD_H_ABS:
        if (k + 2 > packet.length) return 0;
        a = (packet[k]! << 8) | packet[k + 1]!;
        break;
      case BpfOp.LD_B_IND:
        if (x + k + 1 > packet.length) return 0;
        a = packet[x + k]!;
        break;
      case BpfOp.LDX_IMM:
        x = k;
        break;
      case BpfOp.JA:
        pc += k;
        break;
      case BpfOp.JEQ_K:
        pc += a === k ? jt : jf;
        break;
      case BpfOp.RET_K:
        return k;
      default:
        throw new Error(`opcode 0x${code.toString(16)} at ${pc} is not interpreted`);
    }
  }
  throw new Error('the program ran off its end');
}

const tag = (tpid: number, vid: number): VlanRepr => ({ tpid, pcp: 0, dei: false, vid });
const TAG_SETS: readonly (readonly VlanRepr[])[] = [
  [],
  [tag(EtherType.VLAN, 100)],
  [tag(EtherType.QINQ, 200), tag(EtherType.VLAN, 2001)],
  [tag(EtherType.QINQ_LEGACY, 300), tag(EtherType.VLAN, 7)],
];

describe('ARP/ND filter', () => {
  test('passes the kernel checker’s rules: size, forward jumps in range, ends in a return', () => {
    assert.ok(ARP_ND_FILTER.length > 0 && ARP_ND_FILTER.length <= BPF_MAXINSNS);
    ARP_ND_FILTER.forEach(({ code, jt, jf, k }, pc) => {
      const next = pc + 1;
      if (code === BpfOp.JA) assert.ok(next + k < ARP_ND_FILTER.length, `ja at ${pc}`);
      if (code === BpfOp.JEQ_K) {
        assert.ok(next + jt < ARP_ND_FILTER.length, `jt at ${pc}`);
        assert.ok(next + jf < ARP_ND_FILTER.length, `jf at ${pc}`);
      }
      for (const byte of [jt, jf]) assert.ok(Number.isInteger(byte) && byte >= 0 && byte <= 255);
      assert.ok(Number.isInteger(k) && k >= 0 && k <= 0xffff_ffff);
    });
    assert.equal(ARP_ND_FILTER.at(-1)!.code, BpfOp.RET_K);
  });

  for (const kind of FRAME_KINDS) {
    for (const vlans of TAG_SETS) {
      const verdict = filterAccepts(kind) ? 'accepts' : 'drops';
      const tpids = vlans.map((tag) => `0x${tag.tpid.toString(16)}`).join('+') || 'no';
      test(`${verdict} ${kind} with ${tpids} tag(s) left in the frame`, () => {
        const frame = frameOf(kind, SOURCE, vlans);
        assert.equal(runFilter(ARP_ND_FILTER, frame), filterAccepts(kind) ? BPF_ACCEPT : 0);
      });
    }
  }

  test('drops three tags left in the frame (more than the decoder reads)', () => {
    const vlans = [tag(EtherType.QINQ, 1), tag(EtherType.VLAN, 2), tag(EtherType.VLAN, 3)];
    assert.equal(runFilter(ARP_ND_FILTER, frameOf('arp', SOURCE, vlans)), 0);
  });

  test('drops frames cut short before the field it reads, never reads past the end', () => {
    for (const kind of FRAME_KINDS) {
      const frame = frameOf(kind, SOURCE, [tag(EtherType.VLAN, 5)]);
      for (let length = 0; length < 18; length++) {
        assert.equal(runFilter(ARP_ND_FILTER, frame.subarray(0, length)), 0, `${kind} ${length}`);
      }
    }
    const na = frameOf('na', SOURCE);
    assert.equal(
      runFilter(ARP_ND_FILTER, na.subarray(0, 14 + 40)),
      0,
      'NA without its ICMPv6 type',
    );
    assert.equal(runFilter(ARP_ND_FILTER, na.subarray(0, 14 + 41)), BPF_ACCEPT);
  });

  test('never drops a frame the decoder reads as ARP, RARP or ND; drops every other kind', () => {
    const arbTags = fc.array(
      fc.record(
        {
          tpid: fc.constantFrom(EtherType.VLAN, EtherType.QINQ, EtherType.QINQ_LEGACY),
          pcp: fc.integer({ min: 0, max: 7 }),
          dei: fc.boolean(),
          vid: fc.integer({ min: 0, max: 4095 }),
        },
        { noNullPrototype: true },
      ),
      { maxLength: 2 },
    );
    fc.assert(
      fc.property(
        fc.constantFrom<FrameKind>(...FRAME_KINDS),
        arbMac(),
        arbMac(),
        arbTags,
        (kind, source, destination, vlans) => {
          const frame = frameOf(kind, source, vlans, destination);
          const decoded = decodeFrame(frame, 'ethernet');
          const ours = ['arp', 'rarp', 'ndp'].includes(decoded.proto);
          assert.equal(ours, filterAccepts(kind));
          assert.equal(runFilter(ARP_ND_FILTER, frame), ours ? BPF_ACCEPT : 0);
        },
      ),
    );
  });
});

/**
 * The classic BPF program (`linux/filter.h`) an AfPacketLink attaches so that the kernel hands
 * it only what arpkit reads: ARP (RFC 826), RARP (RFC 903) and ICMPv6 Neighbor Solicitation /
 * Advertisement (RFC 4861 §4.3, §4.4) carried directly in IPv6 (next header 58), untagged or
 * behind one or two 802.1Q / 802.1ad tags. Everything else is dropped in the kernel, before it
 * costs a copy or a wake-up.
 *
 * A surprise worth knowing: on receive, most drivers (veth included) take the outer VLAN tag off
 * the frame and keep it beside the packet (`skb->vlan_tci`; the filter could read it as the
 * ancillary `SKF_AD_VLAN_TAG_PRESENT`, user space gets it in `PACKET_AUXDATA`). So offset 12
 * already holds the inner ethertype of a tagged frame whose tag was taken off; only a tag the
 * kernel left in place shows up there as 0x8100 / 0x88a8 / 0x9100, with the next type at 16
 * (and at 20 for QinQ). The program reads 12, then 16, then 20, whichever tags it finds.
 */
import { EtherType } from '../wire/ethertype.js';
import { ETHERNET_HEADER_LEN } from '../wire/ethernet.js';
import { icmpv6Field, Icmpv6Type } from '../wire/icmpv6.js';
import { IPV6_HEADER_LEN, IpNextHeader, ipv6Field } from '../wire/ipv6-header.js';
import { VLAN_TAG_LEN } from '../wire/vlan.js';
import type { SockFilterInstruction } from './sys/abi.js';

/** Classic BPF opcodes this program uses: class | size | mode (`linux/bpf_common.h`). */
export const BpfOp = Object.freeze({
  /** A ← 16 bits at [k], big-endian. */
  LD_H_ABS: 0x28,
  /** A ← 8 bits at [X + k]. */
  LD_B_IND: 0x50,
  /** X ← k. */
  LDX_IMM: 0x01,
  /** pc += k. */
  JA: 0x05,
  /** pc += (A == k) ? jt : jf. */
  JEQ_K: 0x15,
  /** Accept k bytes of the packet (0: drop it). */
  RET_K: 0x06,
});

/** What an accepting program returns: the whole frame (any length up to 256 KiB), as tcpdump does. */
export const BPF_ACCEPT = 0x40000;

/** Where the filter looks, counted from the first byte of the destination MAC. */
const at = Object.freeze({
  /** The ethertype, or the TPID of a tag the kernel left in the frame. */
  TYPE: ETHERNET_HEADER_LEN - 2,
  /** The same after one and after two tags. */
  TYPE_AFTER_TAG: ETHERNET_HEADER_LEN - 2 + VLAN_TAG_LEN,
  TYPE_AFTER_TWO_TAGS: ETHERNET_HEADER_LEN - 2 + 2 * VLAN_TAG_LEN,
  /** IPv6 next header and ICMPv6 type, plus X (the tag bytes before the IPv6 header). */
  NEXT_HEADER: ETHERNET_HEADER_LEN + ipv6Field.NEXT_HEADER,
  ICMPV6_TYPE: ETHERNET_HEADER_LEN + IPV6_HEADER_LEN + icmpv6Field.TYPE,
});

/** One instruction before its jumps are resolved: targets are label names, `undefined` = next. */
type Step =
  | { readonly label: string }
  | {
      readonly code: number;
      readonly k: number;
      readonly jt?: string;
      readonly jf?: string;
    };

const ldh = (k: number): Step => ({ code: BpfOp.LD_H_ABS, k });
const ldbx = (k: number): Step => ({ code: BpfOp.LD_B_IND, k });
const ldx = (k: number): Step => ({ code: BpfOp.LDX_IMM, k });
const ja = (target: string): Step => ({ code: BpfOp.JA, k: 0, jt: target });
const jeq = (k: number, jt: string, jf?: string): Step =>
  jf === undefined ? { code: BpfOp.JEQ_K, k, jt } : { code: BpfOp.JEQ_K, k, jt, jf };
const ret = (k: number): Step => ({ code: BpfOp.RET_K, k });
const label = (name: string): Step => ({ label: name });

/** Tests A against the types the filter follows at one position: ARP, RARP, IPv6, a further tag. */
function typeChecks(ipv6: string, tag: string | undefined): Step[] {
  const tags = [EtherType.VLAN, EtherType.QINQ, EtherType.QINQ_LEGACY];
  return [
    jeq(EtherType.ARP, 'accept'),
    jeq(EtherType.RARP, 'accept'),
    jeq(EtherType.IPV6, ipv6),
    ...(tag === undefined ? [] : tags.map((tpid) => jeq(tpid, tag))),
    ret(0),
  ];
}

/**
 * Turns labels into the relative offsets classic BPF wants: jumps only go forward, `jt`/`jf` by
 * at most 255 and `ja` by its k. Throws on a missing label or a backward jump.
 */
function assemble(steps: readonly Step[]): readonly SockFilterInstruction[] {
  const labels = new Map<string, number>();
  let pc = 0;
  for (const step of steps) {
    if ('label' in step) labels.set(step.label, pc);
    else pc++;
  }
  const program: SockFilterInstruction[] = [];
  for (const step of steps) {
    if ('label' in step) continue;
    const next = program.length + 1;
    const offset = (target: string | undefined): number => {
      if (target === undefined) return 0;
      const to = labels.get(target);
      if (to === undefined || to < next || to - next > 255) {
        throw new Error(`bpf: bad jump to ${target} from ${next - 1}`);
      }
      return to - next;
    };
    if (step.code === BpfOp.JA) {
      program.push({ code: step.code, jt: 0, jf: 0, k: offset(step.jt) });
    } else {
      program.push({ code: step.code, jt: offset(step.jt), jf: offset(step.jf), k: step.k });
    }
  }
  return Object.freeze(program.map((instruction) => Object.freeze(instruction)));
}

/** Accepts ARP, RARP and ICMPv6 NS/NA, untagged or behind up to two tags left in the frame. */
export const ARP_ND_FILTER: readonly SockFilterInstruction[] = assemble([
  ldh(at.TYPE),
  ...typeChecks('ipv6-untagged', 'tagged'),
  label('tagged'),
  ldh(at.TYPE_AFTER_TAG),
  ...typeChecks('ipv6-one-tag', 'two-tags'),
  label('two-tags'),
  ldh(at.TYPE_AFTER_TWO_TAGS),
  ...typeChecks('ipv6-two-tags', undefined),
  label('ipv6-untagged'),
  ldx(0),
  ja('ipv6'),
  label('ipv6-one-tag'),
  ldx(VLAN_TAG_LEN),
  ja('ipv6'),
  label('ipv6-two-tags'),
  ldx(2 * VLAN_TAG_LEN),
  label('ipv6'),
  ldbx(at.NEXT_HEADER),
  jeq(IpNextHeader.ICMPV6, 'icmpv6', 'drop'),
  label('icmpv6'),
  ldbx(at.ICMPV6_TYPE),
  jeq(Icmpv6Type.NEIGHBOR_SOLICITATION, 'accept'),
  jeq(Icmpv6Type.NEIGHBOR_ADVERTISEMENT, 'accept'),
  label('drop'),
  ret(0),
  label('accept'),
  ret(BPF_ACCEPT),
]);

/**
 * tshark as the second reader of the peer-tool tests: run it on a capture file and read the
 * fields it prints. Tests call their `peerToolGate(['tshark'], …)` first; every run here is
 * bounded by `TSHARK_TIMEOUT_MS`, which a test's own timeout should exceed.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** How long one tshark run may take before it is killed. */
export const TSHARK_TIMEOUT_MS = 30_000;

/** Runs `tshark -n -r path …args` (no name resolution) and resolves with what it printed. */
export async function tsharkRead(path: string, args: readonly string[]): Promise<string> {
  const { stdout } = await run('tshark', ['-n', '-r', path, ...args], {
    timeout: TSHARK_TIMEOUT_MS,
    maxBuffer: 64 << 20,
  });
  return stdout;
}

/** One frame's `fields` as tshark prints them: every occurrence comma-separated, '' if absent. */
export type FieldValues<F extends string> = Readonly<Record<F, string>>;

/** Every frame of `path` read with `tshark -T fields -e …`, in file order. */
export async function tsharkFields<const F extends string>(
  path: string,
  fields: readonly F[],
): Promise<FieldValues<F>[]> {
  const options = ['-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a'];
  const stdout = await tsharkRead(path, [...options, ...fields.flatMap((field) => ['-e', field])]);
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const values = line.split('\t');
      assert.equal(values.length, fields.length, `tshark line: ${line}`);
      return Object.fromEntries(fields.map((field, i) => [field, values[i]])) as FieldValues<F>;
    });
}

/** One frame by the fields arpkit's reading is compared on; ARP fields '' when there is no ARP. */
export interface FrameRow {
  readonly frame: string;
  /** Epoch seconds with nine decimals. */
  readonly ts: string;
  readonly len: string;
  readonly caplen: string;
  /** The innermost ethertype, `0x0806`. */
  readonly ethertype: string;
  readonly op: string;
  readonly sha: string;
  readonly spa: string;
  readonly tha: string;
  readonly tpa: string;
  /** VLAN ids, outermost first, comma-separated. */
  readonly vlan: string;
}

const FRAME_FIELDS = [
  'frame.number',
  'frame.time_epoch',
  'frame.len',
  'frame.cap_len',
  'eth.type',
  'sll.etype',
  'vlan.etype',
  'arp.opcode',
  'arp.src.hw_mac',
  'arp.src.proto_ipv4',
  'arp.dst.hw_mac',
  'arp.dst.proto_ipv4',
  'ieee8021ad.id',
  'vlan.id',
] as const;

/** Every frame of `path` as tshark reads it: the innermost ethertype, 802.1ad ids before 802.1Q. */
export async function tsharkFrames(path: string): Promise<FrameRow[]> {
  const frames = await tsharkFields(path, FRAME_FIELDS);
  return frames.map((field) => {
    const [sec, fraction = ''] = field['frame.time_epoch'].split('.');
    return {
      frame: field['frame.number'],
      ts: `${sec}.${fraction.padEnd(9, '0')}`,
      len: field['frame.len'],
      caplen: field['frame.cap_len'],
      ethertype: field['vlan.etype'].split(',').at(-1) || field['sll.etype'] || field['eth.type'],
      op: field['arp.opcode'],
      sha: field['arp.src.hw_mac'],
      spa: field['arp.src.proto_ipv4'],
      tha: field['arp.dst.hw_mac'],
      tpa: field['arp.dst.proto_ipv4'],
      vlan: [field['ieee8021ad.id'], field['vlan.id']].filter(Boolean).join(','),
    };
  });
}

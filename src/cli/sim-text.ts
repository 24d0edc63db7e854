/**
 * What `arpkit sim` prints for people: a run's summary (a dozen lines, read in ten seconds, in
 * the manner of ping's and arping's closing statistics), a sweep's table, and `--list`. Only the
 * last line of a run, the events and the wall time, differs between two runs of one seed.
 */
import { type ParamSpec, type ParamValue, checkParam, describe } from '../sim/params.js';
import type { SimResult } from '../sim/run.js';
import { type Scenario, allSpecs } from '../sim/scenario.js';
import { policyHelp } from '../sim/neighbour/policy.js';
import type { Sweep } from '../sim/sweep.js';
import type { Timeline } from '../sim/timeline.js';
import { toSeconds } from '../sim/units.js';
import { DEFAULT_SEED } from './sim-args.js';

/** How many nodes the summary names for their ARP rate, and marks it lists. */
const PEAK_NODES = 4;
const MARKS = 4;

/** Where a run's files went, for the summary's last lines. */
export interface SimFiles {
  readonly plot?: string;
  readonly pcap?: { readonly file: string; readonly point: string };
}

/**
 * The parameters given that differ from the scenario's defaults, as `KEY=VALUE`: scenario
 * parameters in the scenario's order, then role parameters in the order given.
 */
export function nonDefaults(
  scenario: Scenario,
  values: Readonly<Record<string, ParamValue>>,
  given: ReadonlyMap<string, unknown>,
): string[] {
  const specs = new Map(allSpecs(scenario).map((spec) => [spec.key, spec]));
  const changed: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    if (specs.get(key)?.default !== value) changed.push(`${key}=${String(value)}`);
  }
  for (const [key, value] of given) {
    if (Object.hasOwn(values, key)) continue;
    const spec = specs.get(key);
    if (spec === undefined || !isDefault(spec, value)) changed.push(`${key}=${String(value)}`);
  }
  return changed;
}

/** Whether `value` is `spec`'s default (false for one it does not take: a role's other policy). */
function isDefault(spec: ParamSpec, value: unknown): boolean {
  try {
    return checkParam(spec, value) === spec.default;
  } catch {
    return false;
  }
}

/** The plot's title: the scenario, what differs from its defaults, and a seed not the default. */
export function plotTitle(scenario: string, changed: readonly string[], seed: number): string {
  const parts = changed.length === 0 ? ['defaults'] : [...changed];
  if (seed !== DEFAULT_SEED) parts.push(`seed ${seed}`);
  return `${scenario}: ${parts.join(', ')}`;
}

/** A run's summary, one string per line. */
export function summaryLines(
  result: SimResult,
  timeline: Timeline,
  changed: readonly string[],
  files: SimFiles = {},
): string[] {
  const flows = `${count(result.flows)} ${result.flows === 1 ? 'flow' : 'flows'}`;
  const lines = [
    `${result.scenario}, seed ${result.seed}: ${duration(result.durationSeconds)} simulated, ${flows}`,
    `parameters: ${changed.length === 0 ? 'defaults' : changed.join(' ')}`,
  ];
  if (timeline.marks.length > 0) {
    const marks = timeline.marks.slice(0, MARKS).map((mark) => {
      return `${duration(toSeconds(mark.time))} ${mark.label}`;
    });
    const more = timeline.marks.length - MARKS;
    lines.push(`timeline: ${marks.join(', ')}${more > 0 ? `, ${more} more` : ''}`);
  }
  lines.push(recoveryLine(result), packetLine(result));
  const drops = Object.entries(result.policerDropsBy).map(([node, n]) => `${node} ${count(n)}`);
  lines.push(
    `policer drops: ${result.policerDrops === 0 ? 'none' : `${count(result.policerDrops)} (${drops.join(', ')})`}`,
  );
  const peaks = Object.entries(result.peakArpPps);
  const named = peaks.slice(0, PEAK_NODES).map(([node, pps]) => `${node} ${count(pps)}/s`);
  if (peaks.length > PEAK_NODES) named.push('…');
  lines.push(`peak ARP rate: ${named.length === 0 ? 'none sent' : named.join(', ')}`);
  const details = Object.entries(result.details).map(([key, value]) => `${key} ${value}`);
  if (details.length > 0) lines.push(`details: ${details.join(', ')}`);
  if (result.worstFlows.length > 0) {
    lines.push('worst flows:');
    const width = Math.max(...result.worstFlows.map((flow) => flow.name.length));
    for (const flow of result.worstFlows) {
      const recovered =
        flow.recovery === null ? 'not recovered' : `recovered after ${seconds(flow.recovery)}`;
      lines.push(`  ${flow.name.padEnd(width)}  ${recovered}, ${count(flow.lost)} lost`);
    }
  }
  if (files.pcap !== undefined) {
    lines.push(`pcap: ${files.pcap.file}, what ${files.pcap.point} sent and received`);
  }
  if (files.plot !== undefined) lines.push(`plot: ${files.plot}`);
  lines.push(`${count(result.events)} events in ${result.wallSeconds} s of wall time`);
  return lines;
}

/** Recovery percentiles over the flows that lost packets. */
function recoveryLine(result: SimResult): string {
  if (result.affectedFlows === 0) return 'recovery: no flow lost a packet';
  const from =
    result.triggerSeconds === null
      ? 'from the start of each outage'
      : `from ${duration(result.triggerSeconds)}`;
  const { p50, p99, max } = result.recovery;
  const unrecovered =
    result.unrecoveredFlows > 0 ? `, ${count(result.unrecoveredFlows)} not recovered` : '';
  return (
    `recovery ${from}: p50 ${recovery(p50)}, p99 ${recovery(p99)}, max ${recovery(max)}` +
    ` (${count(result.affectedFlows)} of ${count(result.flows)} flows lost packets${unrecovered})`
  );
}

/** Packets sent and lost, and the causes that lost any. */
function packetLine(result: SimResult): string {
  const sent = `packets: ${count(result.sent)} sent`;
  if (result.lost === 0) return `${sent}, none lost`;
  const share = Number(((result.lost / result.sent) * 100).toPrecision(3));
  const causes = Object.entries(result.lostBy)
    .filter(([, n]) => n > 0)
    .map(([cause, n]) => `${cause} ${count(n)}`);
  return `${sent}, ${count(result.lost)} lost (${share}%): ${causes.join(', ')}`;
}

/** A sweep's table: a header line, a row per value in order, and the threads and wall time. */
export function sweepTable(
  sweep: Sweep,
  results: readonly SimResult[],
  changed: readonly string[],
  footer: { threads: number; wallSeconds: number },
): string[] {
  const { key } = sweep;
  const first = results[0];
  const title = first === undefined ? '' : `${first.scenario}, seed ${first.seed}: `;
  const rest = changed.filter((each) => !each.startsWith(`${key}=`));
  const lines = [
    `${title}${key} over ${results.length} ${results.length === 1 ? 'value' : 'values'}` +
      (rest.length === 0 ? '' : `; ${rest.join(' ')}`),
  ];
  const head = [key, 'p50 s', 'p99 s', 'max s', 'lost', 'policer drops', 'peak ARP/s', 'wall s'];
  const rows = results.map((result, i) => [
    String(sweep.values[i]),
    tableSeconds(result.affectedFlows === 0 ? 0 : result.recovery.p50),
    tableSeconds(result.affectedFlows === 0 ? 0 : result.recovery.p99),
    tableSeconds(result.affectedFlows === 0 ? 0 : result.recovery.max),
    count(result.lost),
    count(result.policerDrops),
    count(Math.max(0, ...Object.values(result.peakArpPps))),
    result.wallSeconds.toFixed(3),
  ]);
  const widths = head.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i]!.length)));
  // The value column reads left to right; the figures line up on the right.
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  lines.push(line(head), ...rows.map(line));
  const runs = `${results.length} ${results.length === 1 ? 'run' : 'runs'}`;
  const threads = `${footer.threads} ${footer.threads === 1 ? 'thread' : 'threads'}`;
  lines.push(`${runs} on ${threads} in ${footer.wallSeconds} s of wall time`);
  return lines;
}

/** `--list`: every scenario and its summary. */
export function scenarioListLines(scenarios: readonly Scenario[]): string[] {
  const width = Math.max(...scenarios.map((scenario) => scenario.name.length));
  return [
    ...scenarios.map((scenario) => `${scenario.name.padEnd(width)}  ${scenario.summary}`),
    'Parameters of one: arpkit sim --list SCENARIO',
  ];
}

/** `--list SCENARIO`: its parameters with defaults, then each role's policy and its knobs. */
export function paramListLines(scenario: Scenario): string[] {
  const specs = allSpecs(scenario).map((spec) => {
    const role = spec.key.endsWith('.policy') ? spec.key.slice(0, -'.policy'.length) : undefined;
    if (role === undefined || !Object.hasOwn(scenario.roles, role)) return spec;
    return {
      ...spec,
      help: `its neighbour policy (${spec.default}: ${policyHelp(String(spec.default))})`,
    };
  });
  const heads = specs.map((spec) => `${spec.key}=${String(spec.default)}`);
  const width = Math.min(40, Math.max(0, ...heads.map((head) => head.length)));
  const line = (spec: ParamSpec): string => {
    const head = `${spec.key}=${String(spec.default)}`;
    return `  ${head.padEnd(width)}  ${spec.help} (${describe(spec)})`;
  };
  const lines = [`${scenario.name}: ${scenario.summary}`, 'parameters (--set KEY=VALUE):'];
  lines.push(...specs.filter((spec) => !spec.key.includes('.')).map(line));
  for (const [role, { help }] of Object.entries(scenario.roles)) {
    lines.push(`role ${role}: ${help}`);
    lines.push(...specs.filter((spec) => spec.key.startsWith(`${role}.`)).map(line));
  }
  return lines;
}

/** Parameter specs for `--list --json`. */
export function paramListJson(scenario: Scenario): object {
  return {
    name: scenario.name,
    summary: scenario.summary,
    params: allSpecs(scenario).map((spec) => ({
      key: spec.key,
      default: spec.default,
      values: describe(spec),
      help: spec.help,
    })),
  };
}

/** A recovery time, or "not recovered". */
function recovery(value: number | null): string {
  return value === null ? 'not recovered' : seconds(value);
}

/** A measured time as a person reads it: `42.354 s`, `113.8 ms`, `0.352 ms`, `0 s`. */
export function seconds(value: number): string {
  if (value === 0) return '0 s';
  if (value >= 1) return `${value.toFixed(3)} s`;
  return `${(value * 1000).toFixed(value >= 0.01 ? 1 : 3)} ms`;
}

/** A moment or length of the scenario: `60 s`, `10.1 s`. */
function duration(value: number): string {
  return `${round(value, 3)} s`;
}

/** Seconds in a table: three decimals (two significant digits under 1 ms); "never" for null. */
function tableSeconds(value: number | null): string {
  if (value === null) return 'never';
  return value === 0 || value >= 0.001 ? value.toFixed(3) : value.toPrecision(2);
}

/** A count with thousands separators: 10,585. */
export function count(value: number): string {
  const text = String(Number.isInteger(value) ? value : Number(value.toPrecision(4)));
  const [whole = '', fraction] = text.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

function round(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}

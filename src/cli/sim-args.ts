/**
 * `arpkit sim`'s command line as one plan: the scenario (named, or from `--file`), the seed,
 * the parameters (`--set` over the file's `set:`), the sweep, and where a run's pcap and plot
 * go. Every parameter is checked against the scenario before anything runs; errors are
 * UsageErrors naming the option (`--set: guests: "x" is not an integer in 0..100000`) or the
 * file, line and key.
 */
import { ParamError, type ParamValue, parseParam } from '../sim/params.js';
import { Params, type Scenario, allSpecs } from '../sim/scenario.js';
import type { ScenarioFile } from '../sim/scenario-file.js';
import { SCENARIOS, scenarioNamed } from '../sim/scenarios/index.js';
import { type Sweep, rangeValues } from '../sim/sweep.js';
import { ConfigError } from '../io/config-error.js';
import { UsageError } from './errors.js';
import { parseWhole } from './values.js';

/** `arpkit sim` options as commander hands them over. */
export interface SimFlags {
  readonly list?: boolean;
  readonly file?: string;
  readonly seed?: string;
  readonly set: string[];
  readonly sweep?: string;
  readonly json?: boolean;
  readonly plot?: string;
  readonly pcap?: string;
  readonly capture?: string;
}

/** What one `arpkit sim` run does. */
export interface SimPlan {
  readonly scenario: Scenario;
  readonly seed: number;
  /** The file's `set:`, then `--set`, in that order (a later key wins). */
  readonly params: ReadonlyMap<string, unknown>;
  readonly sweep: Sweep | undefined;
  readonly json: boolean;
  readonly plot: string | undefined;
  readonly pcap: string | undefined;
  /** `--capture`; undefined means the scenario's first capture point. */
  readonly capture: string | undefined;
  /** A UsageError for a ParamError a run threw, naming where the parameter came from. */
  blame(error: ParamError): UsageError;
}

/** The default `--seed`. */
export const DEFAULT_SEED = 1;

/** Reads the command line (and the `--file`) into a plan; throws a UsageError. */
export async function simPlan(name: string | undefined, flags: SimFlags): Promise<SimPlan> {
  if (flags.capture !== undefined && flags.pcap === undefined) {
    throw new UsageError(`--capture: says where --pcap captures; give --pcap FILE too`);
  }
  const file = flags.file === undefined ? undefined : await fileOf(flags.file, name);
  const scenario = file?.scenario ?? scenarioOf(name);
  const seed =
    flags.seed === undefined
      ? (file?.seed ?? DEFAULT_SEED)
      : parseWhole('--seed', flags.seed, 0, 0xffff_ffff);
  const given = parseSets(flags.set);
  const params = new Map<string, unknown>([...(file?.set ?? []), ...given]);
  checkParams('--set', scenario, params);
  const sweep = flags.sweep === undefined ? file?.sweep : parseSweep(scenario, params, flags.sweep);
  if (sweep !== undefined && (flags.plot !== undefined || flags.pcap !== undefined)) {
    const what = flags.sweep === undefined ? `${flags.file} has a sweep` : '--sweep';
    throw new UsageError(
      `--plot and --pcap show one run; ${what} makes many (drop one or the other)`,
    );
  }
  return {
    scenario,
    seed,
    params,
    sweep,
    json: flags.json === true,
    plot: flags.plot,
    pcap: flags.pcap,
    capture: flags.capture,
    blame: (error) => blame(error, { given, file, sweep, sweepFlag: flags.sweep !== undefined }),
  };
}

/** The built-in scenario `name`; a UsageError naming the known ones when there is none. */
export function scenarioOf(name: string | undefined): Scenario {
  const known = SCENARIOS.map((scenario) => scenario.name).join(', ');
  if (name === undefined) {
    throw new UsageError(`sim: name a scenario or give --file FILE (scenarios: ${known})`);
  }
  const scenario = scenarioNamed(name);
  if (scenario === undefined) {
    throw new UsageError(`sim: "${name}" is not a scenario (scenarios: ${known})`);
  }
  return scenario;
}

/** `--set KEY=VALUE...` in order, values as text (the scenario parses them). */
export function parseSets(texts: readonly string[]): Map<string, string> {
  const sets = new Map<string, string>();
  for (const text of texts) {
    const equals = text.indexOf('=');
    if (equals <= 0) {
      throw new UsageError(
        `--set: "${text}" is not KEY=VALUE (e.g. guests=20; see arpkit sim --list SCENARIO)`,
      );
    }
    sets.set(text.slice(0, equals).trim(), text.slice(equals + 1).trim());
  }
  return sets;
}

/**
 * `--sweep KEY=A..B[:STEP]` (a number parameter) or `KEY=a,b,c` (any), each value checked with
 * the other parameters; throws a UsageError naming `--sweep`.
 */
export function parseSweep(
  scenario: Scenario,
  params: ReadonlyMap<string, unknown>,
  text: string,
): Sweep {
  const match = /^([^=]+)=(.+)$/.exec(text.trim());
  if (match === null) {
    throw new UsageError(
      `--sweep: "${text}" is not KEY=FROM..TO[:STEP] or KEY=A,B,C (e.g. guests=1..64:8)`,
    );
  }
  const key = match[1]!.trim();
  const body = match[2]!.trim();
  const spec = allSpecs(scenario).find((each) => each.key === key);
  let values: ParamValue[];
  try {
    const dots = body.indexOf('..');
    if (dots >= 0) {
      if (spec === undefined) {
        throw new ParamError(`${key}: scenario ${scenario.name} has no such parameter`);
      }
      const [to, step, extra] = body.slice(dots + 2).split(':');
      if (extra !== undefined) throw new ParamError(`${key}: "${body}" has two steps`);
      const bound = (part: string): number => number(key, part, text);
      values = rangeValues(
        spec,
        bound(body.slice(0, dots)),
        bound(to!),
        step === undefined ? undefined : bound(step),
      );
    } else {
      const parts = body.split(',').map((part) => part.trim());
      values = parts.map((part) => (spec === undefined ? part : parseParam(spec, part)));
    }
    for (const value of values) new Params(scenario, new Map([...params, [key, value]]));
  } catch (error) {
    if (error instanceof ParamError) throw new UsageError(`--sweep: ${error.message}`);
    throw error;
  }
  return { key, values };
}

/** A bound or step of a range, or a ParamError echoing the whole `--sweep`. */
function number(key: string, part: string, text: string): number {
  const value = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?\s*$/i.test(part) ? Number(part) : NaN;
  if (Number.isNaN(value)) {
    throw new ParamError(`${key}: "${part}" in "${text}" is not a number (e.g. ${key}=1..64:8)`);
  }
  return value;
}

/** The scenario file at `path`; with a scenario named as well, a usage error. */
async function fileOf(path: string, name: string | undefined): Promise<ScenarioFile> {
  if (name !== undefined) {
    throw new UsageError(`--file: the file names the scenario; drop "${name}"`);
  }
  try {
    // Loaded only for a file: the YAML parser and the schema validator cost a run 0.1 s.
    const { loadScenarioFile } = await import('../sim/scenario-file.js');
    return await loadScenarioFile(path);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}

/** Checks `params` against `scenario`; a ParamError becomes a UsageError naming `option`. */
function checkParams(option: string, scenario: Scenario, params: ReadonlyMap<string, unknown>) {
  try {
    new Params(scenario, params);
  } catch (error) {
    if (error instanceof ParamError) throw new UsageError(`${option}: ${error.message}`);
    throw error;
  }
}

/** Where a plan's parameters came from: `--set`, `--sweep`, the file's `set:` or `sweep:`. */
interface Sources {
  readonly given: ReadonlyMap<string, string>;
  readonly file: ScenarioFile | undefined;
  readonly sweep: Sweep | undefined;
  /** Whether the sweep is `--sweep`'s (else the file's). */
  readonly sweepFlag: boolean;
}

/** A ParamError of a run as a UsageError naming the option or file line its key came from. */
function blame(error: ParamError, { given, file, sweep, sweepFlag }: Sources): UsageError {
  const { message } = error;
  const key = message.slice(0, Math.max(0, message.indexOf(': ')));
  if (message.startsWith('--') || key === '') return new UsageError(message);
  const inFile = (path: readonly string[], reason: string): UsageError =>
    new UsageError(new ConfigError(file!.file, file!.lineOf(path), path, reason).message);
  if (sweep?.key === key) {
    return sweepFlag ? new UsageError(`--sweep: ${message}`) : inFile(['sweep'], message);
  }
  if (given.has(key)) return new UsageError(`--set: ${message}`);
  if (file?.set.has(key) === true) return inFile(['set', key], message.slice(key.length + 2));
  return new UsageError(message);
}

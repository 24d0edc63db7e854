/**
 * Reads an `arpkit sim --file` scenario, YAML or JSON (JSON is YAML to the parser):
 *
 *     scenario: bond-failover
 *     seed: 7
 *     set: { announce: bonding, guests: 20 }
 *     sweep: { key: num_grat_arp, from: 0, to: 5 }     # or values: [0, 1, 5]
 *
 * Checked as `arpkit watch --config` files are (`watch/config-file.ts`): the YAML itself (syntax,
 * duplicate keys, one document), its shape against a JSON Schema (unknown keys, types), then the
 * values against the scenario's parameters. Every error is a `ConfigError` whose one-line
 * message names the file, the line and the key: `sim.yaml:3: set.guests: "x" is not an integer…`.
 */
import { readFile } from 'node:fs/promises';
import { Ajv, type ErrorObject } from 'ajv';
import { type Document, isMap, isScalar, isSeq, LineCounter, parseAllDocuments } from 'yaml';
import { describeFsError } from '../io/fs-error.js';
import { ConfigError } from '../watch/config-file.js';
import type { SchemaNode } from '../watch/config-schema.js';
import { ParamError, type ParamValue, checkParam } from './params.js';
import { Params, type Scenario, allSpecs } from './scenario.js';
import { SCENARIOS, scenarioNamed } from './scenarios/index.js';
import { MAX_SWEEP_VALUES, rangeValues, type Sweep } from './sweep.js';

/** A path into the file: `['set', 'guests']`; `[]` for the file as a whole. */
type FilePath = readonly (string | number)[];

const VALUE = { type: ['number', 'boolean', 'string'], expected: 'a number, true, false or text' };

/** The JSON Schema (draft-07) of a scenario file; `expected` words the error messages. */
export const SCENARIO_FILE_SCHEMA: SchemaNode = {
  type: 'object',
  additionalProperties: false,
  required: ['scenario'],
  expected: 'a mapping with scenario: NAME and optionally seed, set and sweep',
  properties: {
    scenario: { type: 'string', expected: 'a scenario name (see arpkit sim --list)' },
    seed: {
      type: 'integer',
      minimum: 0,
      maximum: 0xffff_ffff,
      expected: 'a whole number from 0 to 4294967295',
    },
    set: {
      type: 'object',
      additionalProperties: VALUE,
      expected: 'a mapping of parameter: value (e.g. { announce: none, guests: 20 })',
    },
    sweep: {
      type: 'object',
      additionalProperties: false,
      required: ['key'],
      expected: 'a mapping with key and either from, to (and step) or values',
      properties: {
        key: { type: 'string', expected: 'a parameter name' },
        from: { type: 'number', expected: 'a number' },
        to: { type: 'number', expected: 'a number' },
        step: { type: 'number', exclusiveMinimum: 0, expected: 'a number above 0' },
        values: {
          type: 'array',
          minItems: 1,
          maxItems: MAX_SWEEP_VALUES,
          items: VALUE,
          expected: `a list of 1 to ${MAX_SWEEP_VALUES} values (e.g. [none, bonding, arpkit])`,
        },
      },
    },
  },
};

/** The schema, compiled once: strict, the first error only, with its schema node. */
const validate = new Ajv({ strict: true, allErrors: false, verbose: true, allowUnionTypes: true })
  .addKeyword({ keyword: 'expected', schemaType: 'string' })
  .compile(SCENARIO_FILE_SCHEMA);

/** The file as the schema admits it. */
interface FileData {
  readonly scenario: string;
  readonly seed?: number;
  readonly set?: Readonly<Record<string, ParamValue>>;
  readonly sweep?: {
    readonly key: string;
    readonly from?: number;
    readonly to?: number;
    readonly step?: number;
    readonly values?: readonly ParamValue[];
  };
}

/** A scenario file, checked against its scenario. */
export interface ScenarioFile {
  readonly file: string;
  readonly scenario: Scenario;
  readonly seed: number | undefined;
  /** `set:` in the file's order, values as written (numbers, booleans, text). */
  readonly set: ReadonlyMap<string, ParamValue>;
  readonly sweep: Sweep | undefined;
  /** The line `path` is on, for errors found later (a run that refuses a value). */
  lineOf(path: FilePath): number | undefined;
}

/** Reads and checks the scenario file at `path`; throws a ConfigError. */
export async function loadScenarioFile(path: string): Promise<ScenarioFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, undefined, [], `cannot read: ${describeFsError(error)}`);
  }
  return parseScenarioText(text, path);
}

/** Parses and checks a scenario file's text; `file` names it in errors. Throws a ConfigError. */
export function parseScenarioText(text: string, file: string): ScenarioFile {
  const { data, lineOf } = readDocument(text, file);
  const fail = (path: FilePath, reason: string): never => {
    throw new ConfigError(file, lineOf(path), path, reason);
  };
  if (!validate(data)) {
    const { path, at, reason } = schemaProblem(validate.errors![0]!, data);
    throw new ConfigError(file, lineOf(at), path, reason);
  }
  const input = data as FileData;
  const scenario = scenarioNamed(input.scenario);
  if (scenario === undefined) {
    const known = SCENARIOS.map((each) => each.name).join(', ');
    return fail(['scenario'], `${quoted(input.scenario)} is not a scenario (scenarios: ${known})`);
  }
  const set = new Map(Object.entries(input.set ?? {}));
  try {
    new Params(scenario, set);
  } catch (error) {
    if (!(error instanceof ParamError)) throw error;
    const key = [...set.keys()].find((each) => error.message.startsWith(`${each}: `));
    if (key === undefined) return fail(['set'], error.message);
    return fail(['set', key], error.message.slice(key.length + 2));
  }
  const sweep = input.sweep === undefined ? undefined : sweepOf(scenario, set, input.sweep, fail);
  return { file, scenario, seed: input.seed, set, sweep, lineOf };
}

/** The file's sweep, each value checked with the file's other values. */
function sweepOf(
  scenario: Scenario,
  set: ReadonlyMap<string, ParamValue>,
  input: NonNullable<FileData['sweep']>,
  fail: (path: FilePath, reason: string) => never,
): Sweep {
  const { key, from, to, step, values } = input;
  const spec = allSpecs(scenario).find((each) => each.key === key);
  const bounds = from !== undefined || to !== undefined || step !== undefined;
  if (values !== undefined && bounds) {
    return fail(['sweep', 'values'], 'give either values or from and to, not both');
  }
  let chosen: readonly ParamValue[];
  if (values !== undefined) {
    chosen = values;
  } else {
    if (from === undefined || to === undefined) {
      return fail(['sweep'], 'expected from and to (and step), or values');
    }
    if (spec === undefined) {
      return fail(
        ['sweep', 'key'],
        `${quoted(key)}: scenario ${scenario.name} has no such parameter`,
      );
    }
    try {
      chosen = rangeValues(spec, from, to, step);
    } catch (error) {
      if (!(error instanceof ParamError)) throw error;
      return fail(['sweep'], error.message);
    }
  }
  for (const [i, value] of chosen.entries()) {
    try {
      if (spec !== undefined) checkParam(spec, value);
      new Params(scenario, new Map([...set, [key, value]]));
    } catch (error) {
      if (!(error instanceof ParamError)) throw error;
      return fail(values === undefined ? ['sweep'] : ['sweep', 'values', i], error.message);
    }
  }
  return { key, values: chosen };
}

/**
 * The YAML of `text` as plain data, and a way from a path to its line. Throws a ConfigError for
 * a syntax error, a duplicate key, an empty file or a second document.
 */
function readDocument(
  text: string,
  file: string,
): { data: unknown; lineOf: (path: FilePath) => number | undefined } {
  const lines = new LineCounter();
  // An error at the end of the text (an unclosed quote) is on the last line, not after it.
  const lineAt = (offset: number): number =>
    lines.linePos(Math.min(offset, Math.max(0, text.length - 1))).line;
  const docs = parseAllDocuments(text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
    logLevel: 'silent',
  });
  const doc = docs[0];
  const problem = doc?.errors[0] ?? doc?.warnings[0];
  if (doc !== undefined && problem !== undefined) {
    const line = lineAt(problem.pos[0]);
    if (problem.code === 'DUPLICATE_KEY') {
      const [path, key] = keyAt(doc, problem.pos[0]) ?? [[], ''];
      throw new ConfigError(file, line, path, `duplicate key ${quoted(key)}`);
    }
    throw new ConfigError(file, line, [], `invalid YAML: ${problem.message}`);
  }
  if (
    doc === undefined ||
    doc.contents === null ||
    (isScalar(doc.contents) && doc.contents.value === null)
  ) {
    throw new ConfigError(file, undefined, [], `empty; expected ${SCENARIO_FILE_SCHEMA.expected}`);
  }
  const second = docs[1];
  if (second !== undefined) {
    const reason = 'a second YAML document (after ---); expected one';
    throw new ConfigError(file, lineAt(second.range[0]), [], reason);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    const reason = `invalid YAML: ${error instanceof Error ? error.message : String(error)}`;
    throw new ConfigError(file, undefined, [], reason);
  }
  const lineOf = (path: FilePath): number | undefined => {
    const offset = offsetOf(doc, path);
    return offset === undefined ? undefined : lineAt(offset);
  };
  return { data, lineOf };
}

/** Ajv's first error in the schema's words: the path, the path whose line it is on, the reason. */
function schemaProblem(
  error: ErrorObject,
  data: unknown,
): { path: FilePath; at: FilePath; reason: string } {
  const path = pathOf(error.instancePath, data);
  const node = (error.parentSchema ?? {}) as SchemaNode;
  if (error.keyword === 'additionalProperties') {
    const key = String((error.params as { additionalProperty: unknown }).additionalProperty);
    const here = Object.keys(node.properties ?? {}).join(', ');
    const hint = path.length === 0 ? '; parameters go under set' : '';
    return {
      path,
      at: [...path, key],
      reason: `unknown key ${quoted(key)} (keys here: ${here}${hint})`,
    };
  }
  if (error.keyword === 'required') {
    const key = String((error.params as { missingProperty: unknown }).missingProperty);
    return { path, at: path, reason: `no ${key}; expected ${node.expected ?? key}` };
  }
  const expected = node.expected ?? error.message ?? 'something else';
  return { path, at: path, reason: `expected ${expected}, not ${described(error.data)}` };
}

/** A JSON pointer (`/sweep/values/1`) as a path, with list indexes as numbers. */
function pathOf(pointer: string, data: unknown): FilePath {
  const path: (string | number)[] = [];
  let value = data;
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    const index = Array.isArray(value) ? Number(part) : undefined;
    path.push(index ?? part);
    value = (value as Record<string | number, unknown> | undefined)?.[index ?? part];
  }
  return path;
}

/** The offset of the deepest node of `path` in `doc` that exists: a key's own, or a list item's. */
function offsetOf(doc: Document, path: FilePath): number | undefined {
  let node: unknown = doc.contents;
  let offset: number | undefined = rangeStart(node);
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find((each) => keyText(each.key) === String(part));
      if (pair === undefined) break;
      offset = rangeStart(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof part === 'number' && node.items[part] !== undefined) {
      node = node.items[part];
      offset = rangeStart(node) ?? offset;
    } else {
      break;
    }
  }
  return offset;
}

/** The map key starting at `offset` (a duplicate yaml reports), with the path of its map. */
function keyAt(doc: Document, offset: number): [FilePath, string] | undefined {
  const search = (node: unknown, path: FilePath): [FilePath, string] | undefined => {
    const items = isMap(node) ? node.items : isSeq(node) ? node.items : [];
    for (const [i, item] of items.entries()) {
      if (isMap(node) && rangeStart((item as { key: unknown }).key) === offset) {
        return [path, keyText((item as { key: unknown }).key)];
      }
      const child = isMap(node) ? (item as { value: unknown }).value : item;
      const step = isMap(node) ? keyText((item as { key: unknown }).key) : i;
      const found = search(child, [...path, step]);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return search(doc.contents, []);
}

/** A map key as `toJS` names it. */
function keyText(key: unknown): string {
  if (isScalar(key)) return String(key.value ?? '');
  return key === null || key === undefined ? '' : String(key);
}

/** Where a node starts in the text, if it is a node. */
function rangeStart(node: unknown): number | undefined {
  if (node === null || typeof node !== 'object') return undefined;
  return (node as { range?: readonly number[] }).range?.[0];
}

/** A value as a message describes what was found instead. */
function described(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return quoted(value);
  return String(value);
}

/** Text in double quotes, escaped, cut to 40 characters. */
function quoted(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 39)}…` : text);
}

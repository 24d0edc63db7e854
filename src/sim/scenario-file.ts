/**
 * Reads an `arpkit sim --file` scenario, YAML or JSON (JSON is YAML to the parser):
 *
 *     scenario: bond-failover
 *     seed: 7
 *     set: { announce: bonding, guests: 20 }
 *     sweep: { key: num_grat_arp, from: 0, to: 5 }     # or values: [0, 1, 5]
 *
 * Checked as `arpkit watch --config` files are (`io/yaml-document.ts`): the YAML itself (syntax,
 * duplicate keys, one document), its shape against a JSON Schema (unknown keys, types), then the
 * values against the scenario's parameters. Every error is a `ConfigError` whose one-line
 * message names the file, the line and the key: `sim.yaml:3: set.guests: "x" is not an integer…`.
 */
import {
  checkSchema,
  compileSchema,
  type DocumentPath,
  parseDocument,
  quoted,
  readDocumentText,
} from '../io/yaml-document.js';
import type { SchemaNode } from '../watch/config-schema.js';
import { ParamError, type ParamValue, checkParam } from './params.js';
import { Params, type Scenario, allSpecs } from './scenario.js';
import { SCENARIOS, scenarioNamed } from './scenarios/index.js';
import { MAX_SWEEP_VALUES, rangeValues, type Sweep } from './sweep.js';

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

/** The schema, compiled once. */
const validate = compileSchema(SCENARIO_FILE_SCHEMA);

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
  lineOf(path: DocumentPath): number | undefined;
}

/** Reads and checks the scenario file at `path`; throws a ConfigError. */
export async function loadScenarioFile(path: string): Promise<ScenarioFile> {
  return parseScenarioText(await readDocumentText(path), path);
}

/** Parses and checks a scenario file's text; `file` names it in errors. Throws a ConfigError. */
export function parseScenarioText(text: string, file: string): ScenarioFile {
  const doc = parseDocument(text, file, {
    empty: `empty; expected ${SCENARIO_FILE_SCHEMA.expected}`,
    rootLine: true,
    throughAliases: false,
  });
  const { lineOf, fail } = doc;
  checkSchema(doc, validate, (_key, path) =>
    path.length === 0 ? '; parameters go under set' : '',
  );
  const input = doc.data as FileData;
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
  fail: (path: DocumentPath, reason: string) => never,
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

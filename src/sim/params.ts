/** A scenario parameter's value. */
export type ParamValue = number | string | boolean;

/** One parameter a scenario takes: its key, default and meaning. */
export interface ParamSpec {
  readonly key: string;
  readonly default: ParamValue;
  readonly help: string;
  /** For a string: the values allowed. */
  readonly choices?: readonly string[];
  /** For a number: the range allowed (inclusive), and whether it must be whole. */
  readonly min?: number;
  readonly max?: number;
  readonly integer?: boolean;
}

/** A parameter a user gave that the scenario does not accept or cannot read. */
export class ParamError extends Error {
  override readonly name = 'ParamError';
}

/**
 * Parses `text` as a value for `spec` (numbers, `true`/`false`, or one of its choices), or
 * throws a ParamError naming the key, the input and what was expected.
 */
export function parseParam(spec: ParamSpec, text: string): ParamValue {
  const fail = (expected: string): never => {
    throw new ParamError(`${spec.key}: "${text}" is not ${expected}`);
  };
  switch (typeof spec.default) {
    case 'boolean':
      if (/^(true|yes|on|1)$/i.test(text)) return true;
      if (/^(false|no|off|0)$/i.test(text)) return false;
      return fail('true or false');
    case 'number': {
      const value = /^[-+]?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$/i.test(text.trim())
        ? Number(text)
        : NaN;
      return checkNumber(spec, value, text);
    }
    default:
      if (spec.choices !== undefined && !spec.choices.includes(text)) {
        return fail(`one of ${spec.choices.join(', ')}`);
      }
      return text;
  }
}

/** Checks a value given as JSON/YAML (not text) against `spec`. */
export function checkParam(spec: ParamSpec, value: unknown): ParamValue {
  if (typeof value === 'string') return parseParam(spec, value);
  if (typeof value === 'number' && typeof spec.default === 'number') {
    return checkNumber(spec, value, String(value));
  }
  if (typeof value === 'boolean' && typeof spec.default === 'boolean') return value;
  throw new ParamError(`${spec.key}: ${JSON.stringify(value)} is not ${describe(spec)}`);
}

/** What kind of value `spec` takes, for messages and `--list`. */
export function describe(spec: ParamSpec): string {
  if (typeof spec.default === 'boolean') return 'true or false';
  if (typeof spec.default === 'string') {
    return spec.choices === undefined ? 'a string' : `one of ${spec.choices.join(', ')}`;
  }
  const kind = spec.integer === true ? 'an integer' : 'a number';
  const low = spec.min ?? -Infinity;
  const high = spec.max ?? Infinity;
  if (low === -Infinity && high === Infinity) return kind;
  if (high === Infinity) return `${kind} ≥ ${low}`;
  if (low === -Infinity) return `${kind} ≤ ${high}`;
  return `${kind} in ${low}..${high}`;
}

function checkNumber(spec: ParamSpec, value: number, text: string): number {
  const ok =
    Number.isFinite(value) &&
    (spec.integer !== true || Number.isInteger(value)) &&
    value >= (spec.min ?? -Infinity) &&
    value <= (spec.max ?? Infinity);
  if (!ok) throw new ParamError(`${spec.key}: "${text}" is not ${describe(spec)}`);
  return value;
}

/**
 * Reads an `arpkit watch` configuration file, YAML or JSON (JSON is YAML to the parser), into a
 * `WatchConfig`. Three checks run in turn, each stopping at its first error: the YAML itself
 * (syntax, duplicate keys, one document), its shape against `WATCH_CONFIG_SCHEMA` (unknown keys,
 * types), and its values in `buildWatchConfig`. Every error is a `ConfigError` with a one-line
 * message that names the file, the line and the key:
 *
 *     /etc/arpkit/watch.yaml:7: triggers.carrier-up[1]: "1.1x" is not a duration (e.g. 200ms, 1.1s, 2m)
 */
import { readFile } from 'node:fs/promises';
import { Ajv, type ErrorObject } from 'ajv';
import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
} from 'yaml';
import { describeFsError } from '../io/fs-error.js';
import { buildWatchConfig, type InputPath, type WatchInput } from './config-build.js';
import { type SchemaNode, WATCH_CONFIG_SCHEMA } from './config-schema.js';
import type { WatchConfig } from './watch-config.js';

/** The schema, compiled once: strict, the first error only, with its schema node (`verbose`). */
const validate = new Ajv({ strict: true, allErrors: false, verbose: true, allowUnionTypes: true })
  .addKeyword({ keyword: 'expected', schemaType: 'string' })
  .compile(WATCH_CONFIG_SCHEMA);

/** A path into the file: `['triggers', 'carrier-up', 1]`; `[]` for the file as a whole. */
type ConfigPath = readonly (string | number)[];

/** A configuration file that cannot be used; `message` is one line, `FILE:LINE: PATH: reason`. */
export class ConfigError extends Error {
  readonly file: string;
  /** The line (from 1) the error is on, when one is. */
  readonly line: number | undefined;
  /** The key the error is about; `[]` for the file as a whole. */
  readonly path: ConfigPath;
  /** What was expected, without the file, line and path. */
  readonly reason: string;

  constructor(file: string, line: number | undefined, path: ConfigPath, reason: string) {
    const where = line === undefined ? file : `${file}:${line}`;
    const key = path.length === 0 ? '' : `${formatConfigPath(path)}: `;
    super(oneLine(`${where}: ${key}${reason}`));
    this.name = 'ConfigError';
    this.file = file;
    this.line = line;
    this.path = path;
    this.reason = reason;
  }
}

/** `['triggers', 'carrier-up', 1]` → `triggers.carrier-up[1]`. */
export function formatConfigPath(path: ConfigPath): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join('');
}

/** Reads and parses the configuration file at `path`; throws a ConfigError. */
export async function loadConfig(path: string): Promise<WatchConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, undefined, [], `cannot read: ${describeFsError(error)}`);
  }
  return parseConfigText(text, path);
}

/** Parses a configuration's text; `file` names it in errors. Throws a ConfigError. */
export function parseConfigText(text: string, file: string): WatchConfig {
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
    const duplicate = problem.code === 'DUPLICATE_KEY' ? keyAt(doc, problem.pos[0]) : undefined;
    if (duplicate !== undefined) {
      const [path, key] = duplicate;
      throw new ConfigError(file, lineAt(problem.pos[0]), path, `duplicate key ${quoted(key)}`);
    }
    const reason = `invalid YAML: ${problem.message}`;
    throw new ConfigError(file, lineAt(problem.pos[0]), [], reason);
  }
  if (doc === undefined || doc.contents === null || isNullScalar(doc.contents)) {
    const reason = `no settings; expected ${WATCH_CONFIG_SCHEMA.expected}`;
    throw new ConfigError(file, undefined, [], reason);
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
  const lineOf = (path: ConfigPath): number | undefined => {
    const offset = offsetOf(doc, path);
    return offset === undefined ? undefined : lineAt(offset);
  };
  if (!validate(data)) {
    const { path, at, reason } = schemaProblem(validate.errors![0]!, data);
    throw new ConfigError(file, lineOf(at), path, reason);
  }
  return buildWatchConfig(inputOf(data as FileData), (inputPath, message) => {
    const path = filePathOf(inputPath);
    throw new ConfigError(file, lineOf(path), path, message);
  });
}

/** The file as the schema admits it: kebab-case keys in four sections. */
interface FileData {
  readonly [section: string]: unknown;
}

/**
 * Where each `WatchInput` key sits in the file: a section and a key in it, or a top-level key.
 * `inputOf` reads the file through it; `filePathOf` maps a builder's error path back.
 */
const FILE_KEYS: Readonly<Record<keyof WatchInput, readonly [string, string?]>> = {
  iface: ['announce', 'iface'],
  all: ['announce', 'all'],
  guests: ['announce', 'guests'],
  ip: ['announce', 'ip'],
  uplink: ['announce', 'uplink'],
  macFrame: ['announce', 'mac-frame'],
  rate: ['announce', 'rate'],
  bonds: ['watch', 'bonds'],
  links: ['watch', 'links'],
  bridges: ['watch', 'bridges'],
  addresses: ['watch', 'addresses'],
  triggers: ['triggers'],
  coalesce: ['coalesce'],
  refresh: ['refresh'],
};

/** The builder's input from a file the schema passed; `guests: false` is the same as none. */
function inputOf(data: FileData): WatchInput {
  const input: Record<string, unknown> = {};
  for (const [key, [section, name]] of Object.entries(FILE_KEYS)) {
    const value =
      name === undefined ? data[section] : (data[section] as FileData | undefined)?.[name];
    if (value !== undefined && !(key === 'guests' && value === false)) input[key] = value;
  }
  return input as WatchInput;
}

/** A builder's error path as a path into the file: `['macFrame']` → `['announce', 'mac-frame']`. */
function filePathOf(path: InputPath): ConfigPath {
  const [key, ...rest] = path;
  const place = typeof key === 'string' ? FILE_KEYS[key as keyof WatchInput] : undefined;
  if (place === undefined) return path;
  return [...place.filter((part) => part !== undefined), ...rest];
}

/**
 * Ajv's error in the words of the schema's `expected`: the path it reports, the path whose line
 * it is on (an unknown key's own line), and the reason.
 */
function schemaProblem(
  error: ErrorObject,
  data: unknown,
): { path: ConfigPath; at: ConfigPath; reason: string } {
  const path = pathOf(error.instancePath, data);
  const node = (error.parentSchema ?? {}) as SchemaNode;
  if (error.keyword === 'additionalProperties') {
    const key = String((error.params as { additionalProperty: unknown }).additionalProperty);
    const here = Object.keys(node.properties ?? {});
    const home = homeOf(key, path);
    const hint = home === undefined ? '' : `; ${key} goes ${home}`;
    return {
      path,
      at: [...path, key],
      reason: `unknown key ${quoted(key)} (keys here: ${here.join(', ')}${hint})`,
    };
  }
  const expected = node.expected ?? error.message ?? 'something else';
  return { path, at: path, reason: `expected ${expected}, not ${described(error.data)}` };
}

/** Where `key` belongs when it is a known key of another part of the file. */
function homeOf(key: string, path: ConfigPath): string | undefined {
  const sections = WATCH_CONFIG_SCHEMA.properties ?? {};
  if (path.length > 0 && key in sections) return 'at the top level';
  for (const [section, schema] of Object.entries(sections)) {
    if (section !== path[0] && key in (schema.properties ?? {})) return `under ${section}`;
  }
  return undefined;
}

/** A JSON pointer (`/triggers/carrier-up/1`) as a path, with list indexes as numbers. */
function pathOf(pointer: string, data: unknown): ConfigPath {
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

/** The offset of the deepest node of `path` in `doc`: a key's own, or a list item's. */
function offsetOf(doc: Document, path: ConfigPath): number | undefined {
  let node: unknown = doc.contents;
  let offset: number | undefined;
  for (const part of path) {
    if (isAlias(node)) node = node.resolve(doc);
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((each) => keyText(each.key) === String(part));
      if (pair === undefined) break;
      offset = rangeStart(pair.key) ?? offset;
      next = pair.value;
    } else if (isSeq(node) && typeof part === 'number') {
      next = node.items[part];
      if (next === undefined) break;
      offset = rangeStart(next) ?? offset;
    } else {
      break;
    }
    node = next;
  }
  return offset;
}

/** The map key starting at `offset` (a duplicate yaml reports), with the path of its map. */
function keyAt(doc: Document, offset: number): [ConfigPath, string] | undefined {
  const search = (node: unknown, path: ConfigPath): [ConfigPath, string] | undefined => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (rangeStart(pair.key) === offset) return [path, keyText(pair.key)];
        const found = search(pair.value, [...path, keyText(pair.key)]);
        if (found !== undefined) return found;
      }
    } else if (isSeq(node)) {
      for (const [i, item] of node.items.entries()) {
        const found = search(item, [...path, i]);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  };
  return search(doc.contents, []);
}

/** A map key as `toJS` names it: a scalar's value as text, an empty key as "". */
function keyText(key: unknown): string {
  if (isScalar(key)) return String(key.value ?? '');
  return key === null || key === undefined ? '' : String(key);
}

/** Where a node starts in the text, if it is a node. */
function rangeStart(node: unknown): number | undefined {
  if (node === null || typeof node !== 'object' || isPair(node)) return undefined;
  return (node as { range?: readonly number[] }).range?.[0];
}

/** True for a document that holds only `~`, `null` or nothing after `---`. */
function isNullScalar(node: unknown): boolean {
  return isScalar(node) && node.value === null;
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

/** `text` with control characters escaped, so a message stays on one line. */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => {
    const named: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    return named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

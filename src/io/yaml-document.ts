/**
 * A YAML or JSON document (JSON is YAML to the parser) whose errors point at a line: the shared
 * half of `arpkit watch --config` (`watch/config-file.ts`) and `arpkit sim --file`
 * (`sim/scenario-file.ts`). `parseDocument` checks the YAML itself (syntax, duplicate keys, one
 * document) and `checkSchema` its shape against a JSON Schema whose nodes carry `expected`, the
 * words a message uses for what belongs there; each stops at the first error. Every error is a
 * `ConfigError` with a one-line message that names the file, the line and the key:
 *
 *     /etc/arpkit/watch.yaml:7: triggers.carrier-up[1]: "1.1x" is not a duration (e.g. 200ms, 1.1s, 2m)
 */
import { readFile } from 'node:fs/promises';
import { Ajv, type ErrorObject, type SchemaObject, type ValidateFunction } from 'ajv';
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
} from 'yaml';
import { type DocumentPath, ConfigError } from './config-error.js';
import { describeFsError } from './fs-error.js';

export { ConfigError, type DocumentPath, formatConfigPath } from './config-error.js';

/** How one kind of file words an empty document and places a path on a line. */
export interface DocumentOptions {
  /** The reason for a document with nothing in it: `no settings; expected …`. */
  readonly empty: string;
  /** A path the document does not hold is on the line its contents start; otherwise on none. */
  readonly rootLine: boolean;
  /** A path goes on through an alias (`*a`) into its anchor's node; otherwise it stops there. */
  readonly throughAliases: boolean;
}

/** A parsed document: its data, the line a path is on, and an error at a path. */
export interface YamlDocument {
  readonly file: string;
  /** The document as plain data (`toJS`). */
  readonly data: unknown;
  /** The line (from 1) of the deepest node of `path` the document holds. */
  lineOf(path: DocumentPath): number | undefined;
  /** Throws a ConfigError about `path`, on its line. */
  fail(path: DocumentPath, reason: string): never;
}

/** Reads the text of the file at `path`; throws a ConfigError. */
export async function readDocumentText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, undefined, [], `cannot read: ${describeFsError(error)}`);
  }
}

/**
 * Parses `text`, one YAML or JSON document; `file` names it in errors. Throws a ConfigError for a
 * syntax error, a duplicate key, an empty document or a second document.
 */
export function parseDocument(text: string, file: string, options: DocumentOptions): YamlDocument {
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
    const duplicate = problem.code === 'DUPLICATE_KEY' ? keyAt(doc, problem.pos[0]) : undefined;
    if (duplicate !== undefined) {
      const [path, key] = duplicate;
      throw new ConfigError(file, line, path, `duplicate key ${quoted(key)}`);
    }
    throw new ConfigError(file, line, [], `invalid YAML: ${problem.message}`);
  }
  if (doc === undefined || doc.contents === null || isNullScalar(doc.contents)) {
    throw new ConfigError(file, undefined, [], options.empty);
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
  const lineOf = (path: DocumentPath): number | undefined => {
    const offset = offsetOf(doc, path, options);
    return offset === undefined ? undefined : lineAt(offset);
  };
  const fail = (path: DocumentPath, reason: string): never => {
    throw new ConfigError(file, lineOf(path), path, reason);
  };
  return { file, data, lineOf, fail };
}

/** A JSON Schema compiled once: strict, the first error only, with its schema node (`verbose`). */
export function compileSchema(schema: SchemaObject): ValidateFunction {
  return new Ajv({ strict: true, allErrors: false, verbose: true, allowUnionTypes: true })
    .addKeyword({ keyword: 'expected', schemaType: 'string' })
    .compile(schema);
}

/**
 * Throws a ConfigError, in the words of the schema's `expected`, unless the document passes
 * `validate`. `hint` follows the keys of an unknown key's map: `; iface goes under announce`, or ''.
 */
export function checkSchema(
  doc: YamlDocument,
  validate: ValidateFunction,
  hint: (key: string, path: DocumentPath) => string,
): void {
  if (validate(doc.data)) return;
  const { path, at, reason } = schemaProblem(validate.errors![0]!, doc.data, hint);
  throw new ConfigError(doc.file, doc.lineOf(at), path, reason);
}

/** Text in double quotes, escaped, cut to 40 characters. */
export function quoted(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 39)}…` : text);
}

/** What `schemaProblem` reads of a schema node: its words, and its keys. */
interface SchemaWords {
  readonly expected?: string;
  readonly properties?: Readonly<Record<string, unknown>>;
}

/**
 * Ajv's error in the words of the schema's `expected`: the path it reports, the path whose line
 * it is on (an unknown key's own line), and the reason.
 */
function schemaProblem(
  error: ErrorObject,
  data: unknown,
  hint: (key: string, path: DocumentPath) => string,
): { path: DocumentPath; at: DocumentPath; reason: string } {
  const path = pathOf(error.instancePath, data);
  const node = (error.parentSchema ?? {}) as SchemaWords;
  if (error.keyword === 'additionalProperties') {
    const key = String((error.params as { additionalProperty: unknown }).additionalProperty);
    const here = Object.keys(node.properties ?? {}).join(', ');
    return {
      path,
      at: [...path, key],
      reason: `unknown key ${quoted(key)} (keys here: ${here}${hint(key, path)})`,
    };
  }
  if (error.keyword === 'required') {
    const key = String((error.params as { missingProperty: unknown }).missingProperty);
    return { path, at: path, reason: `no ${key}; expected ${node.expected ?? key}` };
  }
  const expected = node.expected ?? error.message ?? 'something else';
  return { path, at: path, reason: `expected ${expected}, not ${described(error.data)}` };
}

/** A JSON pointer (`/triggers/carrier-up/1`) as a path, with list indexes as numbers. */
function pathOf(pointer: string, data: unknown): DocumentPath {
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
function offsetOf(doc: Document, path: DocumentPath, options: DocumentOptions): number | undefined {
  let node: unknown = doc.contents;
  let offset = options.rootLine ? rangeStart(node) : undefined;
  for (const part of path) {
    if (options.throughAliases && isAlias(node)) node = node.resolve(doc);
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
function keyAt(doc: Document, offset: number): [DocumentPath, string] | undefined {
  const search = (node: unknown, path: DocumentPath): [DocumentPath, string] | undefined => {
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

/** Where a node starts in the text, if it is a node (a pair has no range of its own). */
function rangeStart(node: unknown): number | undefined {
  if (node === null || typeof node !== 'object') return undefined;
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

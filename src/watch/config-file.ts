/**
 * Reads an `arpkit watch` configuration file, YAML or JSON (JSON is YAML to the parser), into a
 * `WatchConfig`. Three checks run in turn, each stopping at its first error: the YAML itself
 * (syntax, duplicate keys, one document), its shape against `WATCH_CONFIG_SCHEMA` (unknown keys,
 * types), and its values in `buildWatchConfig`; the first two are `io/yaml-document.ts`. Every
 * error is a `ConfigError` with a one-line message that names the file, the line and the key:
 *
 *     /etc/arpkit/watch.yaml:7: triggers.carrier-up[1]: "1.1x" is not a duration (e.g. 200ms, 1.1s, 2m)
 */
import {
  checkSchema,
  compileSchema,
  type DocumentPath,
  parseDocument,
  readDocumentText,
} from '../io/yaml-document.js';
import { buildWatchConfig, type InputPath, type WatchInput } from './config-build.js';
import { WATCH_CONFIG_SCHEMA } from './config-schema.js';
import type { WatchConfig } from './watch-config.js';

export { ConfigError, formatConfigPath } from '../io/yaml-document.js';

/** The schema, compiled once. */
const validate = compileSchema(WATCH_CONFIG_SCHEMA);

/** Reads and parses the configuration file at `path`; throws a ConfigError. */
export async function loadConfig(path: string): Promise<WatchConfig> {
  return parseConfigText(await readDocumentText(path), path);
}

/** Parses a configuration's text; `file` names it in errors. Throws a ConfigError. */
export function parseConfigText(text: string, file: string): WatchConfig {
  const doc = parseDocument(text, file, {
    empty: `no settings; expected ${WATCH_CONFIG_SCHEMA.expected}`,
    rootLine: false,
    throughAliases: true,
  });
  checkSchema(doc, validate, homeHint);
  return buildWatchConfig(inputOf(doc.data as FileData), (inputPath, message) =>
    doc.fail(filePathOf(inputPath), message),
  );
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
function filePathOf(path: InputPath): DocumentPath {
  const [key, ...rest] = path;
  const place = typeof key === 'string' ? FILE_KEYS[key as keyof WatchInput] : undefined;
  if (place === undefined) return path;
  return [...place.filter((part) => part !== undefined), ...rest];
}

/** Where an unknown `key` belongs when it is a known key of another part of the file, or ''. */
function homeHint(key: string, path: DocumentPath): string {
  const sections = WATCH_CONFIG_SCHEMA.properties ?? {};
  if (path.length > 0 && key in sections) return `; ${key} goes at the top level`;
  for (const [section, schema] of Object.entries(sections)) {
    if (section !== path[0] && key in (schema.properties ?? {})) {
      return `; ${key} goes under ${section}`;
    }
  }
  return '';
}

/**
 * The error of a YAML/JSON file a person wrote (a watch configuration, a sim scenario): one line
 * naming the file, the line and the key. Apart from `yaml-document.ts` so that code that only
 * words or catches these errors does not load the YAML parser and the schema validator.
 */

/** A path into a document: `['triggers', 'carrier-up', 1]`; `[]` for the document as a whole. */
export type DocumentPath = readonly (string | number)[];

/** A file that cannot be used; `message` is one line, `FILE:LINE: PATH: reason`. */
export class ConfigError extends Error {
  readonly file: string;
  /** The line (from 1) the error is on, when one is. */
  readonly line: number | undefined;
  /** The key the error is about; `[]` for the file as a whole. */
  readonly path: DocumentPath;
  /** What was expected, without the file, line and path. */
  readonly reason: string;

  constructor(file: string, line: number | undefined, path: DocumentPath, reason: string) {
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
export function formatConfigPath(path: DocumentPath): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join('');
}

/** `text` with control characters escaped, so a message stays on one line. */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => {
    const named: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    return named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

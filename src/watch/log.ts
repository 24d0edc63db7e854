/**
 * What `arpkit watch` tells a person or a log collector, one line per record on stderr. Plain
 * lines carry only the text, no timestamp: under systemd, journald stamps each line itself, and
 * when stderr is the journal's stream (`JOURNAL_STREAM`, see systemd.exec(5)) each line starts
 * with its sd-daemon(3) priority so `journalctl -p warning` finds the warnings. `--json` writes
 * one object per line with stable field names for programs.
 */
import { fstatSync } from 'node:fs';
import type { Clock } from '../time/clock.js';

/** Where lines go: the daemon's stderr, or anything with the same `write`. */
interface LogSink {
  write(text: string): void;
}

/** How bad a record is, in the order of syslog's priorities. */
export type LogLevel = 'info' | 'warn' | 'error';

/** A value a record can carry; `undefined` leaves the field out. */
type LogValue = string | number | boolean | undefined | readonly string[];

/** The fields of a record, by stable name. */
export type LogFields = Readonly<Record<string, LogValue>>;

/** How `WatchLog` writes. */
interface WatchLogOptions {
  /** One JSON object per line instead of the text alone. */
  readonly json: boolean;
  /** Stamps JSON records; plain lines have no time of their own. */
  readonly clock: Clock;
  /** Prefix plain lines with their sd-daemon priority (`<6>`); see `isJournalStream`. */
  readonly journal?: boolean;
}

/** The sd-daemon(3) prefix of each level: `SD_INFO`, `SD_WARNING`, `SD_ERR`. */
const PRIORITY: Readonly<Record<LogLevel, string>> = Object.freeze({
  info: '<6>',
  warn: '<4>',
  error: '<3>',
});

/** Names a JSON record gives its own members; a field of the same name is written `<name>_`. */
const RESERVED: ReadonlySet<string> = new Set(['time', 'level', 'event', 'message']);

/**
 * Characters that end or break a line for some reader: C0 controls but tab, DEL, the C1 block
 * (U+0085 is NEL) and U+2028/U+2029, which JSON leaves raw but JavaScript and Python split on.
 */
const LINE_BREAKING = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g;

/** The same, minus what `JSON.stringify` escapes already. */
const LINE_BREAKING_IN_JSON = /[\u007f-\u009f\u2028\u2029]/g;

/** Writes the records of a running watch, one line each; never throws for its input. */
export class WatchLog {
  readonly #out: LogSink;
  readonly #json: boolean;
  readonly #clock: Clock;
  readonly #journal: boolean;

  constructor(out: LogSink, options: WatchLogOptions) {
    this.#out = out;
    this.#json = options.json;
    this.#clock = options.clock;
    this.#journal = options.journal ?? false;
  }

  /** Something a person may want to know: a trigger, an announcement done. */
  info(event: string, text: string, fields: LogFields = {}): void {
    this.#write('info', event, text, fields);
  }

  /** Something went wrong and the daemon went on: frames not sent, events lost. */
  warn(event: string, text: string, fields: LogFields = {}): void {
    this.#write('warn', event, text, fields);
  }

  /** Something failed that a person should act on. */
  error(event: string, text: string, fields: LogFields = {}): void {
    this.#write('error', event, text, fields);
  }

  #write(level: LogLevel, event: string, text: string, fields: LogFields): void {
    const line = this.#json
      ? jsonLine(new Date(this.#clock.now()).toISOString(), level, event, text, fields)
      : (this.#journal ? PRIORITY[level] : '') + oneLine(text === '' ? event : text);
    this.#out.write(`${line}\n`);
  }
}

/**
 * A JSON record: `time`, `level`, `event`, the fields in their order, then `message`. Built as
 * text so a field named `__proto__` stays a field; undefined fields are left out.
 */
function jsonLine(
  time: string,
  level: LogLevel,
  event: string,
  text: string,
  fields: LogFields,
): string {
  let line = `{"time":${JSON.stringify(time)},"level":"${level}","event":${JSON.stringify(event)}`;
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    line += `,${JSON.stringify(fieldName(name, fields))}:${JSON.stringify(value)}`;
  }
  line += `,"message":${JSON.stringify(text)}}`;
  return line.replace(LINE_BREAKING_IN_JSON, unicodeEscape);
}

/** `name`, or when the record uses it, `name` with `_` appended until no field has it. */
function fieldName(name: string, fields: LogFields): string {
  if (!RESERVED.has(name)) return name;
  let free = `${name}_`;
  while (Object.hasOwn(fields, free)) free += '_';
  return free;
}

/** `text` with every line-breaking character written as a `\n`, `\r` or `\u` escape. */
function oneLine(text: string): string {
  return text.replace(LINE_BREAKING, (char) =>
    char === '\n' ? '\\n' : char === '\r' ? '\\r' : unicodeEscape(char),
  );
}

/** `\u` and four hex digits. */
function unicodeEscape(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * Whether `stderrFd` is the journal's stream: systemd sets `JOURNAL_STREAM` to the device and
 * inode (`<dev>:<ino>`, decimal) of the stream it connected, and a program checks they are still
 * those of its stderr, which a redirection would have changed (systemd.exec(5)).
 */
export function isJournalStream(
  env: Readonly<Record<string, string | undefined>>,
  stderrFd: number,
): boolean {
  const match = /^(\d+):(\d+)$/.exec(env['JOURNAL_STREAM'] ?? '');
  if (match === null) return false;
  try {
    const stat = fstatSync(stderrFd, { bigint: true });
    return stat.dev === BigInt(match[1]!) && stat.ino === BigInt(match[2]!);
  } catch {
    return false; // closed or not a descriptor: not the journal
  }
}

import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { findingJson, isoTime, epochSeconds } from '../monitor/finding-format.js';
import type { BindingStore, HistoryEntry, StoredBinding, Subject } from '../store/binding-store.js';
import { describeFsError } from '../io/fs-error.js';
import { AddressParseError } from '../wire/address-error.js';
import { parseIpv4 } from '../wire/ipv4.js';
import { parseMac } from '../wire/mac.js';
import { Exit, UsageError } from './errors.js';
import type { Io } from './io.js';
import { parseAddress } from './values.js';

/** The environment variable that names the database when `--db` is not given. */
export const DB_ENV = 'ARPKIT_DB';

/** Bad lines of an arpwatch file shown one by one; the rest are only counted. */
const SHOWN_BAD_LINES = 5;

const DB_HELP = `
The database is SQLite (WAL): bindings (IP, MAC, VLAN, interface, first and last seen, count)
and findings, written by \`arpkit monitor --db\` and \`arpkit analyze --db\`, or imported from
arpwatch. --db FILE names it; without --db, $${DB_ENV} does. There is no default file.

Examples:
  arpkit db import-arpwatch /var/lib/arpwatch/eth0.dat --db site.db
  arpkit db who-has 192.0.2.1 --db site.db --at 2024-05-01T12:00:00Z
  ARPKIT_DB=site.db arpkit db history 00:1b:21:0a:0b:0c`;

const IMPORT_HELP = `
Each line of arp.dat is MAC<TAB>IP<TAB>EPOCH[<TAB>HOSTNAME[<TAB>INTERFACE]], EPOCH being when
arpwatch last saw the pair; it becomes a binding first and last seen then, untagged, counted
once (importing the same file again adds nothing). MACs are read with or without leading zeros.
Bad lines are skipped: the first ${SHOWN_BAD_LINES} are shown as FILE:LINE: expected …, and the rest counted.

Examples:
  arpkit db import-arpwatch /var/lib/arpwatch/arp.dat --db site.db --iface eth0
  ssh gw cat /var/lib/arpwatch/eth0.dat | arpkit db import-arpwatch - --db site.db

Exit status: 0 when every line was imported, 1 when some line was bad (the good ones are
imported all the same) or a file could not be read or written, 2 for a usage error.`;

const WHO_HAS_HELP = `
Output (one line per binding, latest first):
  192.0.2.1 is-at 02:00:00:00:00:01 vlan - iface eth0 first 2024-05-01T11:58:02.000000Z last 2024-05-01T12:03:40.120000Z count 41

With --at, per VLAN and interface: the bindings seen over that moment, or else the last one
seen before it. TIME is ISO 8601 (local time unless it ends in Z or an offset) or epoch seconds.

Examples:
  arpkit db who-has 192.0.2.1 --db site.db
  arpkit db who-has 192.0.2.1 --db site.db --at '2024-05-01 12:00'
  arpkit db who-has 192.0.2.1 --db site.db --at 1714564800 --json

Exit status: 0 when the IP has a binding, 1 when it has none (nothing is printed, as grep) or
the database cannot be read, 2 for a usage error.`;

const HISTORY_HELP = `
Output (oldest first; a binding stands at its first sighting):
  2024-05-01T11:58:02.000000Z 192.0.2.1 is-at 02:00:00:00:00:01 vlan - iface eth0 first … last … count 41
  2024-05-01T12:03:41.500000Z changed-mac 192.0.2.1 is-at 02:00:00:00:00:02 was 02:00:00:00:00:01 vlan - iface eth0 frames 77

Findings are those whose IP or MAC is the one asked about.

Examples:
  arpkit db history 192.0.2.1 --db site.db
  arpkit db history 0:1b:21:a:b:c --db site.db --json | jq -c 'select(.type == "finding")'

Exit status: 0 when something was found, 1 when nothing was (as grep) or the database cannot
be read, 2 for a usage error.`;

/** `--db FILE`, falling back to $ARPKIT_DB; for every command that reads or writes the store. */
export function dbOption(): Option {
  return new Option('--db <file>', 'the bindings database (SQLite)').env(DB_ENV);
}

/** Options of the `arpkit db` subcommands. */
interface DbOptions {
  readonly db?: string;
  readonly iface?: string;
  readonly at?: string;
  readonly json?: boolean;
}

/** Adds `arpkit db` and its subcommands to the program. */
export function registerDb(program: Command, io: Io, run: { status: number }): void {
  const db = program
    .command('db')
    .description('the bindings database: import arpwatch’s, ask who had an address and when')
    .addHelpText('after', DB_HELP);
  db.command('import-arpwatch')
    .description('import arpwatch’s arp.dat into the database')
    .argument('<arp.dat>', 'arpwatch’s database file; - reads standard input')
    .addOption(dbOption())
    .option('--iface <name>', 'interface of the lines that name none', '')
    .addHelpText('after', IMPORT_HELP)
    .action(async (file: string, options: DbOptions) => {
      run.status = await importArpwatch(file, options, io);
    });
  db.command('who-has')
    .description('print the MACs an IP was bound to')
    .argument('<ip>', 'the IPv4 address')
    .addOption(dbOption())
    .option('--at <time>', 'who had it at this moment (ISO 8601 or epoch seconds)')
    .option('--json', 'one JSON object per binding')
    .addHelpText('after', WHO_HAS_HELP)
    .action(async (ip: string, options: DbOptions) => {
      run.status = await whoHas(ip, options, io);
    });
  db.command('history')
    .description('print the bindings and findings of a MAC or IP, oldest first')
    .argument('<mac|ip>', 'a MAC (any usual spelling) or an IPv4 address')
    .addOption(dbOption())
    .option('--json', 'one JSON object per binding or finding')
    .addHelpText('after', HISTORY_HELP)
    .action(async (subject: string, options: DbOptions) => {
      run.status = await history(subject, options, io);
    });
}

async function importArpwatch(file: string, options: DbOptions, io: Io): Promise<number> {
  const path = dbPath(options);
  let text: string;
  try {
    text = file === '-' ? readAll(io) : readFileSync(file, 'utf8');
  } catch (error) {
    io.stderr.write(`arpkit: ${file}: cannot read: ${describeFsError(error)}\n`);
    return Exit.FAILURE;
  }
  const result = await withStore(path, true, (store) =>
    store.importArpwatch(text, options.iface ?? ''),
  );
  for (const bad of result.bad.slice(0, SHOWN_BAD_LINES)) {
    io.stderr.write(`arpkit: ${file}:${bad.line}: ${bad.message}\n`);
  }
  const bad = result.bad.length;
  if (bad > SHOWN_BAD_LINES) {
    io.stderr.write(`arpkit: ${file}: ${bad - SHOWN_BAD_LINES} more bad lines not shown\n`);
  }
  const skipped = bad === 0 ? '' : `; ${plural(bad, 'bad line')} skipped`;
  io.stdout.write(
    `${file}: ${plural(result.imported, 'binding')} imported into ${path}${skipped}\n`,
  );
  return bad === 0 ? Exit.OK : Exit.FAILURE;
}

async function whoHas(ipText: string, options: DbOptions, io: Io): Promise<number> {
  const ip = parseAddress('IP', ipText, parseIpv4);
  const atMs = options.at === undefined ? undefined : parseTime('--at', options.at);
  const path = dbPath(options);
  const bindings = await withStore(path, false, (store) => store.whoHas(ip, atMs));
  for (const binding of bindings) {
    io.stdout.write(options.json ? bindingJson(binding) : `${bindingText(binding)}\n`);
  }
  return bindings.length === 0 ? Exit.FAILURE : Exit.OK;
}

async function history(text: string, options: DbOptions, io: Io): Promise<number> {
  const subject = parseSubject(text);
  const path = dbPath(options);
  const entries = await withStore(path, false, (store) => store.history(subject));
  for (const entry of entries) io.stdout.write(historyLine(entry, options.json === true));
  return entries.length === 0 ? Exit.FAILURE : Exit.OK;
}

/** The database file; a usage error when neither --db nor $ARPKIT_DB names one. */
function dbPath(options: DbOptions): string {
  if (options.db === undefined || options.db === '') {
    throw new UsageError(`--db FILE is required (the bindings database), or set ${DB_ENV}`);
  }
  return options.db;
}

/** Opens the store (better-sqlite3 is loaded only now), runs `use`, and closes it. */
async function withStore<T>(
  path: string,
  create: boolean,
  use: (store: BindingStore) => T,
): Promise<T> {
  const { BindingStore } = await import('../store/binding-store.js');
  const store = BindingStore.open(path, { create });
  try {
    return use(store);
  } finally {
    store.close();
  }
}

/** A MAC or an IPv4 address; a usage error naming the input otherwise. */
function parseSubject(text: string): Subject {
  for (const parse of [
    (t: string) => ({ ip: parseIpv4(t) }),
    (t: string) => ({ mac: parseMac(t) }),
  ]) {
    try {
      return parse(text);
    } catch (error) {
      if (!(error instanceof AddressParseError)) throw error;
    }
  }
  throw new UsageError(
    `"${text}" is neither a MAC (e.g. 00:1b:21:0a:0b:0c) nor an IPv4 address (e.g. 192.0.2.1)`,
  );
}

const ISO_8601 =
  /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/**
 * A moment as epoch milliseconds: epoch seconds (`1714564800`, `1714564800.25`) or ISO 8601
 * (`2024-05-01`, `2024-05-01T12:00`, `2024-05-01 12:00:00.5+02:00`, `…Z`), in local time when
 * no zone is given (a bare date too, unlike `Date.parse`). Throws a UsageError naming `option`.
 */
export function parseTime(option: string, text: string): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const match = ISO_8601.exec(trimmed);
  if (match !== null) {
    const [, date, time = '00:00', zone = ''] = match;
    const offset = /^[+-]\d{2}$/.test(zone)
      ? `${zone}:00`
      : zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2').toUpperCase();
    const ms = Date.parse(`${date}T${time}${offset}`);
    // Date.parse rolls 2024-02-30 over to March 1st: check the day exists.
    if (!Number.isNaN(ms) && dayExists(date!)) return ms;
  }
  throw new UsageError(
    `${option}: "${text}" is not a time (ISO 8601 such as 2024-05-01T12:00:00Z, or epoch seconds such as 1714564800)`,
  );
}

/** True when `YYYY-MM-DD` names a day of the calendar. */
function dayExists(date: string): boolean {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return month >= 1 && month <= 12 && day >= 1 && day <= days;
}

/** `192.0.2.1 is-at 02:… vlan - iface eth0 first … last … count 3` */
function bindingText(b: StoredBinding): string {
  const vlan = b.vlans.length === 0 ? '-' : b.vlans.join('.');
  return `${b.ip} is-at ${b.mac} vlan ${vlan} iface ${b.iface || '-'} first ${isoTime(b.firstMs)} last ${isoTime(b.lastMs)} count ${b.count}`;
}

/**
 * One JSON line with stable fields: `type` ("binding"), `ip`, `mac`, `vlan` (VIDs, outermost
 * first), `iface` ('' when unknown), `first`/`last` (ISO, UTC), `firstTs`/`lastTs` (epoch
 * seconds), `count`.
 */
function bindingJson(b: StoredBinding): string {
  return `${JSON.stringify({
    type: 'binding',
    ip: b.ip,
    mac: b.mac,
    vlan: b.vlans,
    iface: b.iface,
    first: isoTime(b.firstMs),
    last: isoTime(b.lastMs),
    firstTs: Number(epochSeconds(b.firstMs)),
    lastTs: Number(epochSeconds(b.lastMs)),
    count: b.count,
  })}\n`;
}

/** A history line: the binding as who-has prints it, or the finding as monitor does, after the time. */
function historyLine(entry: HistoryEntry, json: boolean): string {
  if (entry.type === 'binding') {
    return json
      ? bindingJson(entry.binding)
      : `${isoTime(entry.timeMs)} ${bindingText(entry.binding)}\n`;
  }
  const f = entry.finding;
  if (json) return findingJson(f);
  const vlan = f.vlans.length === 0 ? '-' : f.vlans.join('.');
  const frames = f.frames.length === 0 ? '' : ` frames ${f.frames.join(',')}`;
  return `${isoTime(f.timeMs)} ${f.kind} ${f.text} vlan ${vlan} iface ${f.source || '-'}${frames}\n`;
}

/** Everything on standard input, as text. */
function readAll(io: Io): string {
  const chunks: Buffer[] = [];
  const buffer = new Uint8Array(1 << 16);
  for (let n = io.stdin.read(buffer, 0, buffer.length); n > 0;) {
    chunks.push(Buffer.from(buffer.subarray(0, n)));
    n = io.stdin.read(buffer, 0, buffer.length);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

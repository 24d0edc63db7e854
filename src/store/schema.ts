/**
 * The bindings database's schema: how a file is recognised as arpkit's, and the migrations that
 * bring any older file (or a new, empty one) up to the current version.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { StoreError } from './store-error.js';

/** `PRAGMA application_id` of an arpkit database: "arkt" in ASCII, as `file(1)` can show it. */
export const APPLICATION_ID = 0x61726b74;

/**
 * The migrations in order: migration `i` takes a file from `user_version` i to i + 1. Append,
 * never edit one that has shipped: files in the field have run it.
 *
 * Times are epoch seconds (REAL, microseconds kept). `vlan` is the VIDs outermost first joined
 * by '.', '' when untagged; `iface` is the interface or capture file, '' when unknown (an
 * arpwatch line without one). `bindings` has no rowid: the key is the table, so the upsert of a
 * commit touches one b-tree per row, plus the MAC index.
 */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE bindings (
     ip TEXT NOT NULL,
     mac TEXT NOT NULL,
     vlan TEXT NOT NULL DEFAULT '',
     iface TEXT NOT NULL DEFAULT '',
     first_seen REAL NOT NULL,
     last_seen REAL NOT NULL,
     count INTEGER NOT NULL,
     PRIMARY KEY (ip, mac, vlan, iface)
   ) WITHOUT ROWID;
   CREATE INDEX bindings_by_mac ON bindings (mac);
   CREATE TABLE findings (
     id INTEGER PRIMARY KEY,
     kind TEXT NOT NULL,
     time REAL NOT NULL,
     iface TEXT NOT NULL DEFAULT '',
     vlan TEXT NOT NULL DEFAULT '',
     key TEXT NOT NULL,
     ip TEXT,
     mac TEXT,
     frames TEXT NOT NULL DEFAULT '[]',
     text TEXT NOT NULL,
     fields TEXT NOT NULL DEFAULT '{}'
   );
   CREATE INDEX findings_by_ip ON findings (ip);
   CREATE INDEX findings_by_mac ON findings (mac);
   PRAGMA application_id = ${APPLICATION_ID};`,
];

/** The schema version this arpkit writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Checks that `db` is arpkit's (or a new, empty file), sets the journal up, and runs the
 * migrations it lacks. Throws a StoreError naming `name` for a file that is not an SQLite
 * database, another program's database, or one written by a newer arpkit.
 *
 * Durability: WAL with `synchronous=FULL`. WAL alone makes every commit atomic: a process killed
 * at any instant (kill -9) leaves the database file intact, and the next open replays the
 * committed frames of the WAL and drops a half-written one, so only the transaction open at
 * the kill is lost. NORMAL would already give that for a killed process (the WAL is in the
 * kernel's page cache); FULL also fsyncs the WAL at each commit, so a power cut or kernel crash
 * loses no committed transaction either. Commits are rare (one a second live, one per
 * 100,000 frames from files), so that fsync costs next to nothing.
 */
export function prepareDatabase(db: BetterSqlite3.Database, name: string): void {
  const { applicationId, version } = identify(db, name);
  if (applicationId !== APPLICATION_ID && !(applicationId === 0 && isEmpty(db, version))) {
    throw new StoreError(
      `${name}: not an arpkit database (an SQLite database with application_id ${hex(applicationId)} and tables of its own)`,
    );
  }
  if (version > SCHEMA_VERSION) {
    throw new StoreError(
      `${name}: written by a newer arpkit (schema version ${version}; this one knows up to ${SCHEMA_VERSION})`,
    );
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  // Up to 32 MiB of pages (the default is 2 MiB): a commit of 100,000 bindings updates most
  // pages of an 11 MB file, and re-reading them costs it a third more CPU.
  db.pragma('cache_size = -32768');
  migrate(db);
}

/** Reads the header fields; the first read of a file that is not SQLite fails here. */
function identify(
  db: BetterSqlite3.Database,
  name: string,
): { applicationId: number; version: number } {
  try {
    return {
      applicationId: db.pragma('application_id', { simple: true }) as number,
      version: db.pragma('user_version', { simple: true }) as number,
    };
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_NOTADB') {
      throw new StoreError(`${name}: not an arpkit database (not an SQLite file at all)`);
    }
    throw new StoreError(`${name}: cannot read: ${(error as Error).message}`);
  }
}

function isEmpty(db: BetterSqlite3.Database, version: number): boolean {
  if (version !== 0) return false;
  const row = db.prepare('SELECT count(*) AS n FROM sqlite_schema').get() as { n: number };
  return row.n === 0;
}

/**
 * Runs the missing migrations in one IMMEDIATE transaction, reading the version again inside
 * it: two processes opening a new file at once migrate it once.
 */
function migrate(db: BetterSqlite3.Database): void {
  const run = db.transaction(() => {
    const from = db.pragma('user_version', { simple: true }) as number;
    for (let version = from; version < SCHEMA_VERSION; version++) db.exec(MIGRATIONS[version]!);
    if (from < SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
  });
  run.immediate();
}

function hex(value: number): string {
  return `0x${(value >>> 0).toString(16).padStart(8, '0')}`;
}

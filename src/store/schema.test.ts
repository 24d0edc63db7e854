import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { Observation } from '../monitor/observation.js';
import { parseIpv4 } from '../wire/ipv4.js';
import { parseMac } from '../wire/mac.js';
import { BindingStore } from './binding-store.js';
import { APPLICATION_ID, SCHEMA_VERSION } from './schema.js';
import { StoreError } from './store-error.js';

let dir: string;
let files = 0;
before(() => (dir = mkdtempSync(join(tmpdir(), 'arpkit-schema-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A new database file's path in the test directory. */
function fresh(): string {
  return join(dir, `store-${++files}.db`);
}

/** One sighting of 192.0.2.1 at 02:00:00:00:00:0a. */
function see(store: BindingStore): void {
  const o = new Observation();
  o.spa = parseIpv4('192.0.2.1');
  o.sha = parseMac('02:00:00:00:00:0a');
  o.timeMs = 1_700_000_000_000;
  o.source = 'eth0';
  store.sighting(o);
}

describe('BindingStore.open', () => {
  test('a new file gets the schema, arpkit’s application id and WAL; opening again migrates nothing', () => {
    const path = fresh();
    const first = BindingStore.open(path);
    see(first);
    first.close();
    for (let i = 0; i < 2; i++) BindingStore.open(path).close();
    const raw = new Database(path, { readonly: true });
    assert.equal(raw.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    assert.equal(raw.pragma('application_id', { simple: true }), APPLICATION_ID);
    assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
    const tables = raw
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
      .all();
    assert.deepEqual(tables, [{ name: 'bindings' }, { name: 'findings' }]);
    assert.deepEqual(raw.prepare('SELECT count(*) AS n FROM bindings').get(), { n: 1 });
    raw.close();
  });

  test('an empty file (touch) is taken as a new database', () => {
    const path = fresh();
    writeFileSync(path, '');
    BindingStore.open(path).close();
  });

  const refused: [string, (path: string) => void, RegExp][] = [
    [
      'a text file',
      (path) => writeFileSync(path, '02:00:00:00:00:0a\t192.0.2.1\t1700000000\n'),
      /: not an arpkit database \(not an SQLite file at all\)$/,
    ],
    [
      'another program’s SQLite database',
      (path) => {
        const other = new Database(path);
        other.exec('CREATE TABLE notes (text TEXT)');
        other.close();
      },
      /: not an arpkit database \(an SQLite database with application_id 0x00000000 and tables of its own\)$/,
    ],
    [
      'a database from a newer arpkit',
      (path) => {
        BindingStore.open(path).close();
        const raw = new Database(path);
        raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
        raw.close();
      },
      /: written by a newer arpkit \(schema version 2; this one knows up to 1\)$/,
    ],
  ];
  for (const [what, make, message] of refused) {
    test(`refuses ${what} with one line naming the file`, () => {
      const path = fresh();
      make(path);
      assert.throws(
        () => BindingStore.open(path),
        (error: unknown) =>
          error instanceof StoreError &&
          error.message.startsWith(`${path}: `) &&
          message.test(error.message) &&
          !error.message.includes('\n'),
      );
    });
  }

  test('a missing file for a query, a missing directory, a directory', () => {
    const missing = join(dir, 'nothing-here.db');
    assert.throws(() => BindingStore.open(missing, { create: false }), {
      message: `${missing}: cannot open: no such file (ENOENT)`,
    });
    const nowhere = join(dir, 'no-dir', 'x.db');
    assert.throws(() => BindingStore.open(nowhere), {
      message: `${nowhere}: cannot open: no such file (ENOENT)`,
    });
    assert.throws(() => BindingStore.open(dir), {
      message: `${dir}: cannot open: is a directory (EISDIR)`,
    });
  });
});

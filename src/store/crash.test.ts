import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { parseIpv4 } from '../wire/ipv4.js';
import { BindingStore } from './binding-store.js';

const FIXTURE = fileURLToPath(new URL('../testing/store-ingest.js', import.meta.url));
const PER_COMMIT = 20_000;

let dir: string;
before(() => (dir = mkdtempSync(join(tmpdir(), 'arpkit-crash-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Runs the ingesting child on `path`, kills it with SIGKILL `delayMs` after it reported its
 * `afterCommits`-th commit, and returns the last total it reported.
 */
function ingestAndKill(path: string, afterCommits: number, delayMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FIXTURE, path, String(PER_COMMIT)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let armed = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (!armed && out.split('\n').length > afterCommits) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') {
        reject(new Error(`the child ended by itself (${code}, ${signal}): ${err}`));
        return;
      }
      const totals = out.split('\n').filter(Boolean).map(Number);
      resolve(totals[totals.length - 1] ?? 0);
    });
  });
}

describe('a kill -9 during ingestion', () => {
  // Killed after the 1st to 5th commit, at different points of the next transaction.
  const moments: [number, number][] = [
    [1, 0],
    [2, 5],
    [3, 13],
    [4, 29],
    [5, 61],
  ];
  for (const [afterCommits, delayMs] of moments) {
    test(`after commit ${afterCommits} + ${delayMs} ms: the file is intact and holds every reported commit, and at most one more`, async () => {
      const path = join(dir, `crash-${afterCommits}.db`);
      const reported = await ingestAndKill(path, afterCommits, delayMs);
      assert.ok(reported >= afterCommits * PER_COMMIT, `reported ${reported}`);
      // The killed process left its WAL behind: opening must recover from it.
      assert.ok(existsSync(`${path}-wal`), 'no WAL left behind');

      const raw = new Database(path);
      assert.deepEqual(raw.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
      const { sightings } = raw.prepare('SELECT sum(count) AS sightings FROM bindings').get() as {
        sightings: number;
      };
      const { findings } = raw.prepare('SELECT count(*) AS findings FROM findings').get() as {
        findings: number;
      };
      raw.close();
      assert.ok(
        sightings === reported || sightings === reported + PER_COMMIT,
        `${sightings} sightings stored, ${reported} reported`,
      );
      // One finding per transaction: the same transactions made it, whole.
      assert.equal(findings, sightings / PER_COMMIT);

      const store = BindingStore.open(path);
      assert.equal(store.whoHas(parseIpv4('10.0.0.0')).length > 0, true);
      store.close();
    });
  }
});

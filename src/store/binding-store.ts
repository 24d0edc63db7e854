/**
 * The bindings store: IP/MAC bindings per VLAN and interface with first/last seen and a count,
 * and the findings, in one SQLite file (better-sqlite3, WAL; see `schema.ts` for durability).
 *
 * Ingestion is two-speed. `sighting` runs for every frame that binds an IP to a MAC and only
 * aggregates in memory (`SightingTable`: numbers, no allocation); `commit` writes what gathered
 * since the last one in one transaction. A kill loses at most what was not committed yet.
 */
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import { describeFsError } from '../io/fs-error.js';
import type { Finding } from '../monitor/finding.js';
import type { Observation } from '../monitor/observation.js';
import { formatIpv4, type Ipv4 } from '../wire/ipv4.js';
import { formatMac, type Mac } from '../wire/mac.js';
import { parseArpDat, type ArpwatchBadLine } from './arpwatch.js';
import { prepareDatabase } from './schema.js';
import { StoreError } from './store-error.js';
import { SightingTable } from './sighting-table.js';
import { bindingOf, findingOf, type BindingRow, type FindingRow } from './rows.js';

/** One binding as stored: times in epoch milliseconds, as `Finding.timeMs`. */
export interface StoredBinding {
  readonly ip: string;
  readonly mac: string;
  /** VLAN IDs outermost first; empty when untagged. */
  readonly vlans: readonly number[];
  /** The interface or capture file; '' when unknown. */
  readonly iface: string;
  readonly firstMs: number;
  readonly lastMs: number;
  /** Frames that showed the binding (an arpwatch line counts as one). */
  readonly count: number;
}

/** One line of a history: a binding (placed at its first sighting) or a finding. */
export type HistoryEntry =
  | { readonly type: 'binding'; readonly timeMs: number; readonly binding: StoredBinding }
  | { readonly type: 'finding'; readonly timeMs: number; readonly finding: Finding };

/** Whose history: an IP or a MAC. */
export type Subject = { readonly ip: Ipv4 } | { readonly mac: Mac };

/** What `commit` wrote. */
export interface Committed {
  readonly bindings: number;
  readonly findings: number;
}

/** What an arpwatch import did. */
export interface ArpwatchImport {
  readonly imported: number;
  readonly bad: readonly ArpwatchBadLine[];
}

/** How to open a store. */
export interface OpenOptions {
  /** Create the file when it does not exist (default true); false for queries. */
  readonly create?: boolean;
}

/** The interface and VLAN text of a segment, made once per segment. */
interface SegmentLabel {
  readonly iface: string;
  readonly vlan: string;
}

const UPSERT = `INSERT INTO bindings (ip, mac, vlan, iface, first_seen, last_seen, count)
  VALUES (?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (ip, mac, vlan, iface) DO UPDATE SET
    first_seen = min(first_seen, excluded.first_seen),
    last_seen = max(last_seen, excluded.last_seen),
    count = count + excluded.count`;

// An arpwatch line is one more proof of a binding, not one more frame: importing the same file
// again (a nightly cron) must not add up.
const UPSERT_ARPWATCH = UPSERT.replace(
  'count = count + excluded.count',
  'count = max(count, excluded.count)',
);

const INSERT_FINDING = `INSERT INTO findings (kind, time, iface, vlan, key, ip, mac, frames, text, fields)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/**
 * A bindings database, opened by `BindingStore.open`. One store serves one run: segment numbers
 * are those of the run's `ObservationBuilder`.
 */
export class BindingStore {
  private readonly pending = new SightingTable();
  private readonly labels: (SegmentLabel | undefined)[] = [];
  private findings: Finding[] = [];
  private readonly upsert: BetterSqlite3.Statement;
  private readonly insertFinding: BetterSqlite3.Statement;
  private closed = false;

  private constructor(
    private readonly db: BetterSqlite3.Database,
    /** The file, as named when opened. */
    readonly path: string,
  ) {
    this.upsert = db.prepare(UPSERT);
    this.insertFinding = db.prepare(INSERT_FINDING);
  }

  /**
   * Opens (or creates) the database at `path`, migrating it to the current schema. Throws a
   * StoreError naming the file when it cannot be opened or is not an arpkit database.
   */
  static open(path: string, options: OpenOptions = {}): BindingStore {
    let db: BetterSqlite3.Database;
    try {
      // SQLite's own words for these are vague ("unable to open database file").
      const found = statSync(path, { throwIfNoEntry: options.create === false });
      if (found === undefined) statSync(dirname(resolve(path)));
      else if (found.isDirectory()) throw Object.assign(new Error(), { code: 'EISDIR' });
      db = new Database(path, { fileMustExist: options.create === false });
    } catch (error) {
      throw new StoreError(`${path}: cannot open: ${describeFsError(error)}`);
    }
    try {
      prepareDatabase(db, path);
      return new BindingStore(db, path);
    } catch (error) {
      db.close();
      if (error instanceof StoreError) throw error;
      throw new StoreError(`${path}: cannot open: ${sqliteWords(error)}`);
    }
  }

  /**
   * Notes that `o` showed `o.spa` at `o.sha` on its segment at `o.timeMs`. Runs per frame:
   * allocates nothing (but the segment's label, once per segment) and writes nothing.
   */
  sighting(o: Observation): void {
    const segment = o.segment;
    if (this.labels[segment] === undefined) {
      this.labels[segment] = { iface: o.source, vlan: o.vlans.join('.') };
    }
    this.pending.add(segment, o.spa, o.sha, o.timeMs);
  }

  /** Keeps `finding` for the next commit. */
  finding(finding: Finding): void {
    this.findings.push(finding);
  }

  /** How many bindings and findings wait for the next commit. */
  get buffered(): Committed {
    return { bindings: this.pending.size, findings: this.findings.length };
  }

  /** Writes everything buffered in one transaction; returns what it wrote. */
  commit(): Committed {
    this.checkOpen();
    const pending = this.pending;
    const bindings = pending.size;
    if (bindings === 0 && this.findings.length === 0) return { bindings: 0, findings: 0 };
    const write = this.db.transaction(() => {
      for (let i = 0; i < bindings; i++) {
        const label = this.labels[pending.segment(i)]!;
        this.upsert.run(
          formatIpv4(pending.ip(i) as Ipv4),
          formatMac(pending.mac(i) as Mac),
          label.vlan,
          label.iface,
          pending.first(i) / 1000,
          pending.last(i) / 1000,
          pending.count(i),
        );
      }
      for (const f of this.findings) {
        this.insertFinding.run(
          f.kind,
          f.timeMs / 1000,
          f.source,
          f.vlans.join('.'),
          f.key,
          f.ip ?? null,
          f.mac ?? null,
          JSON.stringify(f.frames),
          f.text,
          JSON.stringify(f.fields),
        );
      }
    });
    try {
      write();
    } catch (error) {
      // Nothing of it was written (the transaction rolled back); the buffers stay for a retry.
      throw new StoreError(`${this.path}: cannot write: ${sqliteWords(error)}`);
    }
    const findings = this.findings.length;
    this.pending.clear();
    this.findings = [];
    return { bindings, findings };
  }

  /** Commits what is buffered and closes the file; later calls do nothing. */
  close(): void {
    if (this.closed) return;
    try {
      this.commit();
    } finally {
      this.closed = true;
      this.db.close();
    }
  }

  /**
   * The bindings of `ip`, latest first. With `atMs`: per VLAN and interface, the bindings whose
   * [first seen, last seen] holds that moment, or when none does, the last one seen before it
   * (the best guess of who had the address then; ties all listed). Bindings first seen after
   * `atMs` are left out.
   */
  whoHas(ip: Ipv4, atMs?: number): StoredBinding[] {
    this.checkOpen();
    const rows = (
      atMs === undefined
        ? this.db.prepare('SELECT * FROM bindings WHERE ip = ? ORDER BY last_seen DESC, mac')
        : this.db.prepare(
            'SELECT * FROM bindings WHERE ip = ? AND first_seen <= ? ORDER BY last_seen DESC, mac',
          )
    )
      .all(...(atMs === undefined ? [formatIpv4(ip)] : [formatIpv4(ip), atMs / 1000]))
      .map((row) => bindingOf(row as BindingRow));
    if (atMs === undefined) return rows;
    const bySegment = new Map<string, StoredBinding[]>();
    for (const row of rows) {
      const segment = `${row.vlans.join('.')}\u0000${row.iface}`;
      const list = bySegment.get(segment);
      if (list === undefined) bySegment.set(segment, [row]);
      else list.push(row);
    }
    const chosen: StoredBinding[] = [];
    for (const candidates of bySegment.values()) {
      const covering = candidates.filter((row) => row.lastMs >= atMs);
      // Candidates come latest first: the first is the last one seen before the moment.
      const latest = candidates[0]!.lastMs;
      chosen.push(
        ...(covering.length > 0 ? covering : candidates.filter((row) => row.lastMs === latest)),
      );
    }
    return chosen.sort((a, b) => b.lastMs - a.lastMs || a.mac.localeCompare(b.mac));
  }

  /**
   * Every binding of the IP or MAC (placed at its first sighting) and every finding whose `ip`
   * or `mac` is it, oldest first; a binding comes before a finding of the same moment.
   */
  history(subject: Subject): HistoryEntry[] {
    this.checkOpen();
    const [column, value] =
      'ip' in subject ? ['ip', formatIpv4(subject.ip)] : ['mac', formatMac(subject.mac)];
    const bindings = this.db
      .prepare(`SELECT * FROM bindings WHERE ${column} = ? ORDER BY first_seen, last_seen, ip, mac`)
      .all(value)
      .map((row): HistoryEntry => {
        const binding = bindingOf(row as BindingRow);
        return { type: 'binding', timeMs: binding.firstMs, binding };
      });
    const findings = this.db
      .prepare(`SELECT * FROM findings WHERE ${column} = ? ORDER BY time, id`)
      .all(value)
      .map((row): HistoryEntry => {
        const finding = findingOf(row as FindingRow);
        return { type: 'finding', timeMs: finding.timeMs, finding };
      });
    // Both lists are in time order: merge them, bindings first on a tie.
    const merged: HistoryEntry[] = [];
    let b = 0;
    let f = 0;
    while (b < bindings.length || f < findings.length) {
      const takeBinding =
        f === findings.length ||
        (b < bindings.length && bindings[b]!.timeMs <= findings[f]!.timeMs);
      merged.push(takeBinding ? bindings[b++]! : findings[f++]!);
    }
    return merged;
  }

  /**
   * Imports arpwatch's `arp.dat` text in one transaction: each good line is a binding seen
   * first and last at its epoch, untagged (arpwatch ignores VLAN-tagged ARP), on the line's
   * interface or else `iface`. Bad lines are skipped and returned.
   */
  importArpwatch(text: string, iface: string): ArpwatchImport {
    this.checkOpen();
    const { entries, bad } = parseArpDat(text);
    const upsert = this.db.prepare(UPSERT_ARPWATCH);
    const write = this.db.transaction(() => {
      for (const e of entries) {
        upsert.run(e.ip, e.mac, '', e.iface === '' ? iface : e.iface, e.lastSeen, e.lastSeen, 1);
      }
    });
    try {
      write();
    } catch (error) {
      throw new StoreError(`${this.path}: cannot write: ${sqliteWords(error)}`);
    }
    return { imported: entries.length, bad };
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreError(`${this.path}: the store is closed`);
  }
}

/** An SQLite error's message with its code (`… (SQLITE_FULL)`), for a person. */
function sqliteWords(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  return code === undefined || message.includes(code) ? message : `${message} (${code})`;
}

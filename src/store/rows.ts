/** Rows of the bindings database as SQLite returns them, and the values they stand for. */
import type { FieldValue, Finding, FindingKind } from '../monitor/finding.js';
import type { StoredBinding } from './binding-store.js';

/** A `bindings` row. */
export interface BindingRow {
  readonly ip: string;
  readonly mac: string;
  readonly vlan: string;
  readonly iface: string;
  readonly first_seen: number;
  readonly last_seen: number;
  readonly count: number;
}

/** A `findings` row. */
export interface FindingRow {
  readonly id: number;
  readonly kind: string;
  readonly time: number;
  readonly iface: string;
  readonly vlan: string;
  readonly key: string;
  readonly ip: string | null;
  readonly mac: string | null;
  readonly frames: string;
  readonly text: string;
  readonly fields: string;
}

/** '100.200' → [100, 200]; '' → []. */
export function vlansOf(text: string): number[] {
  return text === '' ? [] : text.split('.').map(Number);
}

/** Epoch seconds (REAL) → milliseconds, rounded to the microsecond the column keeps. */
function ms(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e3;
}

/** The binding a row holds. */
export function bindingOf(row: BindingRow): StoredBinding {
  return {
    ip: row.ip,
    mac: row.mac,
    vlans: vlansOf(row.vlan),
    iface: row.iface,
    firstMs: ms(row.first_seen),
    lastMs: ms(row.last_seen),
    count: row.count,
  };
}

/**
 * The finding a row holds. A kind this arpkit does not know (a newer one wrote it) is kept as
 * written; a JSON column that does not parse reads as empty rather than failing the query.
 */
export function findingOf(row: FindingRow): Finding {
  const finding: Finding = {
    kind: row.kind as FindingKind,
    timeMs: ms(row.time),
    source: row.iface,
    vlans: vlansOf(row.vlan),
    key: row.key,
    frames: json<number[]>(row.frames, []),
    text: row.text,
    fields: json<Record<string, FieldValue>>(row.fields, {}),
  };
  return {
    ...finding,
    ...(row.ip === null ? {} : { ip: row.ip }),
    ...(row.mac === null ? {} : { mac: row.mac }),
  };
}

function json<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

import type { Finding } from './finding.js';

/** Epoch milliseconds as whole seconds and microseconds, rounded once. */
function split(ms: number): { sec: number; us: number } {
  const totalUs = Math.round(ms * 1000);
  const sec = Math.floor(totalUs / 1_000_000);
  return { sec, us: totalUs - sec * 1_000_000 };
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `2023-11-14 22:13:20.123456` in local time, as a log line starts. */
export function localTime(ms: number): string {
  const { sec, us } = split(ms);
  const d = new Date(sec * 1000);
  if (Number.isNaN(d.getTime())) return String(sec);
  const date = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  return `${date} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(us, 6)}`;
}

/** The second `isoTime` formatted last, and its text up to the seconds: times come in runs. */
let isoSecond = NaN;
let isoPrefix = '';

/** `2023-11-14T22:13:20.123456Z`: ISO 8601 in UTC with microseconds. */
export function isoTime(ms: number): string {
  const { sec, us } = split(ms);
  if (sec !== isoSecond) {
    const d = new Date(sec * 1000);
    if (Number.isNaN(d.getTime())) return String(sec);
    isoSecond = sec;
    isoPrefix = d.toISOString().slice(0, 19);
  }
  return `${isoPrefix}.${pad(us, 6)}Z`;
}

/** Epoch seconds with microseconds, as JSON's `ts`. */
export function epochSeconds(ms: number): string {
  const { sec, us } = split(ms);
  return `${sec}.${pad(us, 6)}`;
}

/** `vlan 123` or `vlan 200.2001` (QinQ, outer first); empty when untagged. */
export function vlanLabel(vlans: readonly number[]): string {
  return vlans.length === 0 ? '' : `vlan ${vlans.join('.')}`;
}

/**
 * One line for a person: time, source (when several), kind, the detector's text, the VLAN and
 * the evidence frames, e.g. `2023-11-14 22:13:20.000120 ip-conflict 192.0.2.1 claimed by … frames 3,7`.
 */
export function findingLine(finding: Finding, showSource: boolean): string {
  const parts = [localTime(finding.timeMs)];
  if (showSource) parts.push(finding.source);
  parts.push(finding.kind, finding.text);
  const vlan = vlanLabel(finding.vlans);
  if (vlan !== '') parts.push(vlan);
  if (finding.frames.length > 0) parts.push(`frames ${finding.frames.join(',')}`);
  return `${parts.join(' ')}\n`;
}

/**
 * One JSON line with stable fields: `type` ("finding"), `time` (ISO, UTC), `ts` (epoch
 * seconds), `kind`, `source`, `vlan` (VIDs, outermost first), `key`, `ip`, `mac` (null when
 * the kind has none), `frames`, `text`, and `detail` with the kind's own fields.
 */
export function findingJson(finding: Finding): string {
  return `${JSON.stringify({
    type: 'finding',
    time: isoTime(finding.timeMs),
    ts: Number(epochSeconds(finding.timeMs)),
    kind: finding.kind,
    source: finding.source,
    vlan: finding.vlans,
    key: finding.key,
    ip: finding.ip ?? null,
    mac: finding.mac ?? null,
    frames: finding.frames,
    text: finding.text,
    detail: finding.fields,
  })}\n`;
}

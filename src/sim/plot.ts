/**
 * The picture `arpkit sim --plot FILE.svg` writes: three panels over one time axis in seconds
 * (flows recovered, ARP frames/s, lost packets/s and policer drops/s), the scenario's marks as
 * dashed lines. Pure: a Timeline in, SVG text out, the same bytes for the same input. Long runs
 * are drawn with at most `MAX_POINTS` points per series, each the peak of its group of bins, so
 * a one-bin spike still shows and the file stays small.
 */
import type { Timeline } from './timeline.js';
import { MICROSECOND, MILLISECOND, SECOND, type Nanos } from './units.js';

/** The picture's size in CSS pixels: its width, height and viewBox. */
export const PLOT_SIZE = Object.freeze({ width: 960, height: 660 });

/** A panel's plotting area in picture pixels (the axes run along its left and bottom edges). */
export type PlotBox = Readonly<Record<'x' | 'y' | 'width' | 'height', number>>;

const LEFT = 72;
const RIGHT = 28;
/** From one panel's top to the next: the plot, a gap and the next panel's title row. */
const PANEL_STEP = 138 + 36;
/** The first panel's top leaves room for the title, its own title row and the mark labels. */
const FIRST_PANEL_Y = 124;
const MARK_ROWS = 3;
const MARK_ROW_HEIGHT = 13;
const PLOT_WIDTH = PLOT_SIZE.width - LEFT - RIGHT;

const box = (i: number): PlotBox =>
  Object.freeze({ x: LEFT, y: FIRST_PANEL_Y + i * PANEL_STEP, width: PLOT_WIDTH, height: 138 });

/** Where each panel's plotting area is, so tests can look inside it. */
export const PLOT_PANELS = Object.freeze({ recovered: box(0), arp: box(1), loss: box(2) });

/** The colours the picture uses, by what they show. */
export const PLOT_COLOURS = Object.freeze({
  recovered: '#2b9348',
  arpFill: '#a5c8f0',
  arpLine: '#1c64b4',
  lost: '#d7263d',
  policer: '#f29e0c',
  mark: '#868e96',
  trigger: '#343a40',
  grid: '#eceef1',
  axis: '#9aa0a6',
  warn: '#c92a2a',
});

/** The most points one series is drawn with; longer runs are grouped by their peaks. */
export const MAX_POINTS = 2000;

const C = PLOT_COLOURS;
/** One CSS rule a line, so the SVG elements carry only a class. */
const STYLE = [
  "text{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,",
  "'Liberation Sans','DejaVu Sans',sans-serif;fill:#212529;font-size:12px}",
  '.title{font-size:18px;font-weight:600}.panel{font-size:13px;font-weight:600}',
  '.tick{font-size:11px;fill:#5f6368}.muted{fill:#5f6368}.note{fill:#868e96;font-style:italic}',
  `.warn{fill:${C.warn};font-weight:600}.grid{stroke:${C.grid}}.axis{stroke:${C.axis};fill:none}`,
  `.mark{stroke:${C.mark};stroke-dasharray:5 4}.trigger{stroke:${C.trigger}}`,
  'text.mark{font-size:11px;stroke:#ffffff;stroke-width:3px;stroke-dasharray:none}',
  'text.mark{paint-order:stroke}',
  `text.mark{fill:${C.mark}}text.trigger{fill:${C.trigger};font-weight:600}`,
  `.series{fill:none;stroke-linejoin:round}.recovered{stroke:${C.recovered};stroke-width:2.5}`,
  `.recovered-area{fill:${C.recovered};fill-opacity:0.1}.arp-area{fill:${C.arpFill}}`,
  `.arp{stroke:${C.arpLine};stroke-width:1.2}.lost{stroke:${C.lost};stroke-width:1.6}`,
  `.policer{stroke:${C.policer};stroke-width:1.6}.swatch{stroke-width:3}`,
].join('');

/** A value held from `from` to `to` (nanoseconds). */
type Step = { readonly from: Nanos; readonly to: Nanos; readonly value: number };

/** A coordinate with at most one decimal, never `-0`: the same number always prints the same. */
function f(n: number): string {
  const rounded = Math.round(n * 10) / 10;
  return String(rounded === 0 ? 0 : rounded);
}

/** Text as XML character data or attribute value; characters XML 1.0 forbids are dropped. */
export function escapeXml(text: string): string {
  const forbidden = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;
  return text.replace(forbidden, '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** One element: number values are coordinates, strings are escaped, undefined ones are left out. */
function el(name: string, attrs: Record<string, string | number | undefined>, text?: string) {
  const list = Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${typeof v === 'number' ? f(v) : escapeXml(v ?? '')}"`)
    .join('');
  return text === undefined ? `<${name}${list}/>` : `<${name}${list}>${escapeXml(text)}</${name}>`;
}

/** `12.500` → `12.5`, `10.000` → `10`. */
const trimZeros = (fixed: string): string =>
  fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;

const UNITS = [
  [SECOND, 's'],
  [MILLISECOND, 'ms'],
  [MICROSECOND, 'µs'],
  [1, 'ns'],
] as const;

/** A duration for people: `12.5 s`, `10 ms`, `250 µs`. */
function formatDuration(time: Nanos): string {
  const [size, unit] = UNITS.find(([size]) => Math.abs(time) >= size) ?? [SECOND, 's'];
  return `${trimZeros((time / size).toFixed(3))} ${unit}`;
}

/** A whole count with thousands separators, independent of the locale. */
const formatCount = (n: number): string =>
  String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** A 1-2-5 step that divides `max` into about `target` parts. */
function niceStep(max: number, target: number): number {
  const raw = max / target;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / magnitude;
  return (norm <= 1 + 1e-9 ? 1 : norm <= 2 + 1e-9 ? 2 : norm <= 5 + 1e-9 ? 5 : 10) * magnitude;
}

/** A tick label with the decimals its step needs; k or M on an axis of thousands or millions. */
function formatTick(value: number, step: number, max: number): string {
  if (value === 0) return '0';
  const [divisor, suffix] = max >= 1e6 ? [1e6, 'M'] : step >= 1e3 ? [1e3, 'k'] : [1, ''];
  const decimals = Math.min(9, Math.max(0, -Math.floor(Math.log10(step / divisor) + 1e-9)));
  return `${(value / divisor).toFixed(decimals)}${suffix}`;
}

/** Ticks 0, step, 2·step… up to `max`. */
const ticks = (max: number, step: number): number[] =>
  Array.from({ length: Math.floor(max / step + 1e-9) + 1 }, (_, i) => i * step);

/** Rough width of `text` at `size` px in a sans-serif font, for laying labels out. */
const textWidth = (text: string, size: number): number => text.length * size * 0.56;

/** How many of the run's bins hold data for `counts`. */
function binCount(counts: Float64Array, timeline: Timeline): number {
  const { bin, end } = timeline;
  return bin > 0 && end > 0 ? Math.min(counts.length, Math.ceil(end / bin)) : 0;
}

/** Each bin's count as a rate per second, grouped `group` bins to a step holding their peak. */
function rateSteps(counts: Float64Array, timeline: Timeline, group: number): Step[] {
  const { bin, end } = timeline;
  const bins = binCount(counts, timeline);
  const steps: Step[] = [];
  for (let first = 0; first < bins; first += group) {
    const last = Math.min(first + group, bins);
    let peak = 0;
    for (let i = first; i < last; i++) {
      const count = counts[i] ?? 0;
      // A last bin cut short by `end` counts as at least half a bin, so a sliver cannot spike.
      const width = Math.max(Math.min(bin, end - i * bin), bin / 2);
      if (Number.isFinite(count) && count > 0) peak = Math.max(peak, count / (width / SECOND));
    }
    steps.push({ from: first * bin, to: Math.min(last * bin, end), value: peak });
  }
  return steps;
}

/** The sum of a series' finite, positive counts over the run's bins. */
function total(counts: Float64Array, timeline: Timeline): number {
  let sum = 0;
  for (let i = 0; i < binCount(counts, timeline); i++) {
    const count = counts[i] ?? 0;
    if (Number.isFinite(count) && count > 0) sum += count;
  }
  return sum;
}

/** Percent of the flows that lost packets and have recovered, over time; undefined if none lost. */
function recoverySteps(timeline: Timeline, domain: Nanos): Step[] | undefined {
  const times = timeline.recoveredAt;
  const lostFlows = times.length + timeline.unrecovered;
  if (!(lostFlows > 0)) return undefined;
  const clamp = (time: Nanos): Nanos => Math.min(Math.max(time, 0), domain);
  const bucket = (time: Nanos): number => Math.floor((clamp(time) / domain) * MAX_POINTS);
  const steps: Step[] = [];
  let from = clamp(Math.min(timeline.trigger ?? 0, times[0] ?? Infinity));
  let value = 0;
  for (let i = 0; i < times.length;) {
    const at = clamp(times[i] ?? 0);
    const key = bucket(at);
    while (i < times.length && bucket(times[i] ?? 0) === key) i++;
    if (at > from) steps.push({ from, to: at, value });
    from = Math.max(from, at);
    value = (100 * i) / lostFlows;
  }
  steps.push({ from, to: domain, value });
  return steps;
}

/** Maps a panel's values to picture coordinates. */
interface Axes {
  readonly box: PlotBox;
  readonly x: (t: Nanos) => number;
  readonly y: (v: number) => number;
  /** The top of the y axis, its tick step and the unit its labels carry. */
  readonly max: number;
  readonly step: number;
  readonly unit: string;
}

/** SVG path data for a step series; closed down to the panel's floor (an area) when `area`. */
function stepPath(steps: readonly Step[], { box, x, y }: Axes, area: boolean): string {
  const first = steps[0];
  if (first === undefined) return '';
  const floor = f(box.y + box.height);
  let lastY = area ? floor : f(y(first.value));
  const parts = [`M${f(x(first.from))} ${lastY}`];
  let pendingX: string | undefined;
  for (const step of steps) {
    const stepY = f(y(step.value));
    if (stepY !== lastY) parts.push(`${pendingX === undefined ? '' : `H${pendingX}`}V${stepY}`);
    lastY = stepY;
    pendingX = f(x(step.to));
  }
  parts.push(`H${pendingX ?? ''}`, area ? `V${floor}Z` : '');
  return parts.join('');
}

/** A `<text>` of class `cls` at (x, y), anchored at `anchor` (start when undefined). */
const txt = (cls: string, x: number, y: number, text: string, anchor?: 'middle' | 'end'): string =>
  el('text', { class: cls, x, y, 'text-anchor': anchor }, text);

/** A note for the right end of a panel's title row, in class `cls`. */
type Note = { readonly text: string; readonly cls: string };

/** A panel's grid, axes, y tick labels (each followed by `unit`), title and note. */
function panelFrame(axes: Axes, xTicks: readonly number[], title: string, note?: Note): string[] {
  const { box, max, step, unit } = axes;
  const bottom = box.y + box.height;
  const out = xTicks.map((x) => el('line', { class: 'grid', x1: x, x2: x, y1: box.y, y2: bottom }));
  for (const v of ticks(max, step)) {
    const y = axes.y(v);
    if (v > 0)
      out.push(el('line', { class: 'grid', x1: box.x, x2: box.x + box.width, y1: y, y2: y }));
    out.push(txt('tick', box.x - 8, y + 4, formatTick(v, step, max) + unit, 'end'));
  }
  out.push(el('path', { class: 'axis', d: `M${box.x} ${box.y}V${bottom}H${box.x + box.width}` }));
  const titleY = box.y - 10 - (box === PLOT_PANELS.recovered ? MARK_ROWS * MARK_ROW_HEIGHT : 0);
  out.push(txt('panel', box.x, titleY, title));
  if (note !== undefined) out.push(txt(note.cls, box.x + box.width, titleY, note.text, 'end'));
  return out;
}

/** A muted note centred in a panel, for a series with nothing to show. */
const panelNote = (b: PlotBox, text: string): string =>
  txt('note', b.x + b.width / 2, b.y + b.height / 2, text, 'middle');

/** A panel's axes: y from 0 to `max` with ticks every `step`, labels followed by `unit`. */
function axesFor(box: PlotBox, x: Axes['x'], max: number, step: number, unit = ''): Axes {
  return { box, x, y: (v) => box.y + box.height - (v / max) * box.height, max, step, unit };
}

/** A rate panel's axes: a 1-2-5 step, the top a whole number of steps at least 5 % over `peak`. */
function rateAxes(box: PlotBox, x: Axes['x'], peak: number): Axes {
  const step = niceStep(peak > 0 ? peak : 1, 4);
  return axesFor(box, x, Math.max(1, Math.ceil((peak * 1.05) / step - 1e-9)) * step, step);
}

/** A mark placed on the label rows above the first panel (row 0 is nearest the panel). */
type PlacedMark = { x: number; label: string; trigger: boolean; row: number; anchorEnd: boolean };

/**
 * The marks (and the trigger, unless a mark is at that moment) within the run, left to right.
 * A label goes on the highest row whose own span and the rows below it (which its line crosses)
 * are clear at its position; crowded marks thus step down, and no line runs through a label.
 */
function placeMarks(timeline: Timeline, x: Axes['x'], domain: Nanos): PlacedMark[] {
  const { trigger } = timeline;
  const marks = timeline.marks.map(({ time, label }) => ({
    time,
    label,
    trigger: time === trigger,
  }));
  if (trigger !== undefined && !marks.some((mark) => mark.trigger)) {
    marks.push({ time: trigger, label: 'trigger', trigger: true });
  }
  marks.sort((a, b) => a.time - b.time);
  const rowEnds = Array.from({ length: MARK_ROWS }, () => -Infinity);
  const placed: PlacedMark[] = [];
  for (const { time, label, trigger } of marks) {
    if (!(time >= 0 && time <= domain)) continue;
    const at = x(time);
    const width = textWidth(label, 11);
    const anchorEnd = at + 4 + width > PLOT_SIZE.width - 4;
    const start = anchorEnd ? at - 4 - width : at;
    let row = -1;
    while (row + 1 < MARK_ROWS && (rowEnds[row + 1] ?? 0) + 6 < start) row++;
    if (row < 0) row = rowEnds.indexOf(Math.min(...rowEnds));
    rowEnds[row] = anchorEnd ? at : at + 4 + width;
    placed.push({ x: at, label, trigger, row, anchorEnd });
  }
  return placed;
}

/** The first panel's title: what 100 % is. */
function recoveryTitle(timeline: Timeline): string {
  const lostFlows = timeline.recoveredAt.length + timeline.unrecovered;
  return lostFlows > 0
    ? `Flows recovered (% of the ${formatCount(lostFlows)} that lost packets)`
    : 'Flows recovered';
}

/** How recovery ended: flows never recovered (a warning), or how long the last one took. */
function recoveryNote(timeline: Timeline): Note | undefined {
  const { recoveredAt, unrecovered, trigger } = timeline;
  const last = recoveredAt[recoveredAt.length - 1];
  if (unrecovered > 0) {
    const of = formatCount(recoveredAt.length + unrecovered);
    return { text: `${formatCount(unrecovered)} of ${of} not recovered by the end`, cls: 'warn' };
  }
  if (last === undefined) return undefined;
  const text =
    trigger !== undefined && last >= trigger
      ? `all recovered within ${formatDuration(last - trigger)} of the trigger`
      : `all recovered by ${formatDuration(last)}`;
  return { text, cls: 'muted' };
}

/** The timeline as a standalone SVG document titled `title`. */
export function plotSvg(timeline: Timeline, title: string): string {
  const { width: W, height: H } = PLOT_SIZE;
  const { recovered: p1, arp: p2, loss: p3 } = PLOT_PANELS;
  const domain: Nanos = timeline.end > 0 ? timeline.end : SECOND;
  const x = (t: Nanos): number => LEFT + (t / domain) * PLOT_WIDTH;
  const bins = timeline.bin > 0 && timeline.end > 0 ? Math.ceil(timeline.end / timeline.bin) : 0;
  const group = Math.max(1, Math.ceil(bins / MAX_POINTS));
  const xStep = niceStep(domain / SECOND, 8);
  const xSeconds = ticks(domain / SECOND, xStep);
  const xTicks = xSeconds.map((s) => x(s * SECOND));

  const facts = [
    timeline.end > 0 ? `${formatDuration(timeline.end)} run` : 'zero-length run',
    `${formatCount(timeline.flows)} ${timeline.flows === 1 ? 'flow' : 'flows'}`,
  ];
  if (timeline.bin > 0) facts.push(`${formatDuration(timeline.bin)} bins`);
  if (group > 1) facts.push(`each point the peak of ${formatCount(group)} bins`);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`,
    el('title', {}, title),
    `<style>${STYLE}</style>`,
    el('rect', { width: W, height: H, fill: '#ffffff' }),
    txt('title', 16, 30, title.length > 84 ? `${title.slice(0, 83)}…` : title),
    txt('muted', 16, 50, facts.join(' · ')),
  ];

  // Panel 1: flows recovered, as a percentage of those that lost packets.
  const recovery = recoverySteps(timeline, domain);
  const a1 = axesFor(p1, x, 100, 20, '%');
  out.push(...panelFrame(a1, xTicks, recoveryTitle(timeline), recoveryNote(timeline)));
  if (recovery === undefined) {
    out.push(panelNote(p1, timeline.flows > 0 ? 'no flow lost packets' : 'no flows'));
  } else {
    out.push(el('path', { class: 'recovered-area', d: stepPath(recovery, a1, true) }));
    out.push(el('path', { class: 'series recovered', d: stepPath(recovery, a1, false) }));
  }

  // Panel 2: ARP frames per second, as a filled area.
  const arp = rateSteps(timeline.arpFrames, timeline, group);
  const arpTotal = total(timeline.arpFrames, timeline);
  const a2 = rateAxes(p2, x, Math.max(0, ...arp.map((s) => s.value)));
  const arpNote = { text: `${formatCount(arpTotal)} frames in all`, cls: 'muted' };
  out.push(...panelFrame(a2, xTicks, 'ARP frames/s', arpTotal > 0 ? arpNote : undefined));
  if (arpTotal > 0) {
    out.push(el('path', { class: 'arp-area', d: stepPath(arp, a2, true) }));
    out.push(el('path', { class: 'series arp', d: stepPath(arp, a2, false) }));
  } else {
    out.push(panelNote(p2, 'no ARP frames'));
  }

  // Panel 3: lost packets and policer drops per second, two lines and a legend.
  const series = [
    { name: 'lost packets/s', cls: 'lost', counts: timeline.lost },
    { name: 'policer drops/s', cls: 'policer', counts: timeline.policerDrops },
  ].map((s) => ({
    ...s,
    steps: rateSteps(s.counts, timeline, group),
    sum: total(s.counts, timeline),
  }));
  const a3 = rateAxes(p3, x, Math.max(0, ...series.flatMap((s) => s.steps.map((p) => p.value))));
  out.push(...panelFrame(a3, xTicks, 'Packets lost and dropped per second'));
  for (const s of series.filter((s) => s.sum > 0)) {
    out.push(el('path', { class: `series ${s.cls}`, d: stepPath(s.steps, a3, false) }));
  }
  if (series.every((s) => s.sum === 0)) out.push(panelNote(p3, 'no packets lost or dropped'));
  let legendX = p3.x + p3.width;
  for (const s of [...series].reverse()) {
    const label = `${s.name} (${s.sum > 0 ? `${formatCount(s.sum)} in all` : 'none'})`;
    legendX -= textWidth(label, 12);
    out.push(txt('muted', legendX, p3.y - 10, label));
    const swatch = { class: `swatch ${s.cls}`, y1: p3.y - 14, y2: p3.y - 14 };
    out.push(el('line', { ...swatch, x1: legendX - 24, x2: legendX - 6 }));
    legendX -= 40;
  }

  // Marks: dashed lines through every panel, then their labels above the first.
  const marks = placeMarks(timeline, x, domain);
  for (const mark of marks) {
    const cls = mark.trigger ? 'mark trigger' : 'mark';
    const top = p1.y - 15 - mark.row * MARK_ROW_HEIGHT;
    for (const [y1, y2] of [
      [top, p1.y],
      [p2.y, p2.y],
      [p3.y, p3.y],
    ] as const) {
      out.push(el('line', { class: cls, x1: mark.x, x2: mark.x, y1, y2: y2 + p1.height }));
    }
  }
  for (const mark of marks) {
    const y = p1.y - 6 - mark.row * MARK_ROW_HEIGHT;
    const cls = mark.trigger ? 'mark trigger' : 'mark';
    out.push(
      txt(
        cls,
        mark.x + (mark.anchorEnd ? -4 : 4),
        y,
        mark.label,
        mark.anchorEnd ? 'end' : undefined,
      ),
    );
  }

  // The shared time axis under the last panel.
  const axisY = p3.y + p3.height;
  xSeconds.forEach((s, i) => {
    const tx = xTicks[i] ?? 0;
    out.push(el('line', { class: 'axis', x1: tx, x2: tx, y1: axisY, y2: axisY + 4 }));
    out.push(txt('tick', tx, axisY + 17, formatTick(s, xStep, domain / SECOND), 'middle'));
  });
  out.push(txt('muted', p3.x + p3.width / 2, H - 12, 'time (s)', 'middle'), '</svg>', '');
  return out.join('\n');
}

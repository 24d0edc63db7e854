import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_POINTS, plotSvg } from './plot.js';
import type { Timeline } from './timeline.js';
import { fromMs, fromSeconds, MILLISECOND, SECOND } from './units.js';

/** A 12 s run in 10 ms bins: ARP and losses around a failure at 4 s, flows back by 4.35 s. */
function failover(overrides: Partial<Timeline> = {}): Timeline {
  const bins = 1200;
  const arpFrames = new Float64Array(bins).fill(1);
  const lost = new Float64Array(bins);
  const policerDrops = new Float64Array(bins);
  for (let i = 400; i < 450; i++) {
    arpFrames[i] = 30;
    lost[i] = 5;
    policerDrops[i] = i < 420 ? 2 : 0;
  }
  return {
    bin: fromMs(10),
    end: fromSeconds(12),
    arpFrames,
    lost,
    policerDrops,
    trigger: fromSeconds(4),
    flows: 40,
    recoveredAt: [fromMs(4100), fromMs(4200), fromMs(4350)],
    unrecovered: 0,
    marks: [
      { time: fromSeconds(4), label: 'link down' },
      { time: fromMs(4050), label: 'bond failover' },
    ],
    ...overrides,
  };
}

/** An empty run: nothing happened, nothing to draw. */
function empty(overrides: Partial<Timeline> = {}): Timeline {
  return {
    bin: fromMs(10),
    end: 0,
    arpFrames: new Float64Array(0),
    lost: new Float64Array(0),
    policerDrops: new Float64Array(0),
    trigger: undefined,
    flows: 0,
    recoveredAt: [],
    unrecovered: 0,
    marks: [],
    ...overrides,
  };
}

/**
 * Checks that `svg` is well-formed XML as far as this SVG uses it: one root, balanced tags,
 * quoted attributes, no raw `<` or stray `&` in text or values. Returns the element names seen.
 */
function assertWellFormed(svg: string): string[] {
  const body = svg.replace(/^<\?xml [^?]*\?>\n/, '');
  const stack: string[] = [];
  const names: string[] = [];
  const entity = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);/gi;
  let roots = 0;
  for (const token of body.split(/(<[^>]*>)/)) {
    if (!token.startsWith('<')) {
      assert.doesNotMatch(token.replace(entity, ''), /[<&]/, `bad text: ${token}`);
      if (stack.length === 0) assert.match(token, /^\s*$/, `text outside the root: ${token}`);
      continue;
    }
    const close = /^<\/([a-zA-Z]+)>$/.exec(token);
    if (close !== null) {
      assert.equal(stack.pop(), close[1], `unbalanced </${close[1]}>`);
      continue;
    }
    const open = /^<([a-zA-Z]+)((?:\s+[a-zA-Z][a-zA-Z0-9:-]*="[^"<]*")*)\s*(\/?)>$/.exec(token);
    assert.ok(open !== null, `malformed tag: ${token}`);
    assert.doesNotMatch((open[2] ?? '').replace(entity, ''), /&/, `bad value: ${token}`);
    const name = open[1] ?? '';
    if (stack.length === 0) roots++;
    names.push(name);
    if (open[3] !== '/') stack.push(name);
  }
  assert.deepEqual(stack, [], 'unclosed elements');
  assert.equal(roots, 1, 'exactly one root element');
  return names;
}

/** The text of every `<text class="cls">`, unescaped only for the entities the plot writes. */
function texts(svg: string, cls: string): string[] {
  const re = new RegExp(`<text class="${cls}"[^>]*>([^<]*)</text>`, 'g');
  return [...svg.matchAll(re)].map((m) =>
    (m[1] ?? '').replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))),
  );
}

/** True when successive ticks differ by the same 1, 2 or 5 × 10^k step and start at 0. */
function isNiceScale(values: readonly number[]): boolean {
  const step = (values[1] ?? 0) - (values[0] ?? 0);
  const norm = step / 10 ** Math.floor(Math.log10(step));
  return (
    values[0] === 0 &&
    [1, 2, 5].some((n) => Math.abs(norm - n) < 1e-9) &&
    values.every((v, i) => Math.abs(v - i * step) < step * 1e-6)
  );
}

/** A tick label as a number: `2.5k` → 2500, `80%` → 80. */
const tickValue = (label: string): number =>
  Number.parseFloat(label) * (label.endsWith('k') ? 1e3 : label.endsWith('M') ? 1e6 : 1);

describe('plotSvg', () => {
  test('is a well-formed standalone SVG with a fixed size and a white background', () => {
    const svg = plotSvg(failover(), 'failover');
    const names = assertWellFormed(svg);
    assert.equal(names[0], 'svg');
    assert.ok(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg '), svg.slice(0, 80));
    const root = /^<svg([^>]*)>/m.exec(svg)?.[1] ?? '';
    for (const attr of ['xmlns="http://www.w3.org/2000/svg"', 'width="960"', 'height="660"']) {
      assert.ok(root.includes(attr), attr);
    }
    assert.ok(root.includes('viewBox="0 0 960 660"'));
    assert.match(svg, /<rect width="960" height="660" fill="#ffffff"\/>/);
    assert.ok(names.filter((n) => n === 'path').length >= 5, 'the series are drawn');
  });

  test('labels both axes with round 1-2-5 ticks', () => {
    const svg = plotSvg(failover(), 'failover');
    assert.ok(svg.includes('>time (s)</text>'));
    const ticks = texts(svg, 'tick');
    // The time axis: 0 to 12 s in steps of 2; the recovered panel: 0–100 % in steps of 20.
    assert.deepEqual(ticks.filter((t) => /^\d+$/.test(t) && Number(t) % 2 === 0).slice(-7), [
      '0',
      '2',
      '4',
      '6',
      '8',
      '10',
      '12',
    ]);
    assert.deepEqual(
      ticks.filter((t) => t.endsWith('%')),
      ['0%', '20%', '40%', '60%', '80%', '100%'],
    );
    // Every run of y ticks (one per panel, each starting at 0) is a 1-2-5 scale.
    const runs: number[][] = [];
    for (const t of ticks) {
      if (tickValue(t) === 0) runs.push([]);
      runs[runs.length - 1]?.push(tickValue(t));
    }
    assert.equal(runs.length, 4, 'three panels and the time axis');
    for (const run of runs) assert.ok(isNiceScale(run), `not a 1-2-5 scale: ${run.join(' ')}`);
    // ARP peaks at 30 frames per 10 ms = 3,000/s: the axis tops that by 5 % to one step.
    const arpTop = Math.max(...(runs[1] ?? []));
    assert.ok(arpTop >= 3000 * 1.05 && arpTop <= 4000, `ARP axis top ${arpTop}`);
    assert.deepEqual(texts(svg, 'panel'), [
      'Flows recovered (% of the 3 that lost packets)',
      'ARP frames/s',
      'Packets lost and dropped per second',
    ]);
  });

  test('escapes the title and every label', () => {
    const title = `<script>alert("x")</script> & 'friends'\u0007`;
    const svg = plotSvg(failover({ marks: [{ time: SECOND, label: 'a<b & "c"' }] }), title);
    assertWellFormed(svg);
    assert.ok(!svg.includes('<script>'));
    assert.ok(
      svg.includes(
        '<title>&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; ' +
          '&#39;friends&#39;</title>',
      ),
    );
    assert.deepEqual(texts(svg, 'title'), [`<script>alert("x")</script> & 'friends'`]);
    assert.ok(texts(svg, 'mark').includes('a<b & "c"'));
  });

  test('is deterministic, and prints coordinates with at most one decimal', () => {
    const svg = plotSvg(failover(), 'same');
    assert.equal(plotSvg(failover(), 'same'), svg);
    for (const [, value] of svg.matchAll(/ (?:x|y|x1|x2|y1|y2|d)="([^"]*)"/g)) {
      assert.doesNotMatch(value ?? '', /\d\.\d\d|NaN|Infinity|-0\b|e[+-]/, value);
    }
  });

  test('notes recovery, and warns of flows that never recovered', () => {
    assert.deepEqual(texts(plotSvg(failover(), 't'), 'muted').slice(1, 2), [
      'all recovered within 350 ms of the trigger',
    ]);
    const stuck = plotSvg(failover({ unrecovered: 2 }), 't');
    assert.deepEqual(texts(stuck, 'warn'), ['2 of 5 not recovered by the end']);
  });

  test('draws the marks, and the trigger when no mark is at that moment', () => {
    const marked = plotSvg(failover(), 't');
    assert.deepEqual(texts(marked, 'mark trigger'), ['link down']);
    assert.deepEqual(texts(marked, 'mark'), ['bond failover']);
    const unmarked = plotSvg(
      failover({ marks: [{ time: fromSeconds(30), label: 'after the end' }] }),
      't',
    );
    assert.deepEqual(texts(unmarked, 'mark trigger'), ['trigger']);
    assert.ok(!unmarked.includes('after the end'));
    // Each mark is a dashed line through all three panels.
    assert.equal([...marked.matchAll(/<line class="mark/g)].length, 6);
  });

  test('says so when there is nothing to draw', () => {
    const zeros = failover({
      arpFrames: new Float64Array(1200),
      lost: new Float64Array(1200),
      policerDrops: new Float64Array(1200),
      recoveredAt: [],
      trigger: undefined,
      marks: [],
    });
    const svg = plotSvg(zeros, 'quiet');
    assertWellFormed(svg);
    assert.deepEqual(texts(svg, 'note'), [
      'no flow lost packets',
      'no ARP frames',
      'no packets lost or dropped',
    ]);
    assert.ok(!svg.includes('class="mark'));
    assert.ok(!svg.includes('<path class="series'));
  });

  test('draws an empty or zero-length run without NaN', () => {
    for (const timeline of [
      empty(),
      empty({ bin: 0 }),
      empty({
        end: fromMs(5),
        arpFrames: Float64Array.of(3),
        trigger: 0,
        marks: [{ time: 0, label: 'start' }],
      }),
      empty({ flows: 3, recoveredAt: [0], unrecovered: 1, trigger: 0 }),
    ]) {
      const svg = plotSvg(timeline, 'empty');
      assertWellFormed(svg);
      assert.doesNotMatch(svg, /NaN|Infinity|undefined/);
    }
    const svg = plotSvg(empty(), 'empty');
    assert.deepEqual(texts(svg, 'note'), [
      'no flows',
      'no ARP frames',
      'no packets lost or dropped',
    ]);
    assert.ok(texts(svg, 'muted')[0]?.startsWith('zero-length run · 0 flows'));
  });

  test('downsamples 100,000 bins by their peaks and stays small', () => {
    const bins = 100_000;
    let seed = 1;
    const noise = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24) % 50;
    const series = () => Float64Array.from({ length: bins }, noise);
    const arpFrames = series();
    arpFrames[54_321] = 1000; // one bin's spike must survive the grouping
    const recoveredAt = Array.from(
      { length: 50_000 },
      (_, i) => fromSeconds(50) + (i * 100 * MILLISECOND) / 1000,
    );
    const svg = plotSvg(
      failover({
        bin: MILLISECOND,
        end: bins * MILLISECOND,
        arpFrames,
        lost: series(),
        policerDrops: series(),
        recoveredAt,
        flows: 60_000,
      }),
      'big',
    );
    assertWellFormed(svg);
    assert.ok(svg.length < 300_000, `${svg.length} bytes`);
    for (const [, d] of svg.matchAll(/<path class="[^"]*" d="([^"]*)"/g)) {
      const points = (d ?? '').match(/[MHVZ]/g)?.length ?? 0;
      assert.ok(points <= 2 * MAX_POINTS + 4, `${points} path commands`);
    }
    assert.ok(texts(svg, 'muted')[0]?.includes('each point the peak of 50 bins'));
    // 1,000 frames in 1 ms is 1M/s: the ARP axis goes up to at least that.
    const arpTicks = texts(svg, 'tick').filter((t) => t.endsWith('M'));
    assert.ok(
      arpTicks.length > 0 && tickValue(arpTicks[arpTicks.length - 1] ?? '') >= 1e6,
      arpTicks.join(' '),
    );
  });
});

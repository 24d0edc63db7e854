/**
 * Renders a plot in headless Chromium and reads the screenshot's pixels: the chart is only
 * "drawn" if a real browser put the series' colours where the timeline says they belong.
 * Set ARPKIT_PLOT_PNG=FILE to keep the screenshot for a look.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { peerToolGate } from '../testing/peer-tools.js';
import {
  colourDistance,
  decodePng,
  parseHexColour,
  pixelAt,
  type PngImage,
  type Rgb,
} from '../testing/png.js';
import { PLOT_COLOURS, PLOT_PANELS, PLOT_SIZE, plotSvg, type PlotBox } from './plot.js';
import type { Timeline } from './timeline.js';
import { fromMs, fromSeconds } from './units.js';

/** How long one Chromium screenshot may take before its whole process group is killed. */
const CHROMIUM_TIMEOUT_MS = 60_000;
const gate = peerToolGate(['chromium'], CHROMIUM_TIMEOUT_MS + 30_000);

/** Flags that work headless as root in a container: no sandbox, no GPU, a throwaway profile. */
function chromiumArgs(profile: string, png: string, url: string): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--hide-scrollbars',
    '--no-first-run',
    '--no-default-browser-check',
    '--force-device-scale-factor=1',
    `--user-data-dir=${profile}`,
    `--screenshot=${png}`,
    `--window-size=${PLOT_SIZE.width},${PLOT_SIZE.height}`,
    url,
  ];
}

/** Runs Chromium on `svg` and resolves once it wrote `png`; kills it after the timeout. */
function screenshot(dir: string, svg: string, png: string): Promise<void> {
  const args = chromiumArgs(join(dir, 'profile'), png, pathToFileURL(svg).href);
  const env = { ...process.env, HOME: dir, XDG_CONFIG_HOME: dir, XDG_CACHE_HOME: dir };
  return new Promise((resolve, reject) => {
    const child = spawn('chromium', args, {
      detached: true,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on(
      'data',
      (data: Buffer) => void (stderr = (stderr + data.toString()).slice(-4000)),
    );
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group is already gone.
      }
    };
    const timer = setTimeout(() => {
      killGroup();
      reject(new Error(`chromium took over ${CHROMIUM_TIMEOUT_MS} ms; stderr: ${stderr}`));
    }, CHROMIUM_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      killGroup(); // helpers left behind, if any
      if (code === 0) resolve();
      else reject(new Error(`chromium exited with ${code ?? signal}; stderr: ${stderr}`));
    });
  });
}

/** 9 s in 10 ms bins: ARP only from 3 s to 6 s, losses from 3 s to 4 s, flows back by 5 s. */
function knownShape(): Timeline {
  const bins = 900;
  const arpFrames = new Float64Array(bins);
  const lost = new Float64Array(bins);
  const policerDrops = new Float64Array(bins);
  for (let i = 300; i < 600; i++) arpFrames[i] = 50;
  for (let i = 300; i < 400; i++) lost[i] = 8;
  for (let i = 300; i < 330; i++) policerDrops[i] = 4;
  return {
    bin: fromMs(10),
    end: fromSeconds(9),
    arpFrames,
    lost,
    policerDrops,
    trigger: fromSeconds(3),
    flows: 8,
    recoveredAt: [fromMs(3500), fromMs(4000), fromMs(4500), fromMs(5000)],
    unrecovered: 0,
    marks: [{ time: fromSeconds(3), label: 'link down' }],
  };
}

/** How many pixels in columns [x0, x1) and rows [y0, y1) are within `tolerance` of `colour`. */
function count(
  image: PngImage,
  colour: Rgb,
  x0: number,
  x1: number,
  y0: number,
  y1: number,
  tolerance = 16,
): number {
  let n = 0;
  for (let y = Math.round(y0); y < Math.round(y1); y++) {
    for (let x = Math.round(x0); x < Math.round(x1); x++) {
      if (colourDistance(pixelAt(image, x, y), colour) <= tolerance) n++;
    }
  }
  return n;
}

/** The picture x of `seconds` into the 9 s run. */
const xAt = (box: PlotBox, seconds: number): number => box.x + (seconds / 9) * box.width;

test('headless Chromium draws the plot where the timeline says', gate.options, async () => {
  gate.require();
  const dir = await mkdtemp(join(tmpdir(), 'arpkit-plot-'));
  try {
    const svg = join(dir, 'plot.svg');
    const png = join(dir, 'plot.png');
    await writeFile(svg, plotSvg(knownShape(), 'arpkit sim: browser check'));
    await screenshot(dir, svg, png);
    if (process.env.ARPKIT_PLOT_PNG) await copyFile(png, process.env.ARPKIT_PLOT_PNG);
    const image = decodePng(await readFile(png));

    // The screenshot is the picture's size, on white.
    assert.deepEqual([image.width, image.height], [PLOT_SIZE.width, PLOT_SIZE.height]);
    const white: Rgb = [255, 255, 255];
    for (const [x, y] of [
      [2, 2],
      [image.width - 3, 2],
      [2, image.height - 3],
      [image.width - 3, image.height - 3],
    ] as const) {
      assert.deepEqual(pixelAt(image, x, y), white, `corner ${x},${y}`);
    }
    const whites = count(image, white, 0, image.width, 0, image.height, 0);
    const all = image.width * image.height;
    assert.ok(whites > all * 0.5, `mostly white background: ${whites} of ${all}`);
    // Not blank: the title's text is drawn in dark pixels, and the chart covers a fair share.
    assert.ok(count(image, [33, 37, 41], 16, 300, 12, 36, 60) > 100, 'title text');
    assert.ok(all - whites > all * 0.05, `drawn: ${all - whites} non-white pixels`);

    // Panel 2: the ARP area fills the middle third (3–6 s) and nothing else.
    const arp = PLOT_PANELS.arp;
    const arpFill = parseHexColour(PLOT_COLOURS.arpFill);
    const [top, floor] = [arp.y + 2, arp.y + arp.height - 6];
    const inside = count(image, arpFill, xAt(arp, 3) + 4, xAt(arp, 6) - 4, top, floor);
    const middleArea = (xAt(arp, 6) - xAt(arp, 3) - 8) * (floor - top);
    assert.ok(
      inside > middleArea * 0.6,
      `ARP fill in the middle third: ${inside} of ${middleArea}`,
    );
    assert.equal(
      count(image, arpFill, arp.x + 2, xAt(arp, 3) - 4, top, floor),
      0,
      'ARP fill before 3 s',
    );
    assert.equal(
      count(image, arpFill, xAt(arp, 6) + 4, arp.x + arp.width - 2, top, floor),
      0,
      'ARP fill after 6 s',
    );

    // Panel 1: the recovered line is absent before the trigger, and at 100 % after 5 s.
    const rec = PLOT_PANELS.recovered;
    const green = parseHexColour(PLOT_COLOURS.recovered);
    assert.equal(
      count(image, green, rec.x + 2, xAt(rec, 3) - 3, rec.y, rec.y + rec.height + 2, 24),
      0,
      'before the trigger',
    );
    const atFull = count(image, green, xAt(rec, 5) + 4, xAt(rec, 9) - 2, rec.y - 3, rec.y + 3, 24);
    assert.ok(
      atFull > (xAt(rec, 9) - xAt(rec, 5)) * 0.8,
      `recovered line at 100 %: ${atFull} pixels`,
    );
    const halfway = rec.y + rec.height / 2; // 2 of 4 flows back from 4 s to 4.5 s
    assert.ok(
      count(image, green, xAt(rec, 4) + 3, xAt(rec, 4.5) - 3, halfway - 3, halfway + 3, 24) > 10,
      'at 50 %',
    );

    // Panel 3: the lost-packets line (800/s on a 0–1k axis) runs from 3 s to 4 s, and no later.
    const loss = PLOT_PANELS.loss;
    const red = parseHexColour(PLOT_COLOURS.lost);
    const lossY = loss.y + loss.height * 0.2;
    const early = count(image, red, xAt(loss, 3) + 3, xAt(loss, 4) - 3, lossY - 3, lossY + 3, 60);
    assert.ok(early > (xAt(loss, 4) - xAt(loss, 3)) * 0.8, `lost line: ${early} pixels`);
    const later = count(
      image,
      red,
      xAt(loss, 4.5),
      xAt(loss, 9) - 2,
      loss.y,
      loss.y + loss.height - 4,
      60,
    );
    assert.equal(later, 0, 'no lost line after 4 s');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

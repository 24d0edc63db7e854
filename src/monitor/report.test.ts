import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { openFileSource } from '../io/fd-source.js';
import { openCapture } from '../pcap/capture.js';
import { linkKindOf } from '../pcap/link-kind.js';
import { FrameDecoder } from '../wire/frame.js';
import { Analyzer } from './analyzer.js';
import { FINDING_KINDS } from './finding.js';
import { buildReport, LISTED_PER_KIND, reportJsonPieces, reportText } from './report.js';
import { Subnets } from './subnets.js';
import { DEFAULT_THRESHOLDS } from './thresholds.js';

const TROUBLE = fileURLToPath(new URL('../../../examples/trouble.pcapng', import.meta.url));

/** An analyzer that has read the whole of `path`, with `maxEntries` per table. */
function analysed(path: string, maxEntries = DEFAULT_THRESHOLDS.maxEntries): Analyzer {
  const analyzer = new Analyzer({
    thresholds: { ...DEFAULT_THRESHOLDS, maxEntries },
    nets: Subnets.parse([]),
    verbose: true,
    onFinding: () => {},
  });
  const source = openFileSource(path);
  try {
    const reader = openCapture(source);
    const decoder = new FrameDecoder();
    let number = 0;
    for (let record = reader.nextShared(); record !== null; record = reader.nextShared()) {
      const frame = decoder.decodeShared(
        record.data,
        0,
        record.data.length,
        linkKindOf(record.linkType)!,
      );
      analyzer.frame(frame, {
        source: 'trouble',
        number: ++number,
        timeMs: record.tsSec * 1000 + record.tsNsec / 1e6,
      });
    }
  } finally {
    source.close();
  }
  analyzer.finish();
  return analyzer;
}

describe('report', () => {
  for (const maxEntries of [DEFAULT_THRESHOLDS.maxEntries, 3]) {
    test(`max-entries ${maxEntries}: the JSON written in pieces is JSON.stringify's line, read again the same`, () => {
      const report = buildReport('trouble', analysed(TROUBLE, maxEntries));
      const whole = `${JSON.stringify(report)}\n`;
      assert.equal([...reportJsonPieces(report)].join(''), whole);
      assert.equal([...reportJsonPieces(report)].join(''), whole);
      const troubles = [...report.troubles];
      assert.equal(troubles.length, report.troubles.length);
      assert.ok(troubles.length > 0 && troubles.length <= Math.max(maxEntries, 1));
      // In the order first seen.
      for (let i = 1; i < troubles.length; i++) {
        assert.ok(troubles[i - 1]!.firstTs <= troubles[i]!.firstTs, JSON.stringify(troubles[i]));
      }
    });
  }

  test('the text lists each kind with its distinct troubles, at most five of each', () => {
    const report = buildReport('trouble', analysed(TROUBLE));
    const text = reportText(report);
    const troubles = [...report.troubles];
    for (const kind of FINDING_KINDS) {
      const distinct = troubles.filter((t) => t.kind === kind);
      if (report.findings[kind] === 0) {
        assert.doesNotMatch(text, new RegExp(`^${kind}:`, 'm'));
        continue;
      }
      assert.match(
        text,
        new RegExp(`^${kind}: ${report.findings[kind]} \\(${distinct.length} distinct\\)$`, 'm'),
      );
      for (const t of distinct.slice(0, LISTED_PER_KIND))
        assert.ok(text.includes(`  ${t.text}`), t.text);
    }
  });
});

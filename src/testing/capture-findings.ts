import assert from 'node:assert/strict';
import { openFileSource } from '../io/fd-source.js';
import type { Detector } from '../monitor/detector.js';
import type { Finding } from '../monitor/finding.js';
import { ObservationBuilder } from '../monitor/observation.js';
import { openCapture } from '../pcap/capture.js';
import { linkKindOf } from '../pcap/link-kind.js';
import { FrameDecoder } from '../wire/frame.js';
import { capturePath } from './captures.js';

/**
 * Every finding `detector` makes on the public capture `name` (in `../shared/captures`), read
 * frame by frame as `arpkit analyze` reads it, then finished at the last frame's time.
 */
export function detectCapture(name: string, detector: Detector): Finding[] {
  const findings: Finding[] = [];
  const sink = (finding: Finding): void => {
    findings.push(finding);
  };
  const source = openFileSource(capturePath(name));
  try {
    const reader = openCapture(source);
    const decoder = new FrameDecoder();
    const builder = new ObservationBuilder();
    let number = 0;
    let timeMs = 0;
    for (let record = reader.nextShared(); record !== null; record = reader.nextShared()) {
      number++;
      const link = linkKindOf(record.linkType);
      assert.ok(link !== undefined, `${name}: frame ${number}: link type ${record.linkType}`);
      const frame = decoder.decodeShared(record.data, 0, record.data.length, link);
      timeMs = record.tsSec * 1000 + record.tsNsec / 1e6;
      detector.frame(builder.observeShared(frame, { source: name, number, timeMs }), sink);
    }
    detector.finish(timeMs, sink);
  } finally {
    source.close();
  }
  return findings;
}

/** How many findings of each kind. */
export function countKinds(findings: readonly Finding[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const finding of findings) counts[finding.kind] = (counts[finding.kind] ?? 0) + 1;
  return counts;
}

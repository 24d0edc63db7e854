import type { Finding, FindingKind } from '../monitor/finding.js';
import { isInfoKind } from '../monitor/finding.js';
import { findingJson, findingLine } from '../monitor/finding-format.js';
import { type Report, reportJsonPieces, reportText } from '../monitor/report.js';
import type { AsciiWriter } from './ascii-writer.js';
import type { DetectSettings } from './detect-args.js';

/**
 * Prints findings as `analyze` and `monitor` show them, and remembers whether one of the
 * `--fail-on` kinds occurred.
 */
export class FindingOutput {
  /** A `--fail-on` kind was found. */
  failed = false;

  constructor(
    private readonly out: AsciiWriter,
    private readonly settings: DetectSettings,
    private readonly showSource: boolean,
  ) {}

  /** One finding; `print` is false for a repeat within `report-interval`. */
  finding(finding: Finding, print: boolean): void {
    if (this.settings.failOn.has(finding.kind as FindingKind)) this.failed = true;
    if (!print || this.settings.quiet) return;
    if (isInfoKind(finding.kind) && !this.settings.verbose) return;
    this.out.text(
      this.settings.json ? findingJson(finding) : findingLine(finding, this.showSource),
    );
  }

  /** The report: text, or one JSON line. */
  report(report: Report): void {
    if (!this.settings.json) {
      this.out.text(reportText(report));
      return;
    }
    for (const piece of reportJsonPieces(report)) this.out.text(piece);
  }
}

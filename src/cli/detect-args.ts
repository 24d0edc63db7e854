import { type Command, Option } from 'commander';
import { FINDING_KINDS, type FindingKind, isFindingKind, isInfoKind } from '../monitor/finding.js';
import { Subnets, SubnetError } from '../monitor/subnets.js';
import {
  describeDefaults,
  parseThresholds,
  ThresholdError,
  type Thresholds,
} from '../monitor/thresholds.js';
import { UsageError } from './errors.js';
import { collect } from './values.js';

/** The options `analyze` and `monitor` share, as commander hands them over. */
export interface DetectFlags {
  readonly json?: boolean;
  readonly verbose?: boolean;
  readonly quiet?: boolean;
  readonly failOn?: string;
  readonly threshold: string[];
  readonly net: string[];
  readonly db?: string;
}

/** The shared options, checked. */
export interface DetectSettings {
  readonly json: boolean;
  /** Information events are detected and printed. */
  readonly verbose: boolean;
  /** Only the report, no line per finding. */
  readonly quiet: boolean;
  readonly failOn: ReadonlySet<FindingKind>;
  readonly thresholds: Thresholds;
  readonly nets: Subnets;
  readonly db: string | undefined;
}

/** Adds the shared options to `command`. */
export function addDetectOptions(command: Command): Command {
  return command
    .addOption(new Option('--json', 'JSON lines: one per finding, then the report'))
    .addOption(new Option('-v, --verbose', 'also show information events (gratuitous, probe, …)'))
    .addOption(new Option('-q, --quiet', 'no line per finding: only the report'))
    .addOption(
      new Option(
        '--fail-on <kinds>',
        'exit 1 when a finding of these kinds (comma-separated) occurs',
      ),
    )
    .option(
      '-t, --threshold <name=value>',
      'set a detector threshold (repeatable; see below)',
      collect,
      [],
    )
    .option(
      '--net <cidr>',
      "the segment's IPv4 subnet, for the bogon check (repeatable)",
      collect,
      [],
    )
    .addOption(new Option('--db <file>', 'keep bindings and findings in this SQLite file'));
}

/** The `--help` text listing the finding kinds and every threshold's default. */
export function detectHelp(): string {
  return `
Finding kinds (the "kind" of --json, the names --fail-on takes):
  ${FINDING_KINDS.filter((kind) => !isInfoKind(kind)).join(', ')}
  information (--verbose): ${FINDING_KINDS.filter(isInfoKind).join(', ')}

Thresholds (-t NAME=VALUE; durations as 200ms, 1.5s, 2m):
${describeDefaults()}`;
}

/** Checks the shared options; throws a UsageError naming the option and the input. */
export function detectSettings(flags: DetectFlags): DetectSettings {
  const failOn = new Set<FindingKind>();
  if (flags.failOn !== undefined) {
    for (const name of flags.failOn.split(',').map((text) => text.trim())) {
      if (!isFindingKind(name)) {
        throw new UsageError(
          `--fail-on: "${name}" is not a finding kind (one of ${FINDING_KINDS.join(', ')})`,
        );
      }
      failOn.add(name);
    }
  }
  let thresholds: Thresholds;
  try {
    thresholds = parseThresholds(flags.threshold);
  } catch (error) {
    if (error instanceof ThresholdError) throw new UsageError(`--threshold: ${error.message}`);
    throw error;
  }
  let nets: Subnets;
  try {
    nets = Subnets.parse(flags.net);
  } catch (error) {
    if (error instanceof SubnetError) throw new UsageError(`--net: ${error.message}`);
    throw error;
  }
  const verbose = flags.verbose === true || [...failOn].some(isInfoKind);
  return {
    json: flags.json === true,
    verbose,
    quiet: flags.quiet === true,
    failOn,
    thresholds,
    nets,
    db: flags.db,
  };
}

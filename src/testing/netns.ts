/**
 * Network namespaces for tests: the lab itself (`lab/netns.ts`, shared with the benchmarks and
 * `arpkit demo`) and the rule that decides whether a namespace test runs, skips or fails.
 */
import type { TestContext } from 'node:test';
import { type NetnsAvailability, netnsAvailability } from '../lab/netns.js';
import { peersRequired } from './peer-tools.js';

export {
  type Background,
  type ExecResult,
  type Lab,
  type Netns,
  type NetnsAvailability,
  netnsAvailability,
  withLab,
} from '../lab/netns.js';

/**
 * For node:test: true when namespaces work; otherwise the test fails if ARPKIT_REQUIRE_NETNS is
 * set (CI), or is skipped with the reason and false is returned.
 */
export function requireNetns(
  t: Pick<TestContext, 'skip'>,
  availability: NetnsAvailability = netnsAvailability(),
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (availability.ok) return true;
  if (peersRequired(env)) {
    throw new Error(
      `ARPKIT_REQUIRE_NETNS is set but network namespaces are unavailable: ${availability.reason}`,
    );
  }
  t.skip(
    `network namespaces unavailable: ${availability.reason} (ARPKIT_REQUIRE_NETNS=1 makes this a failure)`,
  );
  return false;
}

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

/**
 * True when `ARPKIT_REQUIRE_NETNS` is set (CI sets it to 1): network tests and the peer tools
 * they use (tcpdump, tshark, arping…) must then run, and a test that cannot run fails.
 */
export function peersRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.ARPKIT_REQUIRE_NETNS !== undefined && !['', '0'].includes(env.ARPKIT_REQUIRE_NETNS);
}

/** Why some of `tools` cannot be run, or undefined when all of them can. */
export function missingTools(tools: readonly string[]): string | undefined {
  const missing = tools.filter(
    (tool) =>
      spawnSync(tool, ['--version'], { stdio: 'ignore', timeout: 30_000 }).error !== undefined,
  );
  return missing.length === 0 ? undefined : `not installed: ${missing.join(', ')}`;
}

/** What a test file that needs peer tools passes to node:test, and calls first in each test. */
export interface PeerToolGate {
  /** node:test options: skipped with the reason only when the tools are missing and not required. */
  readonly options: { readonly timeout: number; readonly skip: string | false };
  /** Fails the test when the tools are missing although required (the skip covers the rest). */
  require(): void;
}

/** Checks `tools` once for a test file. */
export function peerToolGate(tools: readonly string[], timeout: number): PeerToolGate {
  const missing = missingTools(tools);
  return {
    options: {
      timeout,
      skip:
        missing !== undefined && !peersRequired()
          ? `${missing} (ARPKIT_REQUIRE_NETNS=1 makes this a failure)`
          : false,
    },
    require() {
      assert.equal(missing, undefined, `ARPKIT_REQUIRE_NETNS is set but peer tools are ${missing}`);
    },
  };
}

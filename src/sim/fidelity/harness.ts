/**
 * The shape of every fidelity test: a node:test test that, holding the fidelity lock
 * (`kernel.ts` `exclusive`), builds a lab of namespaces, measures the kernel, runs the twin and
 * compares. Like `labTest`, it skips without namespaces or peer tools, and fails instead under
 * ARPKIT_REQUIRE_NETNS=1.
 */
import { test } from 'node:test';
import { requireNetns, type Lab, withLab } from '../../testing/netns.js';
import { type PeerToolGate, peerToolGate } from '../../testing/peer-tools.js';
import { exclusive } from './kernel.js';

/** The longest a test waits for another fidelity test to finish. */
export const LOCK_WAIT_MS = 120_000;

/** The tools every fidelity test may use, checked once per file; `labMs` bounds one test's lab. */
export function fidelityTools(labMs: number, extra: readonly string[] = []): PeerToolGate {
  return peerToolGate(['ip', 'sysctl', 'tcpdump', 'ping', 'sh', ...extra], LOCK_WAIT_MS + labMs);
}

/** Writes a line of the test's diagnostics (the measured figures, kernel beside sim). */
export type Note = (line: string) => void;

/**
 * A test whose `body` gets a fresh lab, torn down afterwards, within `labMs`, and a `note` for
 * the figures it measured (TAP diagnostics).
 */
export function fidelityTest(
  name: string,
  gate: PeerToolGate,
  labMs: number,
  body: (lab: Lab, note: Note) => Promise<void>,
): void {
  test(name, gate.options, async (t) => {
    gate.require();
    if (!requireNetns(t)) return;
    const note: Note = (line) => t.diagnostic(line);
    await exclusive(() => withLab((lab) => body(lab, note), labMs), LOCK_WAIT_MS);
  });
}

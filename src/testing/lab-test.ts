import { test } from 'node:test';
import { type Lab, requireNetns, withLab } from './netns.js';
import type { PeerToolGate } from './peer-tools.js';

/**
 * A node:test test that runs `body` in a fresh lab of network namespaces, torn down afterwards
 * whatever happens. Missing namespaces or peer tools (`gate`) skip it with the reason, or fail it
 * under ARPKIT_REQUIRE_NETNS=1 (CI). Its timeout is the gate's; the lab's deadline is `labMs`.
 */
export function labTest(
  name: string,
  gate: PeerToolGate,
  labMs: number,
  body: (lab: Lab) => Promise<void>,
): void {
  test(name, gate.options, async (t) => {
    gate.require();
    if (!requireNetns(t)) return;
    await withLab(body, labMs);
  });
}

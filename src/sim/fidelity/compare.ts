/**
 * How a fidelity test compares the kernel and the twin (issue 7, "Fidelity"): a time must agree
 * within 10 % of the measured value or one retransmit interval, whichever is larger; an outcome
 * (learned or not, which MAC, how many requests) must agree exactly. Messages carry both numbers.
 */
import assert from 'node:assert/strict';

/** The slack a measured time of `kernelMs` allows: max(10 %, `intervalMs`). */
export function tolerance(kernelMs: number, intervalMs: number): number {
  return Math.max(0.1 * Math.abs(kernelMs), intervalMs);
}

/** Asserts the twin's time `simMs` is within tolerance of the kernel's `kernelMs`. */
export function assertTime(what: string, kernelMs: number, simMs: number, intervalMs: number) {
  const slack = tolerance(kernelMs, intervalMs);
  assert.ok(
    Math.abs(kernelMs - simMs) <= slack,
    `${what}: kernel ${ms(kernelMs)}, sim ${ms(simMs)} (allowed ±${ms(slack)})`,
  );
}

/** Asserts two series of times agree in length exactly and pairwise within tolerance. */
export function assertTimes(
  what: string,
  kernelMs: readonly number[],
  simMs: readonly number[],
  intervalMs: number,
): void {
  const show = (times: readonly number[]) => times.map((t) => t.toFixed(1)).join(', ');
  assert.equal(
    simMs.length,
    kernelMs.length,
    `${what}: kernel [${show(kernelMs)}] ms, sim [${show(simMs)}] ms`,
  );
  kernelMs.forEach((kernel, i) => assertTime(`${what} #${i + 1}`, kernel, simMs[i]!, intervalMs));
}

/** A time for a message: `12.3 ms`. */
function ms(time: number): string {
  return `${time.toFixed(1)} ms`;
}

/** `times` relative to `origin`. */
export function since(origin: number, times: readonly number[]): number[] {
  return times.map((time) => time - origin);
}

/** A line for the test's diagnostics: what was measured on each side. */
export function report(what: string, kernel: unknown, sim: unknown): string {
  return `${what}: kernel ${shown(kernel)} | sim ${shown(sim)}`;
}

/** Numbers to 0.1, arrays in brackets, anything else as JSON. */
function shown(value: unknown): string {
  if (typeof value === 'number') return String(Math.round(value * 10) / 10);
  if (Array.isArray(value)) return `[${value.map(shown).join(', ')}]`;
  return JSON.stringify(value);
}

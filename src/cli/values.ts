import { DurationError, parseDurationMs } from '../time/duration.js';
import { AddressParseError } from '../wire/address-error.js';
import { EtherType } from '../wire/ethertype.js';
import type { VlanRepr } from '../wire/vlan.js';
import { UsageError } from './errors.js';

/** A duration in ms, as `parseDurationMs` reads it; throws a UsageError naming `option`. */
export function parseDuration(option: string, text: string): number {
  return optionValue(option, () => parseDurationMs(text));
}

/** A whole number from `min` to `max`; throws a UsageError naming `option` and the input. */
export function parseWhole(option: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < min || value > max) {
    throw new UsageError(`${option}: "${text}" is not a whole number from ${min} to ${max}`);
  }
  return value;
}

/**
 * `VID[:PCP]` as one 802.1Q tag; given twice or more, the first is the outer tag and carries
 * the 802.1ad TPID (QinQ), as switches expect. Throws a UsageError naming `--vlan`.
 */
export function parseVlans(texts: readonly string[]): VlanRepr[] {
  return texts.map((text, i) => {
    const match = /^(\d+)(?::(\d+))?$/.exec(text.trim());
    const vid = Number(match?.[1]);
    const pcp = Number(match?.[2] ?? 0);
    if (match === null || vid > 4095 || pcp > 7) {
      throw new UsageError(
        `--vlan: "${text}" is not VID[:PCP] (VID 0-4095, PCP 0-7, e.g. 100 or 100:5)`,
      );
    }
    const outer = texts.length > 1 && i === 0;
    return { tpid: outer ? EtherType.QINQ : EtherType.VLAN, pcp, dei: false, vid };
  });
}

/** Runs an address parser on an option's value, turning its error into a UsageError naming the option. */
export function parseAddress<T>(option: string, text: string, parse: (text: string) => T): T {
  return optionValue(option, () => parse(text));
}

/** What `parse` returns; its address or duration error becomes a UsageError naming `option`. */
function optionValue<T>(option: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof AddressParseError || error instanceof DurationError) {
      throw new UsageError(`${option}: ${error.message}`);
    }
    throw error;
  }
}

/** A commander option parser for a repeatable option: each value joins the list. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * The JSON Schema (draft-07) of an `arpkit watch` configuration file, YAML or JSON. It checks the
 * shape (keys, types, keywords, and `rate` as a whole number in range, which the builder checks
 * again for the command line); durations, addresses and the other ranges are checked by
 * `buildWatchConfig`, which the command line shares. Each node carries `expected`, the words an
 * error message uses for what belongs there ("a list of link names"); `config-file.ts` registers
 * it with Ajv as an annotation keyword.
 */
import { DURATION_EXAMPLES } from '../time/duration.js';
import { MAX_RATE } from '../announce/announcer.js';
import { EVENT_KINDS, SCHEDULE_EXAMPLE } from './config-build.js';

/** A schema node as this file writes them: JSON Schema plus `expected`. */
export interface SchemaNode {
  readonly expected?: string;
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly [keyword: string]: unknown;
}

const DURATION = `a duration (e.g. ${DURATION_EXAMPLES}; a bare number is seconds)`;

/** A list of names of one kind of link (`link`, `bridge`, `bond`). */
function names(what: string, example: string): SchemaNode {
  return {
    type: 'array',
    items: { type: 'string', minLength: 1, expected: `a ${what} name` },
    expected: `a list of ${what} names (e.g. [${example}])`,
  };
}

/** `true` (the default schedule), `false` (off) or a schedule of durations. */
const trigger: SchemaNode = {
  type: ['boolean', 'array'],
  items: { type: ['string', 'number'], expected: DURATION },
  expected: `true, false or a schedule such as ${SCHEDULE_EXAMPLE}`,
};

const announce: SchemaNode = {
  type: 'object',
  additionalProperties: false,
  properties: {
    iface: names('link', 'br0'),
    all: { type: 'boolean', expected: 'true or false' },
    guests: {
      type: ['boolean', 'array'],
      items: { type: 'string', minLength: 1, expected: 'a bridge name' },
      expected: 'true (every bridge), false or a list of bridge names (e.g. [br0])',
    },
    ip: {
      type: 'array',
      items: { type: 'string', expected: 'an IP address' },
      expected: 'a list of IP addresses (e.g. [192.0.2.10, 2001:db8::10])',
    },
    uplink: names('link', 'bond0'),
    'mac-frame': { enum: ['rarp', 'learn'], expected: 'rarp or learn' },
    rate: {
      type: 'integer',
      minimum: 0,
      maximum: MAX_RATE,
      expected: `a whole number from 0 to ${MAX_RATE} (frames a second on each link; 0 is unpaced)`,
    },
  },
  expected: 'a mapping of what to announce (iface, all, guests, ip, uplink, mac-frame, rate)',
};

const watch: SchemaNode = {
  type: 'object',
  additionalProperties: false,
  properties: {
    bonds: names('bond', 'bond0'),
    links: names('link', 'eth0'),
    bridges: {
      type: ['string', 'array'],
      items: { type: 'string', minLength: 1, expected: 'a bridge name' },
      expected: 'a list of bridge names (e.g. [br0]) or all',
    },
    addresses: {
      type: ['string', 'array'],
      items: { type: 'string', expected: 'an IP address' },
      expected: 'a list of IP addresses (e.g. [192.0.2.10]) or any',
    },
  },
  expected: 'a mapping of what to watch (bonds, links, bridges, addresses)',
};

const triggers: SchemaNode = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(EVENT_KINDS.map((kind) => [kind, trigger])),
  expected: 'a mapping of trigger kinds to true, false or a schedule',
};

/** The schema of a whole configuration file. */
export const WATCH_CONFIG_SCHEMA: SchemaNode = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'arpkit watch configuration',
  type: 'object',
  additionalProperties: false,
  properties: {
    announce,
    watch,
    triggers,
    coalesce: {
      type: ['string', 'number'],
      expected: 'a duration from 0 to 10s (e.g. 50ms)',
    },
    refresh: {
      type: ['string', 'number', 'boolean'],
      not: { const: true },
      expected: 'a duration from 1s to 24h (e.g. 100s) or false',
    },
  },
  expected: 'a mapping of settings (announce, watch, triggers, coalesce, refresh)',
};

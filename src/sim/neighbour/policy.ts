import { Engine } from '../engine.js';
import type { Host } from '../host.js';
import { type ParamSpec, ParamError, type ParamValue, checkParam } from '../params.js';
import { BSD_DEFAULTS, BSD_HELP, type BsdParams, BsdTable } from './bsd.js';
import { LinuxTable } from './linux.js';
import { LINUX_DEFAULTS, LINUX_HELP, type LinuxParams } from './linux-params.js';
import { ROUTER_DEFAULTS, ROUTER_HELP, type RouterParams, RouterTable } from './router.js';
import type { NeighbourHost, NeighbourTable } from './table.js';
import { WINDOWS_DEFAULTS, WINDOWS_HELP } from './windows.js';

/** Plain values a policy is tuned with. */
type PolicyParams = Readonly<Record<string, ParamValue>>;

/** What a parameter's spec adds to "a number ≥ 0": the range its table accepts. */
type Limits = Pick<ParamSpec, 'min' | 'max' | 'integer' | 'choices'>;

/** A neighbour policy a node can run: its defaults and how to build its table. */
interface Policy {
  readonly help: string;
  readonly defaults: PolicyParams;
  /** What `--list` says about each parameter. */
  readonly paramHelp: Readonly<Record<string, string>>;
  /** Where a parameter's table accepts less than any number ≥ 0: its spec's extras. */
  readonly limits: Readonly<Record<string, Limits>>;
  readonly create: (host: Host, params: PolicyParams) => NeighbourTable;
}

/** A count: whole, ≥ 0; one that must be above 0; a time in ms or s that must be above 0. */
const COUNT: Limits = { integer: true };
const TRIES: Limits = { min: 1, integer: true };
const MS_ABOVE_0: Limits = { min: 1 };
const S_ABOVE_0: Limits = { min: 0.001 };

/** As `checkLinuxParams` checks them (Windows runs the same table). */
const LINUX_LIMITS: Readonly<Partial<Record<keyof LinuxParams, Limits>>> = {
  base_reachable_time_ms: MS_ABOVE_0,
  retrans_time_ms: MS_ABOVE_0,
  mcast_solicit: COUNT,
  ucast_solicit: COUNT,
  mcast_resolicit: COUNT,
  gc_thresh1: COUNT,
  gc_thresh2: COUNT,
  gc_thresh3: COUNT,
  unres_qlen: COUNT,
  arp_accept: { integer: true, max: 2 },
  reachable_draw: { choices: ['per-table', 'per-entry'] },
};

/** As the `BsdTable` constructor checks them. */
const BSD_LIMITS: Readonly<Partial<Record<keyof BsdParams, Limits>>> = {
  max_age_s: S_ABOVE_0,
  rexmit_ms: MS_ABOVE_0,
  maxtries: TRIES,
  maxhold: COUNT,
};

/** As the `RouterTable` constructor checks them. */
const ROUTER_LIMITS: Readonly<Partial<Record<keyof RouterParams, Limits>>> = {
  timeout_s: S_ABOVE_0,
  retry_ms: MS_ABOVE_0,
  refresh_tries: TRIES,
  resolve_tries: TRIES,
  hold: COUNT,
  max_entries: COUNT,
};

/** The neighbour policies by name. */
const POLICIES = {
  linux: {
    help: 'Linux NUD (neighbour.c, arp.c)',
    defaults: LINUX_DEFAULTS,
    paramHelp: LINUX_HELP,
    limits: LINUX_LIMITS,
    create: (host, params) => new LinuxTable(host, params as unknown as LinuxParams),
  },
  windows: {
    help: 'Windows Vista and later (15–45 s reachable time per entry)',
    defaults: WINDOWS_DEFAULTS,
    paramHelp: WINDOWS_HELP,
    limits: LINUX_LIMITS,
    create: (host, params) => new LinuxTable(host, params as unknown as LinuxParams),
  },
  bsd: {
    help: 'FreeBSD/OpenBSD (5 tries, then a 20 s hold-down)',
    defaults: BSD_DEFAULTS,
    paramHelp: BSD_HELP,
    limits: BSD_LIMITS,
    create: (host, params) => new BsdTable(host, params as never),
  },
  router: {
    help: 'router / L3 switch (long timeout, refresh, batch scans, 20 s retry)',
    defaults: ROUTER_DEFAULTS,
    paramHelp: ROUTER_HELP,
    limits: ROUTER_LIMITS,
    create: (host, params) => new RouterTable(host, params as never),
  },
} satisfies Record<string, Policy> as Record<string, Policy>;

/** Names of the neighbour policies. */
export const POLICY_NAMES: readonly string[] = Object.keys(POLICIES);

/** The parameters of policy `name` as specs keyed `ROLE.PARAM`, defaults first overridden by `base`. */
export function policySpecs(role: string, name: string, base: PolicyParams = {}): ParamSpec[] {
  const policy = policyNamed(name);
  return Object.entries({ ...policy.defaults, ...base }).map(([key, value]) => ({
    key: `${role}.${key}`,
    default: value,
    help: policy.paramHelp[key] ?? `${name} ${key}`,
    ...(typeof value === 'number' ? { min: 0 } : {}),
    ...policy.limits[key],
  }));
}

/** What `--list` says about each policy. */
export function policyHelp(name: string): string {
  return policyNamed(name).help;
}

/** A role's tables: how to build one, and the values it was given (checked). */
export interface RoleTables {
  readonly create: (host: Host) => NeighbourTable;
  readonly given: Readonly<Record<string, ParamValue>>;
}

/** A host that does nothing: a table is built on it once, so bad values fail before a run. */
const NOWHERE: NeighbourHost = {
  engine: new Engine(0),
  request: () => undefined,
  transmit: () => undefined,
  drop: () => undefined,
  holds: () => undefined,
};

/**
 * A table builder for `role` running policy `name`, its defaults overridden by `base` (the
 * scenario's) and then by `overrides` (keys without the role prefix). Every value is checked
 * now: a ParamError names the first one the policy refuses.
 */
export function tableFactory(
  role: string,
  name: string,
  base: PolicyParams,
  overrides: ReadonlyMap<string, unknown>,
): RoleTables {
  const policy = policyNamed(name);
  const specs = new Map(policySpecs(role, name, base).map((spec) => [spec.key, spec]));
  const params: Record<string, ParamValue> = { ...policy.defaults, ...base };
  const given: Record<string, ParamValue> = {};
  for (const [key, value] of overrides) {
    const spec = specs.get(`${role}.${key}`);
    if (spec === undefined) {
      const known = [...specs.keys()].join(', ');
      throw new ParamError(
        `${role}.${key}: policy ${name} has no such parameter (it has ${known})`,
      );
    }
    params[key] = checkParam(spec, value);
    given[`${role}.${key}`] = params[key];
  }
  const frozen = Object.freeze(params);
  try {
    policy.create(NOWHERE as Host, frozen);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    // The tables word it "KEY: …", some after their own name ("router: KEY: …").
    throw new ParamError(`${role}.${error.message.replace(/^(linux|windows|bsd|router): /, '')}`);
  }
  return { create: (host) => policy.create(host, frozen), given };
}

function policyNamed(name: string): Policy {
  const policy = POLICIES[name];
  if (policy === undefined) {
    throw new ParamError(`policy: "${name}" is not one of ${POLICY_NAMES.join(', ')}`);
  }
  return policy;
}

import { Engine } from '../engine.js';
import type { Host } from '../host.js';
import { type ParamSpec, ParamError, type ParamValue, checkParam } from '../params.js';
import { BSD_DEFAULTS, BsdTable } from './bsd.js';
import { LinuxTable } from './linux.js';
import { LINUX_DEFAULTS, type LinuxParams } from './linux-params.js';
import { ROUTER_DEFAULTS, RouterTable } from './router.js';
import type { NeighbourHost, NeighbourTable } from './table.js';
import { WINDOWS_DEFAULTS } from './windows.js';

/** Plain values a policy is tuned with. */
type PolicyParams = Readonly<Record<string, ParamValue>>;

/** A neighbour policy a node can run: its defaults and how to build its table. */
interface Policy {
  readonly help: string;
  readonly defaults: PolicyParams;
  readonly create: (host: Host, params: PolicyParams) => NeighbourTable;
}

/** The neighbour policies by name. */
const POLICIES = {
  linux: {
    help: 'Linux NUD (neighbour.c, arp.c)',
    defaults: LINUX_DEFAULTS,
    create: (host, params) => new LinuxTable(host, params as unknown as LinuxParams),
  },
  windows: {
    help: 'Windows Vista and later (15–45 s reachable time per entry)',
    defaults: WINDOWS_DEFAULTS,
    create: (host, params) => new LinuxTable(host, params as unknown as LinuxParams),
  },
  bsd: {
    help: 'FreeBSD/OpenBSD (5 tries, then a 20 s hold-down)',
    defaults: BSD_DEFAULTS,
    create: (host, params) => new BsdTable(host, params as never),
  },
  router: {
    help: 'router / L3 switch (long timeout, refresh, batch scans, 20 s retry)',
    defaults: ROUTER_DEFAULTS,
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
    help: `${name} ${key}`,
    ...(typeof value === 'number' ? { min: 0 } : {}),
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

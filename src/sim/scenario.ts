import type { Host } from './host.js';
import type { NeighbourTable } from './neighbour/table.js';
import { POLICY_NAMES, policySpecs, tableFactory } from './neighbour/policy.js';
import { type ParamSpec, ParamError, type ParamValue, checkParam } from './params.js';
import type { World } from './world.js';

/** A node role whose neighbour policy a user may choose (`ROLE.policy`) and tune (`ROLE.KEY`). */
export interface Role {
  readonly help: string;
  readonly policy: string;
  /** The scenario's own overrides of the policy's defaults (e.g. a router's larger table). */
  readonly base?: Readonly<Record<string, ParamValue>>;
}

/** A built-in scenario: its parameters, its roles, and how it builds a world. */
export interface Scenario {
  readonly name: string;
  /** One line for `--list`. */
  readonly summary: string;
  /** Its parameters (every scenario has `duration_s`). */
  readonly params: readonly ParamSpec[];
  readonly roles: Readonly<Record<string, Role>>;
  /** The world's length from the parameters. */
  duration(params: Params): number;
  /** Builds nodes, links, flows and events into `world`. */
  build(world: World, params: Params): void;
}

/**
 * A scenario's parameters after `--set` and file values: typed getters, and a neighbour-table
 * builder per role. Every key given is checked against the scenario (unknown keys are errors).
 */
export class Params {
  readonly #values = new Map<string, ParamValue>();
  readonly #policies = new Map<string, (host: Host) => NeighbourTable>();

  constructor(
    readonly scenario: Scenario,
    given: ReadonlyMap<string, unknown>,
  ) {
    const specs = new Map(scenario.params.map((spec) => [spec.key, spec]));
    for (const spec of scenario.params) this.#values.set(spec.key, spec.default);
    const perRole = new Map<string, Map<string, unknown>>();
    for (const [key, value] of given) {
      const spec = specs.get(key);
      if (spec !== undefined) {
        this.#values.set(key, checkParam(spec, value));
        continue;
      }
      const dot = key.indexOf('.');
      const role = dot > 0 ? key.slice(0, dot) : '';
      if (!Object.hasOwn(scenario.roles, role)) {
        throw new ParamError(
          `${key}: scenario ${scenario.name} has no such parameter (see arpkit sim --list ${scenario.name})`,
        );
      }
      let values = perRole.get(role);
      if (values === undefined) perRole.set(role, (values = new Map()));
      values.set(key.slice(dot + 1), value);
    }
    for (const [role, spec] of Object.entries(scenario.roles)) {
      const values = perRole.get(role) ?? new Map<string, unknown>();
      const chosen = values.get('policy') ?? spec.policy;
      if (typeof chosen !== 'string' || !POLICY_NAMES.includes(chosen)) {
        throw new ParamError(
          `${role}.policy: "${String(chosen)}" is not one of ${POLICY_NAMES.join(', ')}`,
        );
      }
      values.delete('policy');
      const base = chosen === spec.policy ? (spec.base ?? {}) : {};
      const tables = tableFactory(role, chosen, base, values);
      this.#policies.set(role, tables.create);
      this.#values.set(`${role}.policy`, chosen);
      for (const [key, value] of Object.entries(tables.given)) this.#values.set(key, value);
    }
  }

  /** A number parameter. */
  number(key: string): number {
    return this.#typed(key, 'number') as number;
  }

  /** A string parameter. */
  string(key: string): string {
    return this.#typed(key, 'string') as string;
  }

  /** A boolean parameter. */
  boolean(key: string): boolean {
    return this.#typed(key, 'boolean') as boolean;
  }

  /** The table builder for the hosts of `role`. */
  table(role: string): (host: Host) => NeighbourTable {
    const factory = this.#policies.get(role);
    if (factory === undefined) throw new Error(`scenario ${this.scenario.name}: no role ${role}`);
    return factory;
  }

  /** Every scenario parameter with its value (roles by their policy). */
  values(): Record<string, ParamValue> {
    return Object.fromEntries(this.#values);
  }

  #typed(key: string, type: string): ParamValue {
    const value = this.#values.get(key);
    if (typeof value !== type)
      throw new Error(`scenario ${this.scenario.name}: no ${type} parameter ${key}`);
    return value!;
  }
}

/** The parameter specs `--list` shows for `scenario`, roles' policy parameters included. */
export function allSpecs(scenario: Scenario): ParamSpec[] {
  const specs = [...scenario.params];
  for (const [role, spec] of Object.entries(scenario.roles)) {
    specs.push({
      key: `${role}.policy`,
      default: spec.policy,
      help: spec.help,
      choices: POLICY_NAMES,
    });
    specs.push(...policySpecs(role, spec.policy, spec.base));
  }
  return specs;
}

import type { Scenario } from '../scenario.js';
import { bondFailover } from './bond-failover.js';
import { bulkRefresh } from './bulk-refresh.js';
import { gatewayFailover } from './gateway-failover.js';
import { linkUpDrop } from './link-up-drop.js';
import { resolutionBurst } from './resolution-burst.js';
import { storm } from './storm.js';
import { vmMigrationScenario } from './vm-migration.js';

/** The built-in scenarios, in the order `--list` shows them. */
export const SCENARIOS: readonly Scenario[] = [
  bondFailover,
  gatewayFailover,
  linkUpDrop,
  bulkRefresh,
  vmMigrationScenario,
  storm,
  resolutionBurst,
];

/** The built-in scenario called `name`, if there is one. */
export function scenarioNamed(name: string): Scenario | undefined {
  return SCENARIOS.find((scenario) => scenario.name === name);
}

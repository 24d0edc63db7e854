/**
 * A request `arpkit announce` cannot plan from what this host has: an unknown interface, a
 * loopback link, an address that is someone else's. The message is one line for a person: it
 * names the option and the input and says what was expected (STYLE 12). The CLI reports it as a
 * usage error.
 */
export class PlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanError';
  }
}

/** How many names a message lists before it says how many more there are. */
const LISTED = 12;

/** `a, b, c`, or the first names and `and N more` when there are many; `none` for none. */
export function nameList(names: readonly string[], listed = LISTED): string {
  if (names.length === 0) return 'none';
  if (names.length <= listed) return names.join(', ');
  return `${names.slice(0, listed).join(', ')} and ${names.length - listed} more`;
}

/**
 * Why a packet was not delivered. Every lost packet is counted under exactly one cause, the
 * first that stopped it.
 */
export const LOSS_CAUSES = [
  /** A switch had no FDB entry and does not flood (flooding off or the table full). */
  'no-fdb-entry',
  /** A switch or bond sent it to a port that no longer leads to the destination. */
  'wrong-port',
  /** The sender's neighbour entry was not resolved (failed, held down, queue overflow, table full). */
  'unresolved',
  /** An input policer dropped it. */
  'policer',
  /** A link on its path was down, or not yet forwarding. */
  'link-down',
] as const;

/** One cause of loss. */
export type LossCause = (typeof LOSS_CAUSES)[number];

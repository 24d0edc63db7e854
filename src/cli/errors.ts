/** Exit statuses, as arping and most Unix tools use them. */
export const Exit = Object.freeze({ OK: 0, FAILURE: 1, USAGE: 2 });

/** Whether two lists hold the same values, in any order. */
export const sameSet = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && new Set(a).size === new Set([...a, ...b]).size;

/** The first field whose value differs between a message and what the task record says, or null. */
export function firstMismatch(message: Record<string, unknown>, expected: Record<string, unknown>): string | null {
  const key = Object.keys(expected).find((k) => JSON.stringify(message[k]) !== JSON.stringify(expected[k]));
  return key === undefined ? null : `${key} is not the task's`;
}

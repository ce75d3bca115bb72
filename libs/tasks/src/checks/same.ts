import { chunksOf } from '@jss/contract';
import type { Task } from '../task';
/** Whether two lists hold the same values, in any order. */
export const sameSet = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && new Set(a).size === new Set([...a, ...b]).size;

/** The first field whose value differs between a message and what the task record says, or null. */
export function firstMismatch(message: Record<string, unknown>, expected: Record<string, unknown>): string | null {
  const key = Object.keys(expected).find((k) => JSON.stringify(message[k]) !== JSON.stringify(expected[k]));
  return key === undefined ? null : `${key} is not the task's`;
}

/** The VMs of one chunk of a task's (LIMITS.vmsPerMessage each, in the task's order), or why the chunk is not one. */
export function chunkVms(task: Pick<Task, 'vms'>, chunk: { index: number; count: number }): string[] | string {
  const chunks = chunksOf(task.vms);
  return chunk.count === chunks.length && chunk.index < chunks.length ? chunks[chunk.index] : "chunk is not one of the task's";
}

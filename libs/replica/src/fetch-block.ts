import { ObjectNotFoundError, ObjectStore } from '@jss/store';
import { BlockRef, BlockVerificationError } from './errors';
import type { HashPool } from './hash-pool';
import { blockKey } from './keys';
import { sha256Hex } from './sha256';

/** Reads a block and checks it against its manifest hash and length; BlockVerificationError if not. */
export async function fetchBlock(store: ObjectStore, ref: BlockRef, length: number): Promise<Buffer> {
  let data: Buffer;
  try {
    data = await store.get(blockKey(ref.domain, ref.expected));
  } catch (err) {
    if (err instanceof ObjectNotFoundError) throw new BlockVerificationError(ref, 'is missing from the object store');
    throw err;
  }
  const actual = await sha256Hex(data);
  if (actual !== ref.expected) throw new BlockVerificationError(ref, `failed verification: its content hashes to ${actual}`);
  if (data.length !== length) throw new BlockVerificationError(ref, `is ${data.length} bytes long, expected ${length}`);
  return data;
}

/**
 * The hot path's fetchBlock: reads a block into `buffer` (shared memory, e.g. a slot of
 * aligned-slots, reused from block to block: no allocation where the store has getInto) and checks
 * it on the hash threads, in place. Resolves with its length; BlockVerificationError if it is wrong.
 */
export async function fetchBlockInto(
  store: ObjectStore,
  ref: BlockRef,
  length: number,
  buffer: Uint8Array,
  hasher: HashPool,
): Promise<number> {
  const size = await readBlock(store, ref, buffer);
  if (size > buffer.length) throw new BlockVerificationError(ref, `is ${size} bytes long, expected ${length}`);
  const hash = await hasher.hash(buffer.subarray(0, size));
  if (hash !== ref.expected) throw new BlockVerificationError(ref, `failed verification: its content hashes to ${hash}`);
  if (size !== length) throw new BlockVerificationError(ref, `is ${size} bytes long, expected ${length}`);
  return size;
}

/** Reads a block's object into `buffer` (without an allocation when the store can); its size. */
async function readBlock(store: ObjectStore, ref: BlockRef, buffer: Uint8Array): Promise<number> {
  const key = blockKey(ref.domain, ref.expected);
  try {
    if (store.getInto) return await store.getInto(key, buffer);
    const data = await store.get(key);
    if (data.length <= buffer.length) buffer.set(data);
    return data.length;
  } catch (err) {
    if (err instanceof ObjectNotFoundError) throw new BlockVerificationError(ref, 'is missing from the object store');
    throw err;
  }
}

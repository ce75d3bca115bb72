import { ObjectNotFoundError, ObjectStore } from '@jss/store';
import { BlockRef, BlockVerificationError } from './errors';
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

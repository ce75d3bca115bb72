import { createSparseFile, FileDiskHandle } from '@jss/platform';
import { randomBytesOf, seedOf } from './seeded';
import { structuredBytes } from './structured';
import { isAllZero } from './zeros';

/**
 * What a generated disk holds: `mixed` (the default) like a real disk, half random (already
 * compressed or encrypted data), a quarter repeated text, a quarter zeros; `structured` three
 * quarters structured low-entropy records (libs/replica/src/structured.ts) and a quarter zeros,
 * the disk an entropy scanner can watch turn random.
 */
export type GeneratedContent = 'mixed' | 'structured';

/**
 * Generated disks are made of 1 MiB chunks whatever the block size of the domain, so that an
 * image depends only on (size, seed, VM name, content).
 */
export const GENERATED_CHUNK = 1 << 20;

export function* generatedImage(sizeBytes: number, seed: number, name: string, content: GeneratedContent = 'mixed'): Generator<Buffer> {
  for (let index = 0; index * GENERATED_CHUNK < sizeBytes; index++) {
    yield generatedChunk(sizeBytes, seed, name, index, content);
  }
}

function generatedChunk(sizeBytes: number, seed: number, name: string, index: number, content: GeneratedContent): Buffer {
  const length = Math.min(GENERATED_CHUNK, sizeBytes - index * GENERATED_CHUNK);
  if (content === 'structured') {
    const chunkSeed = seedOf('structured-image', seed, name, sizeBytes, index);
    return chunkSeed[31] % 4 === 3 ? Buffer.alloc(length) : structuredBytes(chunkSeed, length);
  }
  const chunkSeed = seedOf('image', seed, name, sizeBytes, index);
  switch (chunkSeed[31] % 4) {
    case 0:
    case 1:
      return randomBytesOf(chunkSeed, length);
    case 2:
      return Buffer.alloc(length, `${name} chunk ${index} seed ${seed}: the quick brown fox jumps over the lazy dog\n`);
    default:
      return Buffer.alloc(length);
  }
}

/** Writes the generated image to a new sparse file (zero chunks left as holes; fails if it exists). */
export async function writeGeneratedImage(
  file: string,
  sizeBytes: number,
  seed: number,
  name: string,
  content: GeneratedContent = 'mixed',
): Promise<void> {
  await createSparseFile(file, sizeBytes);
  const disk = await FileDiskHandle.open(file);
  try {
    let offset = 0;
    for (const chunk of generatedImage(sizeBytes, seed, name, content)) {
      if (!isAllZero(chunk)) await disk.write(chunk, offset);
      offset += chunk.length;
    }
  } finally {
    await disk.close();
  }
}

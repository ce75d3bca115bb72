import { createReadStream, promises as fs } from 'node:fs';
import { GeneratedContent, generatedImage } from './generator';

/** The content of a VM's disk for a new recovery point: an image file, or generated data. */
export type ImageSource = { file: string } | { sizeBytes: number; seed: number; content?: GeneratedContent };

export async function sourceSize(source: ImageSource): Promise<number> {
  if ('sizeBytes' in source) {
    if (!Number.isSafeInteger(source.sizeBytes) || source.sizeBytes < 0) throw new RangeError(`invalid disk size ${source.sizeBytes}`);
    if (!Number.isSafeInteger(source.seed)) throw new RangeError(`invalid seed ${source.seed}: must be an integer`);
    return source.sizeBytes;
  }
  const stat = await fs.stat(source.file);
  if (!stat.isFile()) throw new Error(`${source.file} is not a regular file`);
  return stat.size;
}

/** The image cut into blocks of `blockSize` (the last one may be short). */
export function sourceBlocks(source: ImageSource, vm: string, blockSize: number): AsyncIterable<Buffer> {
  const chunks: AsyncIterable<Buffer> | Iterable<Buffer> =
    'sizeBytes' in source
      ? generatedImage(source.sizeBytes, source.seed, vm, source.content)
      : createReadStream(source.file, { highWaterMark: blockSize });
  return rechunk(chunks, blockSize);
}

async function* rechunk(chunks: AsyncIterable<Buffer> | Iterable<Buffer>, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (let chunk of chunks) {
    while (pendingBytes + chunk.length >= size) {
      const take = size - pendingBytes;
      pending.push(chunk.subarray(0, take));
      yield Buffer.concat(pending, size);
      pending = [];
      pendingBytes = 0;
      chunk = chunk.subarray(take);
    }
    if (chunk.length > 0) {
      pending.push(chunk);
      pendingBytes += chunk.length;
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes);
}

import { promises as fs } from 'node:fs';
import type { DiskHandle } from './platform';

/** A disk that is a local image file (simulated datastores, tests, benchmarks). */
export class FileDiskHandle implements DiskHandle {
  private constructor(
    private readonly handle: fs.FileHandle,
    readonly sizeBytes: number,
  ) {}

  /** Opens an existing image for positioned writes; its size is the disk's size. */
  static async open(file: string): Promise<FileDiskHandle> {
    const handle = await fs.open(file, 'r+');
    try {
      return new FileDiskHandle(handle, (await handle.stat()).size);
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  async write(buffer: Uint8Array, offset: number): Promise<void> {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + buffer.length > this.sizeBytes) {
      throw new RangeError(`write of ${buffer.length} bytes at ${offset} is outside the ${this.sizeBytes}-byte disk`);
    }
    // a positioned write may be short (e.g. interrupted); go on until all of it is written
    for (let done = 0; done < buffer.length;) {
      const { bytesWritten } = await this.handle.write(buffer, done, buffer.length - done, offset + done);
      done += bytesWritten;
    }
  }

  sync(): Promise<void> {
    return this.handle.sync();
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** Creates a new, fully sparse image of `sizeBytes` (fails if the file exists). */
export async function createSparseFile(file: string, sizeBytes: number): Promise<void> {
  const handle = await fs.open(file, 'wx');
  try {
    await handle.truncate(sizeBytes);
  } finally {
    await handle.close();
  }
}

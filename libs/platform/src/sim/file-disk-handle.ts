import { open, type FileHandle } from 'node:fs/promises';
import type { DiskHandle } from '../platform';

/** A disk image file opened for positioned writes; its size is fixed (writes past the end are refused). */
export class FileDiskHandle implements DiskHandle {
  private constructor(
    private readonly file: FileHandle,
    readonly sizeBytes: number,
  ) {}

  static async open(path: string): Promise<FileDiskHandle> {
    const file = await open(path, 'r+');
    try {
      return new FileDiskHandle(file, (await file.stat()).size);
    } catch (err) {
      await file.close();
      throw err;
    }
  }

  async write(buffer: Uint8Array, offset: number): Promise<void> {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + buffer.byteLength > this.sizeBytes) {
      throw new RangeError(`write of ${buffer.byteLength} bytes at ${offset} is outside a disk of ${this.sizeBytes} bytes`);
    }
    // a positioned write may be short; continue until the whole buffer is on the file
    let done = 0;
    while (done < buffer.byteLength) {
      const { bytesWritten } = await this.file.write(buffer, done, buffer.byteLength - done, offset + done);
      done += bytesWritten;
    }
  }

  sync(): Promise<void> {
    return this.file.sync();
  }

  close(): Promise<void> {
    return this.file.close();
  }
}

import { constants, promises as fs } from 'node:fs';
import type { DiskHandle, DiskIoMode } from './platform';

/** What O_DIRECT needs aligned: offsets, lengths and memory addresses (the logical block size, at most 4 KiB). */
export const DIRECT_IO_ALIGNMENT = 4096;

const aligned = (n: number) => n % DIRECT_IO_ALIGNMENT === 0;
const isEinval = (err: unknown) => (err as NodeJS.ErrnoException | null)?.code === 'EINVAL';

/**
 * A disk that is a local image file (simulated datastores, tests, benchmarks).
 *
 * With `direct`, writes go past the page cache (O_DIRECT) wherever they can: an aligned offset and
 * length from aligned memory (aligned-slots in @jss/replica). Anything else (the short last block
 * of a disk, a Buffer from the heap) goes through a second, ordinary descriptor of the same file;
 * the two never share a page, and one fsync covers both (it syncs the file, not the descriptor).
 * Where the file system refuses O_DIRECT (EINVAL on open, e.g. ramfs), every write takes the page
 * cache and `ioMode` says so.
 */
export class FileDiskHandle implements DiskHandle {
  private constructor(
    private readonly buffered: fs.FileHandle,
    private readonly direct: fs.FileHandle | undefined,
    readonly sizeBytes: number,
  ) {}

  get ioMode(): DiskIoMode {
    return this.direct ? 'direct' : 'page-cache';
  }

  /** Opens an existing image for positioned writes; its size is the disk's size. */
  static async open(file: string, opts: { direct?: boolean } = {}): Promise<FileDiskHandle> {
    const buffered = await fs.open(file, 'r+');
    let direct: fs.FileHandle | undefined;
    try {
      if (opts.direct)
        direct = await fs.open(file, constants.O_RDWR | constants.O_DIRECT).catch((err: unknown) => {
          if (isEinval(err)) return undefined; // the file system has no direct I/O
          throw err;
        });
      return new FileDiskHandle(buffered, direct, (await buffered.stat()).size);
    } catch (err) {
      await Promise.all([buffered.close(), direct?.close()]);
      throw err;
    }
  }

  write(buffer: Uint8Array, offset: number): Promise<void> {
    return this.writev([buffer], offset);
  }

  /** Writes the buffers one after the other from `offset`, as one system call where it can. */
  async writev(buffers: Uint8Array[], offset: number): Promise<void> {
    const total = buffers.reduce((n, b) => n + b.length, 0);
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + total > this.sizeBytes) {
      throw new RangeError(`write of ${total} bytes at ${offset} is outside the ${this.sizeBytes}-byte disk`);
    }
    // a positioned write may be short (e.g. interrupted); go on until all of it is written
    for (let done = 0; done < total;) {
      const rest = after(buffers, done);
      done += await this.writeOnce(rest, offset + done);
    }
  }

  /** One system call: the aligned buffers at the front past the page cache, else (a short last block) through it. */
  private async writeOnce(buffers: Uint8Array[], at: number): Promise<number> {
    const alignedFront = this.direct && aligned(at) ? buffers.findIndex((b) => !aligned(b.length)) : 0;
    const front = alignedFront === -1 ? buffers : buffers.slice(0, alignedFront);
    if (this.direct && front.length) {
      try {
        return (await this.direct.writev(front, at)).bytesWritten;
      } catch (err) {
        if (!isEinval(err)) throw err; // EINVAL: memory not aligned; the ordinary descriptor takes it
      }
    }
    return (await this.buffered.writev(buffers, at)).bytesWritten;
  }

  sync(): Promise<void> {
    return (this.direct ?? this.buffered).sync();
  }

  async close(): Promise<void> {
    await Promise.all([this.buffered.close(), this.direct?.close()]);
  }
}

/** The buffers past their first `skip` bytes. */
function after(buffers: Uint8Array[], skip: number): Uint8Array[] {
  if (skip === 0) return buffers;
  const out: Uint8Array[] = [];
  for (const b of buffers) {
    if (skip >= b.length) skip -= b.length;
    else {
      out.push(skip ? b.subarray(skip) : b);
      skip = 0;
    }
  }
  return out;
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

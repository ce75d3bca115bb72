/**
 * Page-aligned block buffers ("slots") for direct I/O. O_DIRECT needs the memory of a write aligned
 * to the device's block size; Node's Buffers and ArrayBuffers come from malloc (16-byte aligned),
 * but a WebAssembly memory is mapped by the engine and starts on a page boundary. One shared
 * memory per block size holds the slots, each a whole number of pages long, so every slot is
 * aligned. Shared (a SharedArrayBuffer): the hash threads read a slot in place, nothing is copied
 * or transferred. The memory grows on demand and never shrinks: slots are reused from job to job
 * (a fresh page costs a fault, on this kind of VM a host fault too).
 */
// Node has WebAssembly; the ES library this project compiles against does not declare it.
interface SharedMemory {
  readonly buffer: SharedArrayBuffer;
  grow(pages: number): number;
}
declare const WebAssembly: { Memory: new (descriptor: { initial: number; maximum: number; shared: true }) => SharedMemory };

const WASM_PAGE = 64 << 10;
/** Address space reserved per block size; only the slots in use are ever touched (resident). */
const MAX_ARENA_BYTES = 1 << 30;
const ALIGNMENT = 4096;

export interface Slot {
  /** `length` bytes at a page-aligned address (length = the block size) */
  readonly view: Uint8Array;
}

class Arena {
  private readonly memory: SharedMemory;
  private readonly stride: number;
  private readonly free: number[] = [];
  private used = 0;

  constructor(readonly blockSize: number) {
    this.stride = Math.ceil(blockSize / ALIGNMENT) * ALIGNMENT;
    this.memory = new WebAssembly.Memory({ initial: 0, maximum: MAX_ARENA_BYTES / WASM_PAGE, shared: true });
  }

  take(): Slot {
    const offset = this.free.pop() ?? this.grow();
    // the memory's buffer object changes when it grows; views of an older one stay valid
    return { view: new Uint8Array(this.memory.buffer, offset, this.blockSize) };
  }

  give(slot: Slot): void {
    this.free.push(slot.view.byteOffset);
  }

  private grow(): number {
    const offset = this.used;
    if (offset + this.stride > MAX_ARENA_BYTES) {
      throw new RangeError(`more than ${MAX_ARENA_BYTES >> 20} MiB of ${this.blockSize}-byte block buffers in use at once`);
    }
    this.used += this.stride;
    const pages = Math.ceil(this.used / WASM_PAGE) - this.memory.buffer.byteLength / WASM_PAGE;
    if (pages > 0) this.memory.grow(pages);
    return offset;
  }
}

const arenas = new Map<number, Arena>();

/** A slot of `blockSize` bytes, owned by the caller until given back; its bytes are whatever it held last. */
export function takeSlot(blockSize: number): Slot {
  let arena = arenas.get(blockSize);
  if (!arena) arenas.set(blockSize, (arena = new Arena(blockSize)));
  return arena.take();
}

/** Hands a slot back (it must not be used any more). */
export function giveSlot(slot: Slot): void {
  arenas.get(slot.view.length)?.give(slot);
}

const zeroSlots = new Map<number, Slot>();

/** A slot of zeros (a delta's zero fills): shared, never given back, never to be written into. */
export function zeroSlot(blockSize: number): Slot {
  let slot = zeroSlots.get(blockSize);
  if (!slot)
    zeroSlots
      .set(blockSize, (slot = takeSlot(blockSize)))
      .get(blockSize)!
      .view.fill(0);
  return slot;
}

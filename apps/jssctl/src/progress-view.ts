import { MultiBar, Presets, SingleBar } from 'cli-progress';
import { TaskProgressData } from '@jss/contract';

const MiB = 1 << 20;
const mib = (b: number) => (b / MiB).toFixed(1);

/**
 * One progress bar per VM (bytes rehydrated of its disks) and a total line with rate and ETA.
 * Without a terminal it prints a plain line a second instead of redrawing.
 */
export class ProgressView {
  private readonly multi = new MultiBar(
    {
      format: ' {name} [{bar}] {percentage}% | {doneMiB}/{totalMiB} MiB | {extra}',
      hideCursor: true,
      stream: process.stdout,
      noTTYOutput: true,
      notTTYSchedule: 1000,
      autopadding: true,
    },
    Presets.shades_classic,
  );
  private readonly bars = new Map<string, SingleBar>();

  update(p: TaskProgressData): void {
    const rate = `${mib(p.bytesPerSecond)} MiB/s`;
    const eta = p.etaSeconds === null ? 'ETA --' : `ETA ${p.etaSeconds}s`;
    this.bar('total', p.bytesTotal).update(p.bytesDone, this.payload('total', p.bytesDone, p.bytesTotal, `${rate} ${eta}`));
    for (const [vm, v] of Object.entries(p.vms))
      this.bar(vm, v.bytesTotal).update(v.bytesDone, this.payload(vm, v.bytesDone, v.bytesTotal, ''));
  }

  /** A line above the bars (written at once where there is no terminal to redraw). */
  log(line: string): void {
    if (process.stdout.isTTY) this.multi.log(`${line}\n`);
    else console.log(line);
  }

  stop(): void {
    this.multi.stop();
  }

  private bar(name: string, total: number): SingleBar {
    let bar = this.bars.get(name);
    if (!bar) {
      bar = this.multi.create(Math.max(total, 1), 0, this.payload(name, 0, total, ''));
      this.bars.set(name, bar);
    }
    return bar;
  }

  private payload(name: string, done: number, total: number, extra: string) {
    return { name: name.padEnd(12), doneMiB: mib(done), totalMiB: mib(total), extra };
  }
}

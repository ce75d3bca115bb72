import { MultiBar, Presets, SingleBar } from 'cli-progress';
import { clearScreenDown } from 'node:readline';
import { TaskProgressData } from '@jss/contract';
import { neutralise, say } from './output';

const MiB = 1 << 20;
const mib = (b: number) => (b / MiB).toFixed(1);

/**
 * One progress bar per VM (bytes rehydrated of its disks) and a total line with rate and ETA.
 * Without a terminal (a pipe, a log file) nothing is redrawn: one line each time the total's
 * percentage changes.
 */
export class ProgressView {
  private readonly tty = !!process.stdout.isTTY;
  private readonly lines = new PlainLines();
  private readonly multi = new MultiBar(
    {
      format: ' {name} [{bar}] {percentage}% | {doneMiB}/{totalMiB} MiB | {extra}',
      hideCursor: true,
      stream: process.stdout,
      autopadding: true,
      // every redraw rewrites every bar: after a line is logged above them, each bar sits one row
      // lower than it was drawn, and an unchanged bar skipped would leave the old row's text there
      forceRedraw: true,
    },
    Presets.shades_classic,
  );
  private readonly bars = new Map<string, { bar: SingleBar; total: number }>();
  private clearBelow = false;

  constructor() {
    // cli-progress writes logged lines over the old bar rows without clearing them: clear first
    this.multi.on('redraw-pre', () => {
      if (this.clearBelow) clearScreenDown(process.stdout);
      this.clearBelow = false;
    });
  }

  update(p: TaskProgressData): void {
    if (!this.tty) return this.lines.update(p.bytesDone, p.bytesTotal, `${mib(p.bytesPerSecond)} MiB/s`);
    const rate = `${mib(p.bytesPerSecond)} MiB/s`;
    const eta = p.etaSeconds === null ? 'ETA --' : `ETA ${p.etaSeconds}s`;
    this.set('total', p.bytesDone, p.bytesTotal, `${rate} ${eta}`);
    for (const [vm, v] of Object.entries(p.vms)) this.set(vm, v.bytesDone, v.bytesTotal, '');
  }

  /** Every bar full: the task has rehydrated everything (its last progress event may be older). */
  complete(): void {
    if (!this.tty) return this.lines.complete();
    for (const [name, { total }] of this.bars) this.set(name, total, total, '', Math.max(total, 1));
  }

  /** A line above the bars, drawn at once (cli-progress alone would hold it until the next redraw). */
  log(line: string): void {
    if (!this.tty || !this.bars.size) return say(line);
    this.clearBelow = true;
    this.multi.log(`${neutralise(line)}\n`);
    this.multi.update();
  }

  /** Draws the bars a last time and leaves the cursor below them; nothing when no bar was drawn. */
  stop(): void {
    if (this.bars.size) this.multi.stop();
  }

  private set(name: string, done: number, total: number, extra: string, value = done): void {
    let entry = this.bars.get(name);
    if (!entry) {
      entry = { bar: this.multi.create(Math.max(total, 1), 0, this.payload(name, 0, total, '')), total };
      this.bars.set(name, entry);
    }
    entry.total = total;
    entry.bar.setTotal(Math.max(total, 1));
    entry.bar.update(value, this.payload(name, done, total, extra));
  }

  private payload(name: string, done: number, total: number, extra: string) {
    return { name: neutralise(name).padEnd(12), doneMiB: mib(done), totalMiB: mib(total), extra };
  }
}

/** Progress for a pipe: a line per change of the total's whole percentage, never a redrawn block. */
class PlainLines {
  private percent = -1;
  private total = 0;

  update(done: number, total: number, rate: string): void {
    this.total = total;
    const percent = total > 0 ? Math.floor((100 * done) / total) : 100;
    if (percent === this.percent) return;
    this.percent = percent;
    say(`progress: ${percent}% ${mib(done)}/${mib(total)} MiB, ${rate}`);
  }

  /** The task has rehydrated everything: 100% once, even if its last progress event said less. */
  complete(): void {
    if (this.percent !== 100 && this.total > 0) say(`progress: 100% ${mib(this.total)}/${mib(this.total)} MiB`);
    this.percent = 100;
  }
}

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeGeneratedImage } from '@jss/replica';
import { Installation, MiB, diskHashes, sha256File } from '@jss/testing';

/**
 * SIGTERM: a rehydrator stops taking jobs, hands the range in hand back to the queue at once, and
 * exits by itself (no SIGKILL after the grace); another worker redoes the range; nothing is lost.
 */
describe('graceful shutdown', () => {
  let inst: Installation;
  let image: string;

  beforeAll(async () => {
    // one range job that lasts many seconds
    inst = await Installation.start({ planner: 1, provisioner: 1, rehydrator: 1, janitor: 1 }, { JSS_STORE_MBPS: '4' });
    image = path.join(inst.dataDir, 'big.img');
    await writeGeneratedImage(image, 64 * MiB, 9, 'big');
    await inst.writer.writePoint('sd', [{ name: 'big', source: { file: image } }]);
  });
  afterAll(() => inst?.stop());

  it('a rehydrator stopped mid-range hands the range back and exits; another finishes the task', async () => {
    const id = await inst.publish('failover', { domain: 'sd' });
    await inst.events.waitForBytes(id, 60_000);
    const first = inst.services.find((s) => s.name.startsWith('rehydrator'))!;
    await inst.add({ rehydrator: 1 }, { JSS_STORE_MBPS: '0' });
    const exited = new Promise<void>((resolve) => first.child.once('exit', () => resolve()));
    first.child.kill('SIGTERM');
    await exited;
    // Nest re-raises SIGTERM on itself once closed; nothing sent it SIGKILL
    expect(first.child.signalCode).toBe('SIGTERM');
    const log = await readFile(path.join(inst.dataDir, 'logs', `${first.name}.log`), 'utf8');
    expect(log).toMatch(/shutting down; range .* handed back/);
    const end = await inst.events.waitFor(id, ['task.completed', 'task.failed']);
    expect(end.key).toBe('task.completed');
    const progress = inst.events.of(id, 'task.progress').map((r) => r.event.data.bytesDone as number);
    expect(Math.max(...progress)).toBe(64 * MiB);
    const vm = await inst.platform.getVm('recovery', 'big');
    expect(await diskHashes(inst.platform, vm!)).toEqual([await sha256File(image)]);
  });
});

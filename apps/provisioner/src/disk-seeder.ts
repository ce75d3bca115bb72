import { Inject, Injectable } from '@nestjs/common';
import { PrepareWork } from '@jss/contract';
import { LOGGER, PLATFORM } from '@jss/infra';
import { Logger } from '@jss/observability';
import { Platform, VmInfo, copyDisk, diskIdentity, emptyDisk } from '@jss/platform';
import { SeedOutcome, TaskStore } from '@jss/tasks';

type Seed = NonNullable<PrepareWork['vms'][number]['seed']>;

/**
 * Failback: a temporary's disks start as copies of the VM's original disks, each only if its
 * identity is still the one recorded when the base point was read from it — checked before and
 * after the copy. Anything else leaves the temporary's disks empty (a partial copy is wiped), and
 * the outcome says why. The outcome is kept per task and VM before the reply goes: a redelivered
 * prepare reuses it and never copies over disks the rehydrators may already be writing.
 */
@Injectable()
export class DiskSeeder {
  constructor(
    private readonly tasks: TaskStore,
    @Inject(PLATFORM) private readonly platform: Platform,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async seed(taskId: string, vm: string, site: string, temp: VmInfo, seed: Seed): Promise<SeedOutcome> {
    const known = await this.tasks.seedOutcome(taskId, vm);
    if (known) return known;
    const started = performance.now();
    const outcome = await this.copy(vm, site, temp, seed).catch(async (err: unknown) => {
      await Promise.all(temp.disks.map((d) => emptyDisk(this.platform, d.path)));
      return {
        copied: false,
        reason: `copying the original disks of VM ${vm} failed: ${err instanceof Error ? err.message : String(err)}`,
      };
    });
    await this.tasks.recordSeed(taskId, vm, outcome);
    this.log.info({ taskId, vm, ...outcome, seconds: (performance.now() - started) / 1000 }, 'failback temporary seeded');
    return outcome;
  }

  private async copy(vm: string, site: string, temp: VmInfo, seed: Seed): Promise<SeedOutcome> {
    if (seed.length !== temp.disks.length)
      return { copied: false, reason: `VM ${vm} has ${temp.disks.length} disks, ${seed.length} originals` };
    for (const [i, original] of seed.entries()) {
      const changed = async () => (await diskIdentity(this.platform, original.path)) !== original.identity;
      if (await changed()) {
        await Promise.all(temp.disks.slice(0, i).map((d) => emptyDisk(this.platform, d.path)));
        return { copied: false, reason: `disk ${i} of VM ${vm} at site ${site} was written, replaced or removed since its point was read` };
      }
      await copyDisk(this.platform, original.path, temp.disks[i].path);
      if (await changed()) {
        await Promise.all(temp.disks.slice(0, i + 1).map((d) => emptyDisk(this.platform, d.path)));
        return { copied: false, reason: `disk ${i} of VM ${vm} at site ${site} was written while it was copied` };
      }
    }
    return { copied: true, reason: null };
  }
}

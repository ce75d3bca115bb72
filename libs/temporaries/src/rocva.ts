import type Redis from 'ioredis';
import { confirmed } from '@jss/redis';
import { DomainLocks } from '@jss/locks';
import { Platform, VmInfo, temporaryName } from '@jss/platform';

/** The RocVA's own disk (the appliance image), provisioned on the target datastore. */
export const ROCVA_DISK_BYTES = 1 << 30;

export interface RocvaPlacement {
  site: string;
  cluster: string;
  datastore: string;
  network: string;
}

/**
 * Adds or removes a task from the set of tasks holding a domain's RocVA, refusing a stale fencing
 * token (a holder whose lock expired while it was paused). Returns how many tasks still hold it.
 */
const FENCED_HOLD = `
local fence = tonumber(redis.call('GET', KEYS[2]) or '0')
if tonumber(ARGV[1]) < fence then return redis.error_reply('stale fencing token') end
redis.call('SET', KEYS[2], ARGV[1])
if ARGV[2] == 'add' then redis.call('SADD', KEYS[1], ARGV[3]) else redis.call('SREM', KEYS[1], ARGV[3]) end
return redis.call('SCARD', KEYS[1])`;

/**
 * One RocVA per protected domain at a site, shared by every task of the domain recovering there:
 * created by the first task that needs it, deleted when the last one lets go. Both happen under the
 * lock of the domain at that site, so concurrent tasks on several provisioner and janitor replicas
 * never make two or delete one in use. Holders are counted per site: a domain tested at the recovery
 * site while it fails back to the primary one has an appliance at each, and each goes with its last
 * task (counted per domain, the last task at one site would leave the other site's appliance behind).
 */
export class RocvaManager {
  constructor(
    private readonly redis: Redis,
    private readonly locks: DomainLocks,
    private readonly platform: Platform,
  ) {}

  /** Ensures the domain's RocVA exists and records the task as one of its holders. */
  async acquire(domain: string, taskId: string, at: RocvaPlacement): Promise<{ vm: VmInfo; created: boolean }> {
    return this.locks.withLock('rocva', `${at.site}/${domain}`, async (fence) => {
      await this.hold(domain, at.site, fence, 'add', taskId);
      const name = temporaryName('rocva', domain);
      const existing = await this.platform.getVm(at.site, name);
      if (existing) return { vm: existing, created: false };
      const vm = await this.platform.createVm({
        name,
        site: at.site,
        cluster: at.cluster,
        datastore: at.datastore,
        nics: [{ network: at.network, ip: 'dhcp' }],
        disks: [{ sizeBytes: ROCVA_DISK_BYTES }],
        owner: { taskId, kind: 'rocva', domain },
        takeOver: true, // under the domain's lock
        powerOn: true,
      });
      return { vm, created: true };
    });
  }

  /**
   * Drops the task's hold; deletes the RocVA when no task holds it. Returns the deleted VM, if any.
   * `deleting`: told of the appliance just before it is deleted (a release notes it, to announce it even after a crash).
   */
  async release(domain: string, taskId: string, site: string, deleting?: (vm: VmInfo) => Promise<void>): Promise<VmInfo | null> {
    return this.locks.withLock('rocva', `${site}/${domain}`, async (fence) => {
      const holders = await this.hold(domain, site, fence, 'remove', taskId);
      if (holders > 0) return null;
      const name = temporaryName('rocva', domain);
      const vm = await this.platform.getVm(site, name);
      // only the domain's own appliance: a VM someone else named jss-rocva-<domain> is not ours to delete
      if (vm?.owner?.kind !== 'rocva' || vm.owner.domain !== domain) return null;
      await deleting?.(vm);
      return (await this.platform.deleteVm(site, name)) ? vm : null;
    });
  }

  async holders(domain: string, site: string): Promise<string[]> {
    return this.redis.smembers(`rocva:${site}:${domain}:holders`);
  }

  private async hold(domain: string, site: string, fence: number, op: 'add' | 'remove', taskId: string): Promise<number> {
    const keys = [`rocva:${site}:${domain}:holders`, `rocva:${site}:${domain}:fence`];
    return Number(await confirmed(this.redis, 'rocva hold', () => this.redis.eval(FENCED_HOLD, 2, ...keys, fence, op, taskId)));
  }
}

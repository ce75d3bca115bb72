import { CloudEvent, Operation } from '@jss/contract';
import { SimPlatform } from '@jss/platform';
import { ReplicaRepository, ReplicaWriter } from '@jss/replica';
import { ObjectStore } from '@jss/store';
import { diskHashes } from '@jss/testing';
import { Protection } from '../../apps/replicator/src/protection';

type Publish = (op: Operation, data: Record<string, unknown>) => Promise<string>;
type Moved = Array<{ vm: string; name: string; site: string }>;

/**
 * The operator's round trip, over and over under the faults: a planned failover of one protected
 * domain, then (once the recovery site has replicated it back) a failback home. Its VMs have names
 * of their own so that the other domains' failovers never contend with them.
 */
export class PlannedCycle {
  private where: 'home' | 'away' = 'home';
  private inFlight: string | null = null;
  /** a replication the last completed move needs before the next move (retried if Redis was down) */
  private replicateFrom: string | null = null;
  private readonly expected = new Map<string, string>();
  private readonly protection: Protection;

  constructor(
    private readonly platform: SimPlatform,
    store: ObjectStore,
    readonly domain: string,
    private readonly publish: Publish,
    private readonly wrongDisk: (label: string) => void,
    private readonly log: (msg: string) => void,
  ) {
    this.protection = new Protection(platform, new ReplicaWriter(store), new ReplicaRepository(store));
  }

  async protect(vms: Array<{ name: string; size: number; seed: number }>): Promise<void> {
    await this.protection.protect(
      this.domain,
      vms.map((v) => ({ name: v.name, source: { sizeBytes: v.size, seed: v.seed } })),
    );
    for (const v of vms) this.expected.set(v.name, (await diskHashes(this.platform, (await this.platform.getVm('primary', v.name))!))[0]);
  }

  /** The next move, unless one is in flight. */
  async step(): Promise<void> {
    if (this.inFlight) return;
    if (this.replicateFrom) {
      await this.protection.replicate(this.domain, this.replicateFrom);
      this.replicateFrom = null;
    }
    const op = this.where === 'home' ? 'planned-failover' : 'failback';
    this.inFlight = await this.publish(op, { domain: this.domain });
    this.log(`${op} ${this.domain}: command ${this.inFlight}`);
  }

  /** An end (or a refusal) of the command in flight: check the moved disks, then get ready for the way back. */
  async ended(commandId: string, key: string, event: CloudEvent<Record<string, unknown>>): Promise<void> {
    if (commandId !== this.inFlight) return;
    const op = this.where === 'home' ? 'planned-failover' : 'failback';
    this.log(`${op} ${this.domain}: ${key}${event.data.reason ? ` (${String(event.data.reason)})` : ''}`);
    if (key === 'task.completed') {
      const moved = event.data.vms as Moved;
      for (const v of moved) {
        const vm = await this.platform.getVm(v.site, v.name);
        if (!vm || (await diskHashes(this.platform, vm))[0] !== this.expected.get(v.vm)) this.wrongDisk(`${op} ${commandId}: ${v.name}`);
      }
      // back home, the recovery site's powered-off copies go (as an operator would), so that the next planned failover can create them
      if (op === 'failback') for (const v of moved) await this.platform.deleteVm('recovery', v.vm);
      this.replicateFrom = op === 'failback' ? 'primary' : 'recovery';
      this.where = op === 'failback' ? 'home' : 'away';
    }
    this.inFlight = null;
  }
}

import type { Verdict } from '@jss/contract';
import { Manifest, ReplicaRepository } from '@jss/replica';
import { LastCleanOptions, resolveLastClean } from './last-clean';
import { ScanStore } from './scan-store';
import { verdictFor } from './verdict';

/** What the planner knows of points' scans: the last clean point, and a point's verdict for the VMs a task recovers. */
export class PointVerdicts {
  constructor(
    private readonly repo: ReplicaRepository,
    private readonly scans: ScanStore,
    private readonly opts: LastCleanOptions,
  ) {}

  lastClean(domain: string, vms: readonly string[] | undefined): Promise<Manifest> {
    return resolveLastClean(this.repo, this.scans, domain, vms, this.opts);
  }

  async of(point: Manifest, vms: readonly string[]): Promise<{ verdict: Verdict; message?: string }> {
    return verdictFor(await this.scans.verdict(point.domain, point.id), vms);
  }
}

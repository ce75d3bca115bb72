import { setTimeout as sleep } from 'node:timers/promises';
import { LAST_CLEAN, REASONS, ReasonedError, TIMING } from '@jss/contract';
import { Manifest, ReplicaRepository } from '@jss/replica';
import { ScanStore } from './scan-store';
import { verdictFor } from './verdict';

export interface LastCleanOptions {
  /** how long to wait for the verdicts of points newer than the newest clean one */
  waitMs: number;
  pollMs?: number;
  /** asks the scanners to scan these points now (once, when a wait starts) */
  requestScan?: (domain: string, pointIds: string[]) => Promise<void>;
}

const listed = (ids: string[]) => `${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ` and ${ids.length - 3} more` : ''}`;

/**
 * `recoveryPoint: "last-clean"`: the newest point of the domain whose VMs (those asked for, else
 * all) are all clean. Points newer than it that have no verdict yet may be clean themselves: they
 * are asked for and waited for, up to `waitMs`; then the command is refused (point-unscanned)
 * rather than given an older point than it asked for. No clean point at all: no-clean-point.
 */
export async function resolveLastClean(
  repo: ReplicaRepository,
  scans: ScanStore,
  domain: string,
  vms: readonly string[] | undefined,
  opts: LastCleanOptions,
): Promise<Manifest> {
  if (!(await scans.settings(domain)).enabled) {
    throw new ReasonedError(
      REASONS.pointUnscanned,
      `scanning is disabled for domain "${domain}", so no point is known to be clean; name a point, or enable it (jssctl replica scan-settings ${domain} --enable)`,
    );
  }
  const deadline = Date.now() + opts.waitMs;
  let asked = false;
  for (;;) {
    const ids = (await repo.pointIds(domain)).map((p) => p.id).reverse();
    const unscanned: string[] = [];
    let clean: string | null = null;
    for (const id of ids) {
      const record = await scans.verdict(domain, id);
      if (!record) unscanned.push(id);
      else if (verdictFor(record, vms).verdict === 'clean') {
        clean = id;
        break;
      }
    }
    if (clean && !unscanned.length) {
      const point = await repo.getPoint(domain, clean);
      if (point) return point;
      throw new ReasonedError(REASONS.unknownRecoveryPoint, `recovery point ${clean} of domain "${domain}" vanished`);
    }
    if (!unscanned.length) {
      throw new ReasonedError(
        REASONS.noCleanPoint,
        `no scanned recovery point of domain "${domain}" has ${vms ? `VMs ${vms.join(', ')}` : 'every VM'} clean (${ids.length} point(s), all suspicious); name a point to recover it anyway`,
      );
    }
    if (Date.now() >= deadline) {
      throw new ReasonedError(
        REASONS.pointUnscanned,
        `recovery point(s) ${listed(unscanned)} of domain "${domain}" ${clean ? `are newer than the last clean one (${clean}) and ` : ''}have no scan verdict after ${opts.waitMs / 1000}s; is a scanner running? Try again, or name a point`,
      );
    }
    if (!asked && opts.requestScan) await opts.requestScan(domain, unscanned);
    asked = true;
    await sleep(opts.pollMs ?? TIMING.scan.pollMs);
  }
}

/** Whether a command's recovery point asks for the last clean one. */
export const isLastClean = (ref: string | undefined): boolean => ref === LAST_CLEAN;

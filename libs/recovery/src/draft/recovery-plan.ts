import { REASONS, ReasonedError, RecoveryOperation } from '@jss/contract';
import { Platform } from '@jss/platform';
import { StoredPlan, planStepsOf, networkMapOf } from '@jss/recovery-plans';
import { TaskDraft } from './draft';
import { checkStaticAddresses, networkAt } from './resolve';

/** The operations that run the domain's recovery plan when it has one. */
export const RECOVERY_PLAN_OPERATIONS: readonly RecoveryOperation[] = ['failover', 'planned-failover', 'test-failover', 'failback'];

/** What of a recovery command bears on its plan (any recovery command's data is one). */
export interface RecoveryPlanAsked {
  domain: string;
  /** false: ignore the domain's plan */
  plan?: boolean;
  bootOrder?: unknown[];
  networkMap?: Record<string, unknown>;
}

/**
 * The domain's recovery plan applied to a draft: its groups and steps become the task's (fixed
 * for the task's life), its network map the final VMs' where the command's own networkMap does not
 * name them (failover and planned failover: a test runs on its isolated network, a failback goes home).
 */
export async function withRecoveryPlan(
  draft: TaskDraft,
  stored: StoredPlan | null,
  asked: RecoveryPlanAsked,
  platform: Platform,
): Promise<TaskDraft> {
  if (!stored || asked.plan === false || !RECOVERY_PLAN_OPERATIONS.includes(draft.operation)) return draft;
  if (asked.bootOrder?.length) {
    throw new ReasonedError(
      REASONS.invalidCommand,
      `domain "${draft.domain}" has a recovery plan (version ${stored.version}) that orders its VMs; leave bootOrder out, or give plan: false to use bootOrder instead`,
    );
  }
  const remap = draft.operation === 'failover' || draft.operation === 'planned-failover';
  const map = remap ? networkMapOf(stored.plan) : {};
  const finals: typeof draft.spec.finals = [];
  for (const f of draft.spec.finals) {
    const mapped = asked.networkMap && Object.hasOwn(asked.networkMap, f.vm) ? undefined : map[f.vm];
    if (mapped?.network) await networkAt(platform, mapped.network, draft.target.site);
    finals.push(mapped ? { ...f, network: mapped.network ?? f.network, ip: mapped.ip ?? f.ip } : f);
  }
  const { version, plan } = stored;
  // the plan was checked against the networks' ranges when applied; they may have changed since
  await checkStaticAddresses(
    platform,
    draft.target.site,
    finals.filter((f) => map[f.vm]?.ip),
    (detail) => new ReasonedError(REASONS.invalidPlan, `recovery plan version ${version}: ${detail}`),
  );
  const recoveryPlan = {
    version,
    ...(plan.rtoObjectiveSeconds && { rtoObjectiveSeconds: plan.rtoObjectiveSeconds }),
    steps: planStepsOf(plan, draft.vms),
  };
  return { ...draft, spec: { ...draft.spec, finals, bootOrder: [], recoveryPlan } };
}

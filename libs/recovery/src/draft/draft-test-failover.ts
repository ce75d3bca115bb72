import { CommandData, REASONS, ReasonedError } from '@jss/contract';
import { DEFAULT_TARGET, RECOVERY_SITE } from '../defaults';
import { DraftContext, TaskDraft, draftOf } from './draft';
import { networkAt, resolvePoint, resolveTarget } from './resolve';

/** Default network of a test failover: the recovery site's isolated one. */
export const DEFAULT_TEST_NETWORK = `${RECOVERY_SITE}-test-net`;

/**
 * test-failover: one Test VM per VM on an isolated network, rehydrated through the domain's RocVA
 * and powered on; production is not touched. The Test VMs are the result: nothing else is created.
 */
export async function draftTestFailover(
  data: CommandData<'test-failover'>,
  { replica, platform, verdicts }: DraftContext,
): Promise<TaskDraft> {
  const { point, vms, verdict } = await resolvePoint(replica, data.domain, data.recoveryPoint, data.vms, verdicts);
  const target = await resolveTarget(platform, { ...DEFAULT_TARGET, network: DEFAULT_TEST_NETWORK, ...data.target });
  const network = await networkAt(platform, target.network, target.site);
  if (!network.isolated) {
    throw new ReasonedError(
      REASONS.networkNotIsolated,
      `network "${network.name}" is not isolated; a test failover must run on an isolated test network (e.g. ${DEFAULT_TEST_NETWORK}) so production is not touched`,
    );
  }
  return draftOf(
    'test-failover',
    point,
    vms,
    target,
    {
      temporaryNetwork: target.network,
      finals: [],
      bootOrder: [],
      ttlSeconds: data.ttl,
    },
    verdict,
  );
}

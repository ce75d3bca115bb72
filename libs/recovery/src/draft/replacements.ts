import { Platform } from '@jss/platform';
import { TaskDraft } from './draft';

/**
 * The VMs a draft would replace that the system did not recover for the draft's domain (a
 * production VM, another domain's VM, a temporary): only an admin may replace those.
 */
export async function foreignReplacements(draft: TaskDraft, platform: Platform): Promise<string[]> {
  const foreign: string[] = [];
  for (const f of draft.spec.finals.filter((f) => f.replace)) {
    const vm = await platform.getVm(draft.target.site, f.name);
    if (vm && !(vm.owner?.kind === 'recovered' && vm.owner.domain === draft.domain)) foreign.push(f.name);
  }
  return foreign;
}

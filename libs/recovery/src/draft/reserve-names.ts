import { REASONS, ReasonedError } from '@jss/contract';
import { Platform } from '@jss/platform';
import { NameReservations } from '@jss/tasks';
import { TaskDraft } from './draft';
import { existingVms } from './existing-vms';
import { namesOf } from './temporary-names';

/**
 * When a command is accepted: every final and temporary name the task will create at its site is
 * reserved for it, all or none, so that a conflict is refused now (vm-busy: another live task holds
 * the name; vm-exists: a VM of that name is there and is not this task's) and never found by a worker
 * after work started. A replaced final may exist; it is still reserved, so two tasks never replace
 * it at once. Released when the task ends (TaskStore.transition), or here when refused.
 */
export async function reserveNames(names: NameReservations, platform: Platform, taskId: string, draft: TaskDraft): Promise<void> {
  const { temporaries, finals } = namesOf(draft);
  const site = draft.target.site;
  const conflict = await names.reserve(taskId, site, [...temporaries, ...finals]);
  if (conflict) {
    throw new ReasonedError(
      REASONS.vmBusy,
      `VM name "${conflict.name}" at site "${site}" is held by task ${conflict.taskId}, which is still running; try again when it has ended`,
    );
  }
  const mustBeFree = [...temporaries, ...draft.spec.finals.filter((f) => !f.replace).map((f) => f.name)];
  const existing = await existingVms(platform, site, mustBeFree);
  for (const name of mustBeFree) {
    const vm = existing.get(name);
    if (vm && vm.owner?.taskId !== taskId) {
      await names.release(taskId);
      throw new ReasonedError(
        REASONS.vmExists,
        `a VM named "${name}" already exists at site "${site}" (${vm.owner ? `left by task ${vm.owner.taskId}` : 'not created by this system'}); choose another name or remove it`,
      );
    }
  }
}

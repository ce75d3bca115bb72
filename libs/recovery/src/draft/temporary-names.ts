import { temporaryName } from '@jss/platform';
import { Task, TaskSpec, profileOf } from '@jss/tasks';

type Named = Pick<Task, 'domain' | 'operation'> & { spec: Pick<TaskSpec, 'finals'> };

/**
 * The RVM or Test VM of one VM of a task. The planner decides it (and reserves it with the task's
 * other names, see NameReservations) and carries it in provision.prepare; no worker recomputes it.
 */
export function temporaryOf(task: Named, vm: string): string {
  if (profileOf(task.operation).temporaries === 'tvm') return temporaryName('tvm', vm, task.domain);
  return temporaryName('rvm', task.spec.finals.find((f) => f.vm === vm)?.name ?? vm);
}

/** Every VM name a task will create at its target site: its temporaries, then its final VMs. */
export function namesOf(task: Named & { vms: string[] }): { temporaries: string[]; finals: string[] } {
  return { temporaries: task.vms.map((vm) => temporaryOf(task, vm)), finals: task.spec.finals.map((f) => f.name) };
}

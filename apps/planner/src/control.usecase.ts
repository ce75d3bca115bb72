import { Injectable } from '@nestjs/common';
import { RoleMapSource, assertAllowed } from '@jss/authz';
import { Messenger } from '@jss/bus';
import { CommandData, EVENTS, REASONS, ReasonedError } from '@jss/contract';
import { TaskFlow } from '@jss/recovery';
import { TaskStore, isActive } from '@jss/tasks';
import { Command } from './command';

/** A command that acts on a live task; `cutover`: a failover that names a continuous failover (its domain must be the task's). */
export type ControlCommand =
  | Command<'cancel' | 'test-cleanup' | 'commit' | 'rollback' | 'plan-continue'>
  | (Omit<Command<'failover'>, 'op' | 'data'> & { op: 'cutover'; data: CommandData<'failover'> & { taskId: string } });

/** cancel, test-cleanup, commit, rollback, plan-continue, and a failover that names a continuous failover (cut-over): act on a live task. */
@Injectable()
export class ControlUseCase {
  constructor(
    private readonly tasks: TaskStore,
    private readonly flow: TaskFlow,
    private readonly messenger: Messenger,
    private readonly roles: RoleMapSource,
  ) {}

  async execute(c: ControlCommand): Promise<void> {
    const { op, data, principal } = c;
    const task = await this.tasks.get(data.taskId);
    if (!task) throw new ReasonedError(REASONS.unknownTask, `there is no task ${data.taskId}`);
    // authorised against the task's domain: a task id alone (it is on jss.events) gives no rights
    assertAllowed(this.roles, { principal, operation: op === 'cutover' ? 'failover' : op, domain: task.domain, dryRun: data.dryRun });
    if (!isActive(task.state)) {
      throw new ReasonedError(
        REASONS.taskEnded,
        `task ${task.id} is ${task.state}; there is nothing to ${op === 'test-cleanup' ? 'clean up' : op === 'cutover' ? 'cut over' : op}`,
      );
    }
    if (op === 'test-cleanup' && task.operation !== 'test-failover') {
      throw new ReasonedError(REASONS.notATest, `task ${task.id} is a ${task.operation}, not a test failover; use cancel`);
    }
    if ((op === 'commit' || op === 'rollback') && task.state !== 'awaiting-commit') {
      const why = task.spec.commit ? `it is ${task.state}, its VMs are not up yet` : 'it has no commit policy';
      throw new ReasonedError(REASONS.notAwaitingCommit, `task ${task.id} is not waiting for a commit or rollback: ${why}`);
    }
    if (op === 'plan-continue' && task.state !== 'awaiting-approval') {
      throw new ReasonedError(
        REASONS.notAwaitingApproval,
        `task ${task.id} is ${task.state}, not paused at an approve step of its recovery plan; there is nothing to continue`,
      );
    }
    if (op === 'cutover' && task.operation !== 'continuous-failover') {
      throw new ReasonedError(
        REASONS.notContinuous,
        `task ${task.id} is a ${task.operation}, not a continuous failover; only those can be cut over`,
      );
    }
    // a typo must not cut over another domain
    if (c.op === 'cutover' && task.domain !== c.data.domain) {
      throw new ReasonedError(
        REASONS.invalidCommand,
        `task ${task.id} is a continuous failover of domain "${task.domain}", not "${c.data.domain}"`,
      );
    }
    if (data.dryRun) {
      // nothing would be created; the task's VMs would be removed
      const { domain, vms, point: recoveryPoint, target } = task;
      const planned = {
        commandId: c.event.id,
        operation: op,
        domain,
        vms,
        recoveryPoint,
        target,
        create: [],
        bytesToRehydrate: 0,
        bytesTotal: 0,
        estimatedSeconds: 0,
      };
      return this.messenger.event(EVENTS.taskPlanned, null, planned);
    }
    if (op === 'cancel') await this.flow.cancel(task);
    else if (op === 'cutover') await this.flow.requestCutover(task);
    else if (op === 'commit') await this.flow.commit(task);
    else if (op === 'rollback') await this.flow.rollback(task);
    else if (op === 'plan-continue') await this.flow.continuePlan(task);
    else await this.flow.cleanupTest(task);
  }
}

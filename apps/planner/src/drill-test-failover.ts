import { Injectable } from '@nestjs/common';
import { CommandData, cloudEvent, commandType } from '@jss/contract';
import { TaskFlow } from '@jss/recovery';
import { TaskStore } from '@jss/tasks';
import { RecoveryUseCase } from './recovery.usecase';

/**
 * A drill's test failover, through the same use case as a published one, as the command whose id
 * is the drill's: a planner that takes the drill over after a crash finds the task that id
 * created and starts nothing new (as the intake does for a redelivered command).
 */
@Injectable()
export class DrillTestFailover {
  constructor(
    private readonly tasks: TaskStore,
    private readonly flow: TaskFlow,
    private readonly recovery: RecoveryUseCase,
  ) {}

  start = async (id: string, data: CommandData<'test-failover'>, principal: string): Promise<string> => {
    const existing = await this.tasks.recordOfCommand(id);
    // only the drill's own task is taken over; the intake keeps publishers out of drill ids, this
    // keeps a task of another domain or principal (one made before that check) out of the evidence
    if (existing && (existing.domain !== data.domain || existing.operation !== 'test-failover' || existing.requestedBy !== principal)) {
      throw new Error(
        `command id ${id} belongs to a ${existing.operation} of domain ${existing.domain} by ${existing.requestedBy}, not to the drill`,
      );
    }
    if (existing) {
      await this.flow.start(existing.id);
      return existing.id;
    }
    const command = cloudEvent({ id, type: commandType('test-failover'), source: '/jss/planner/drills', data });
    await this.recovery.execute({ op: 'test-failover', event: command, data, principal });
    return (await this.tasks.taskOfCommand(id))!;
  };
}

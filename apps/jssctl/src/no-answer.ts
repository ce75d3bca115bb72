import { AmqpBus } from '@jss/bus';
import { QUEUES } from '@jss/contract';
import { CliError } from './cli-error';

/** Exit code of a command that was published and is waiting in the queue for a planner. */
export const QUEUED_EXIT_CODE = 3;

/**
 * Why a command got no answer within the timeout, from the planners' queue: none consumes it (the
 * command waits there and runs once a planner starts), or planners run and it is still waiting
 * behind others or being planned.
 */
export async function noAnswer(bus: AmqpBus, commandId: string, seconds: number): Promise<CliError> {
  const queue = await bus.checkQueue(QUEUES.plannerCommands).catch(() => undefined);
  if (queue === undefined) return new CliError(`no answer to command ${commandId} within ${seconds}s`);
  if (queue === null)
    return new CliError(
      `no answer to command ${commandId}: queue ${QUEUES.plannerCommands} does not exist, so no planner ever ran here; start the services and publish again`,
    );
  if (queue.consumerCount === 0)
    return new CliError(
      `no planner is running: command ${commandId} is queued (${queue.messageCount} command(s) waiting) and will run when a planner starts; follow it with: jssctl tasks`,
      QUEUED_EXIT_CODE,
    );
  return new CliError(
    `no answer to command ${commandId} within ${seconds}s from ${queue.consumerCount} running planner(s), ${queue.messageCount} command(s) waiting; follow it with: jssctl tasks, or wait longer with --timeout <seconds>`,
    QUEUED_EXIT_CODE,
  );
}

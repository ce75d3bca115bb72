import { AmqpBus } from '@jss/bus';
import { QUEUES } from '@jss/contract';
import { CliError } from './cli-error';

/** Exit code of a command that was published and is waiting in the queue for a planner. */
export const QUEUED_EXIT_CODE = 3;

/**
 * Why a command got no answer within the timeout, from the planners' queue: none consumes it (the
 * command waits there and runs once a planner starts), it waits behind others, or a planner took it
 * and has not answered (still planning, or dead-lettered). A dry run creates no task: nothing to
 * follow with `jssctl tasks`, its answer is all there is.
 */
export async function noAnswer(bus: AmqpBus, commandId: string, seconds: number, dryRun = false): Promise<CliError> {
  const details = (reason: string) => ({ reason, commandId });
  const queue = await bus.checkQueue(QUEUES.plannerCommands).catch(() => undefined);
  if (queue === undefined) return new CliError(`no answer to command ${commandId} within ${seconds}s`, 1, details('no-answer'));
  if (queue === null)
    return new CliError(
      `no answer to command ${commandId}: queue ${QUEUES.plannerCommands} does not exist, so no planner ever ran here; start the services and publish again`,
      1,
      details('not-kept'),
    );
  const what = dryRun ? `dry run ${commandId}` : `command ${commandId}`;
  const follow = dryRun
    ? 'a dry run creates no task; its answer comes only to a jssctl still waiting (--timeout <seconds>)'
    : 'follow it with: jssctl tasks';
  if (queue.consumerCount === 0)
    return new CliError(
      `no planner is running: ${what} is queued (${queue.messageCount} command(s) waiting) and will run when a planner starts; ${follow}`,
      QUEUED_EXIT_CODE,
      details('queued'),
    );
  if (queue.messageCount > 0)
    return new CliError(
      `no answer to ${what} within ${seconds}s: ${queue.messageCount} command(s) wait for the ${queue.consumerCount} running planner(s); ${dryRun ? follow : `${follow}, or wait longer with --timeout <seconds>`}`,
      QUEUED_EXIT_CODE,
      details('queued'),
    );
  return new CliError(
    `no answer to ${what} within ${seconds}s although a planner took it: it may still be planning it${dryRun ? '' : ' (see jssctl tasks)'} or have dead-lettered it (queue ${QUEUES.deadLetters}; the planner's log says why)`,
    QUEUED_EXIT_CODE,
    details('no-answer'),
  );
}

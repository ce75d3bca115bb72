import type { CloudEvent, CommandData, Operation } from '@jss/contract';

/** The data of each operation's command, as its schema gives it. */
type DataOf = { [O in Operation]: CommandData<O> };

/** A command whose envelope, sender and data were checked (CommandIntake): what a use case takes. */
export interface Command<O extends Operation = Operation> {
  op: O;
  /** the CloudEvent as published: its id (the command id), source, traceparent */
  event: CloudEvent;
  data: DataOf[O];
  /** who sent it (the AMQP user_id the broker validated) */
  principal: string;
}

/** What each operation's command does: one handler per operation, its command typed by it. */
export type CommandHandlers = { [O in Operation]: (command: Command<O>) => Promise<void> };

/** Hands a command to its operation's handler (the handler's type follows from the command's). */
export function dispatch<O extends Operation>(handlers: CommandHandlers, command: Command<O>): Promise<void> {
  return handlers[command.op](command);
}

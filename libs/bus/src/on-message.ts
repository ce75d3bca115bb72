import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { MessageKind } from '@jss/contract';
import type { AmqpContext } from './amqp-context';

/** A method that handles one kind of internal message: its payload, of the kind's type, and the context. */
type HandlerOf<T> = (message: T, ctx: AmqpContext) => unknown;

/**
 * The handler of one kind of internal message (WORK.x, REPLIES.x): its routing key and the type of
 * its payload both come from the contract's kind, so a handler cannot declare a payload of another
 * kind (it does not compile). The payload arrives validated against the kind's schema (AmqpTransport).
 */
export function OnMessage<T>(kind: MessageKind<T>) {
  return <M extends HandlerOf<T>>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<M>): void => {
    EventPattern(kind.key)(target, key, descriptor);
    Payload()(target, key, 0);
    Ctx()(target, key, 1);
  };
}

/** Work the planner sends a worker service (`@OnWork(WORK.prepare) onPrepare(work: PrepareWork, ctx)`). */
export const OnWork = OnMessage;
/** A worker's reply to the planner (`@OnReply(REPLIES.prepared) onPrepared(reply: Prepared)`). */
export const OnReply = OnMessage;

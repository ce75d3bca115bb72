import { CLOUDEVENTS_CONTENT_TYPE, REASONS, ReasonedError } from '@jss/contract';
import type { Request } from './authorize';
import type { RoleMapSource } from './role-map-source';

/** Content types a command may be published with (structured-mode CloudEvents, or plain JSON). */
export const COMMAND_CONTENT_TYPES = [CLOUDEVENTS_CONTENT_TYPE, 'application/json'];

/** The AMQP properties of a command that say who sent it and how it is encoded. */
export interface CommandProperties {
  userId?: string;
  contentType?: string;
}

/**
 * Who sent a command: its AMQP user_id, which RabbitMQ refuses unless it is the connection's user.
 * A command without one, or in another content type, is refused.
 */
export function principalOf(properties: CommandProperties): string {
  const contentType = properties.contentType?.split(';')[0].trim().toLowerCase();
  if (contentType !== undefined && !COMMAND_CONTENT_TYPES.includes(contentType)) {
    throw new ReasonedError(
      REASONS.invalidCommand,
      `content type "${clip(properties.contentType!, 100)}" is not accepted; use ${COMMAND_CONTENT_TYPES.join(' or ')}`,
    );
  }
  if (!properties.userId) {
    throw new ReasonedError(
      REASONS.unauthenticated,
      'the command has no AMQP user_id property; publish it with user_id set to the broker user of your connection',
    );
  }
  return properties.userId;
}

/** Throws `forbidden` unless the role map allows the request. */
export function assertAllowed(roles: RoleMapSource, request: Request): void {
  const refusal = roles.authorize(request);
  if (refusal) throw new ReasonedError(REASONS.forbidden, refusal);
}

/** At most `max` characters of an outside string, for messages and logs. */
export function clip(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}

/**
 * The id of a command whose body is not a valid CloudEvent, if one can be read (its JSON `id`, else
 * the AMQP message id), so that the publisher following its id gets the refusal; '' if none.
 */
export function readableCommandId(body: Buffer, messageId?: string): string {
  const fits = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 200;
  try {
    const id = (JSON.parse(body.toString('utf8')) as { id?: unknown } | null)?.id;
    if (fits(id)) return id;
  } catch {
    // not JSON: the message id is all there is
  }
  return fits(messageId) ? messageId : '';
}

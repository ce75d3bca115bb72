/** Thrown by a handler for a message that can never succeed: dead-lettered at once, not retried. */
export class DeadLetter extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'DeadLetter';
  }
}

import { deadLetterReason } from './dead-letter-reason';

describe('deadLetterReason', () => {
  it('keeps the reason a service gave', () => {
    expect(deadLetterReason({ 'x-jss-reason': 'body is not JSON', 'x-death': [{ reason: 'rejected' }] })).toBe('body is not JSON');
  });

  it("reads the broker's x-death: the delivery limit and the queue", () => {
    expect(deadLetterReason({ 'x-death': [{ reason: 'delivery_limit', queue: 'jss.provisioner.work', count: 1 }] })).toBe(
      'delivery limit: the consumers of jss.provisioner.work failed on it until the broker dead-lettered it',
    );
    expect(deadLetterReason({ 'x-first-death-reason': 'expired', 'x-first-death-queue': 'q' })).toBe(
      'dead-lettered by the broker from q (expired)',
    );
  });
});

import { ReplyError } from 'ioredis';
import { isRedisOutage } from './outage';
import { UnconfirmedWriteError } from './write-confirmation';

/** EXEC's answer to a transaction a queued command failed in, as ioredis gives it (seen against Redis 7.0 with no replica). */
function execAbort(queued: Error): Error {
  return Object.assign(new ReplyError('EXECABORT Transaction discarded because of previous errors.'), { previousErrors: [queued] });
}

describe('isRedisOutage', () => {
  it.each([
    ['an unconfirmed guarded write', new UnconfirmedWriteError('task change', 0, 1)],
    ['no replica in reach', new ReplyError('NOREPLICAS Not enough good replicas to write.')],
    ['a demoted primary', new ReplyError("READONLY You can't write against a read only replica.")],
    ['a node loading its data', new ReplyError('LOADING Redis is loading the dataset in memory')],
    ['a replica whose primary is down', new ReplyError('MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to no')],
    ['a connection closed under the command', new Error('Connection is closed.')],
    ['a MULTI discarded because a write in it was refused', execAbort(new ReplyError('NOREPLICAS Not enough good replicas to write.'))],
  ])('%s is an outage', (_what, err) => expect(isRedisOutage(err)).toBe(true));

  it.each([
    ['a wrong type', new ReplyError('WRONGTYPE Operation against a key holding the wrong kind of value')],
    ['a script error', new ReplyError('ERR Error running script')],
    ['a reply that only mentions an outage word', new ReplyError('ERR unknown command NOREPLICAS')],
    ['a handler error', new Error('recovery point p1 of shop not found')],
    ['not an error', 'NOREPLICAS'],
    ['a MULTI discarded for an error of its own', execAbort(new ReplyError('ERR wrong number of arguments for command'))],
  ])('%s is not', (_what, err) => expect(isRedisOutage(err)).toBe(false));
});

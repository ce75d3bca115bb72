import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TIMING } from '@jss/contract';
import { Installation, MiB, RedisSentinelSet, diskHashes, waitUntil } from '@jss/testing';
import { generatedHash } from './chaos/support';

/**
 * The Redis primary SIGKILLed under the services (a private Redis with Sentinel on ports 7141-7143
 * and 7151-7153): a replica is promoted, the services follow it, and no acknowledged state is lost
 * — every command answered once, one task each, the disks those of the recovery point, nothing left.
 */
describe('the Redis primary killed (Sentinel promotes a replica)', () => {
  let dir: string;
  let set: RedisSentinelSet;
  let inst: Installation;
  const SIZE = 4 * MiB;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'jss-redis-ha-'));
    set = RedisSentinelSet.start(dir, 7141);
    inst = await Installation.start({ planner: 1, provisioner: 1, rehydrator: 1, janitor: 1 }, { ...set.env, JSS_STORE_MBPS: '4' });
  });
  afterAll(async () => {
    try {
      await inst?.stop();
    } finally {
      set?.stop();
      if (!process.env.KEEP_TEST_DATA) rmSync(dir, { recursive: true, force: true });
    }
  });

  async function writeDomain(domain: string, seed: number): Promise<void> {
    await inst.writer.writePoint(domain, [{ name: `${domain}-vm`, source: { sizeBytes: SIZE, seed } }]);
  }

  /** Kills the primary, waits for the promotion, brings the old primary back as a replica. */
  async function failOverRedis(): Promise<void> {
    const killed = await set.killPrimary();
    await set.restartAsReplica(killed);
  }

  /** Each command ended once with its own one task, completed, with the point's disk, and nothing temporary is left. */
  async function expectRecovered(commands: { id: string; domain: string; seed: number }[]): Promise<void> {
    for (const c of commands) {
      const end = await inst.events.waitFor(c.id, ['task.completed', 'task.failed', 'task.cancelled', 'command.rejected'], 180_000);
      expect(`${end.key} ${String(end.event.data.reason ?? '')} ${String(end.event.data.message ?? '')}`.trim()).toBe('task.completed');
      const ends = inst.events
        .of(c.id)
        .filter((r) => ['task.completed', 'task.failed', 'task.cancelled', 'command.rejected'].includes(r.key));
      expect(ends).toHaveLength(1);
      expect(new Set(inst.events.of(c.id, 'task.accepted').map((r) => r.event.data.taskId)).size).toBe(1);
      const vm = (await inst.platform.getVm('recovery', `${c.domain}-vm`))!;
      expect(await diskHashes(inst.platform, vm)).toEqual([generatedHash(SIZE, c.seed, `${c.domain}-vm`)]);
    }
    const tasks = await inst.tasks.list(1000);
    expect(tasks.filter((t) => commands.some((c) => c.id === t.commandId))).toHaveLength(commands.length);
    expect((await inst.platform.listVms()).filter((v) => v.name.startsWith('jss-'))).toEqual([]);
  }

  it('(1) in the middle of a failover’s rehydration', async () => {
    await writeDomain('ha-mid', 1);
    const id = await inst.publish('failover', { domain: 'ha-mid' });
    await inst.events.waitForBytes(id, 60_000);
    await failOverRedis();
    await expectRecovered([{ id, domain: 'ha-mid', seed: 1 }]);
  });

  it('(2) right after a command is accepted', async () => {
    await writeDomain('ha-acc', 2);
    const id = await inst.publish('failover', { domain: 'ha-acc' });
    await inst.events.waitFor(id, ['task.accepted']);
    await failOverRedis();
    await expectRecovered([{ id, domain: 'ha-acc', seed: 2 }]);
  });

  /** A failover of the domain whose one provisioner stopped itself right after taking the RocVA lock (SIGCONT goes on). */
  async function failoverStoppedAtLock(domain: string) {
    await inst.stopServices('provisioner');
    await inst.add({ provisioner: 1 }, { JSS_TEST_STOP_AT: 'rocva-locked' });
    const holder = inst.services.at(-1)!;
    const id = await inst.publish('failover', { domain });
    // the provisioner stopped itself holding the lock and its token (state T in /proc)
    await waitUntil('the provisioner stopped with the lock', () =>
      /^\S+ \(.*\) T/.test(readFileSync(`/proc/${holder.child.pid}/stat`, 'utf8')),
    );
    return { id, holder };
  }

  it('(3) right after a RocVA lock is taken: the fencing counter does not go back, one RocVA', async () => {
    await writeDomain('ha-lock', 3);
    const { id, holder } = await failoverStoppedAtLock('ha-lock');
    const fence = Number(await inst.redis.get('fence:rocva:recovery/ha-lock'));
    expect(fence).toBeGreaterThan(0);
    await failOverRedis();
    expect(Number(await inst.redis.get('fence:rocva:recovery/ha-lock'))).toBeGreaterThanOrEqual(fence);
    holder.child.kill('SIGCONT');
    await expectRecovered([{ id, domain: 'ha-lock', seed: 3 }]);
    expect(Number(await inst.redis.get('fence:rocva:recovery/ha-lock'))).toBeGreaterThanOrEqual(fence);
  });

  it('(4) while 20 commands are in flight', async () => {
    const commands = [];
    for (let i = 0; i < 20; i++) {
      const domain = `ha-many-${i}`;
      await writeDomain(domain, 100 + i);
      commands.push({ domain, seed: 100 + i, id: '' });
    }
    for (const c of commands) c.id = await inst.publish('failover', { domain: c.domain });
    await inst.events.waitFor(commands[0].id, ['task.accepted']);
    await failOverRedis();
    await expectRecovered(commands);
  });

  /** The most runs in hand any service logged for one message while a store was away. */
  function mostOutageAttempts(): number {
    const logs = path.join(inst.dataDir, 'logs');
    let most = 0;
    for (const file of readdirSync(logs)) {
      for (const line of readFileSync(path.join(logs, file), 'utf8').split('\n')) {
        if (!line.includes('a store is away')) continue;
        most = Math.max(most, Number((JSON.parse(line) as { attempt?: number }).attempt ?? 0));
      }
    }
    return most;
  }

  it('(5) with no replica left for longer than a message may be delivered: tasks wait, then complete', async () => {
    await writeDomain('ha-alone', 5);
    const { id, holder } = await failoverStoppedAtLock('ha-alone');
    const replicas = await set.killReplicas(); // the primary refuses every write now (NOREPLICAS)
    holder.child.kill('SIGCONT'); // its next write is refused
    // requeued, a message failing all along would have been dead-lettered after deliveryLimit runs
    await waitUntil(
      'a message run again in hand past the delivery limit',
      () => mostOutageAttempts() > TIMING.message.deliveryLimit,
      120_000,
    );
    for (const node of replicas) await set.restartAsReplica(node);
    await expectRecovered([{ id, domain: 'ha-alone', seed: 5 }]);
  }, 300_000);
});

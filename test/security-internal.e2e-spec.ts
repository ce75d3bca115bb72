import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import amqplib from 'amqplib';
import { Installation, MiB, Recorded, recoveryVm, sha256File, waitUntil } from '@jss/testing';
import { DEAD_LETTER_REASON_HEADER, EXCHANGES, cloudEvent } from '@jss/contract';
import { Task } from '@jss/tasks';

const tag = randomUUID().slice(0, 6);
const END = ['task.completed', 'task.failed', 'task.cancelled', 'command.rejected', 'task.planned', 'task.ready'];

/** Messages forged on jss.internal (a broker user that may write it could forge anything): each checked against its task record, dead-lettered with the reason. */
describe('security: nothing trusts an internal message', () => {
  let inst: Installation;
  const run = async (op: Parameters<Installation['publish']>[0], data: unknown): Promise<Recorded> =>
    inst.events.waitFor(await inst.publish(op, data), END);
  let dlx: amqplib.ChannelModel;
  const dead: Array<{ key: string; reason: string }> = [];
  let task: Task;
  let victim: string;
  let victimHash: string;

  beforeAll(async () => {
    // the shipped broker users: the services' own (jss) may write jss.internal, so the forger is as strong as they are
    inst = await Installation.start(undefined, {}, { brokerUsers: 'shipped' });
    inst.expectParkedDeadLetters(); // forged messages, dead-lettered and parked on purpose
    await inst.writer.writePoint('crm', [{ name: 'app', source: { sizeBytes: 2 * MiB, seed: 3 } }]);
    // a production VM the system did not create: what forged messages aim at
    await recoveryVm(inst.platform, 'billing', { powerOn: true });
    dlx = await amqplib.connect(inst.env.AMQP_URL!);
    const ch = await dlx.createChannel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    await ch.bindQueue(queue, EXCHANGES.deadLetter, '#');
    await ch.consume(
      queue,
      (m) => m && dead.push({ key: m.fields.routingKey, reason: String(m.properties.headers?.[DEAD_LETTER_REASON_HEADER]) }),
      {
        noAck: true,
      },
    );
    const ready = await run('test-failover', { domain: 'crm' });
    expect(ready.key).toBe('task.ready');
    task = (await inst.tasks.get(ready.event.subject!))!;
    victim = path.join(path.dirname(inst.dataDir), `jss-victim-${tag}`, 'v', 'victim.img');
    await mkdir(path.dirname(victim), { recursive: true });
    await writeFile(victim, Buffer.alloc(MiB, 7));
    victimHash = await sha256File(victim);
  });
  afterAll(async () => {
    await dlx?.close();
    await inst?.stop();
    await rm(path.dirname(path.dirname(victim)), { recursive: true, force: true });
  });

  const forge = (key: string, data: object) =>
    inst.bus.publish(EXCHANGES.internal, key, cloudEvent({ type: `io.jss.internal.${key}`, source: '/forger', subject: task.id, data }));
  const deadLettered = async (key: string, reason: RegExp) => {
    await waitUntil(`${key} dead-lettered`, () => dead.some((d) => d.key === key && reason.test(d.reason)), 30_000);
    expect(dead.filter((d) => d.key === key).map((d) => d.reason)).toContainEqual(expect.stringMatching(reason));
  };
  const unchanged = async () => {
    const now = (await inst.tasks.get(task.id))!;
    expect(now.state).toBe('testing');
    expect(await inst.tasks.doneCount(task.id)).toBe(task.jobCount);
    const tvm = (await inst.platform.getVm('recovery', task.layout![0].temp))!;
    expect(tvm.powerState).toBe('poweredOn');
    expect(await sha256File(victim)).toBe(victimHash);
    expect((await inst.platform.getVm('recovery', 'billing'))?.powerState).toBe('poweredOn');
  };
  const cause = () => ({ taskId: task.id, commandId: task.commandId });

  it('a range job into a disk outside the data folder, or of a foreign VM, writes nothing', async () => {
    const job = task.jobs![0];
    const root = path.join(path.resolve(inst.dataDir), 'datastores');
    const escaping = `[${path.relative(root, path.dirname(path.dirname(victim)))}] v/victim.img`;
    const range = { ...cause(), ...job, domain: task.domain, pointId: task.point.id, previousPointId: null };
    await forge('rehydrate.range', { ...range, diskPath: escaping });
    await deadLettered('rehydrate.range', /diskPath is not a disk of the task/);
    const billing = (await inst.platform.getVm('recovery', 'billing'))!;
    await forge('rehydrate.range', { ...range, diskPath: billing.disks[0].path });
    await forge('rehydrate.range', { ...range, diskPath: task.layout![0].disks[0].path, jobId: `${task.point.id}/app/0/999999` });
    await deadLettered('rehydrate.range', /is not one of the task's/);
    expect(dead.filter((d) => d.key === 'rehydrate.range')).toHaveLength(3);
    await unchanged();
  });

  it('a power-off of VMs that are not the task planned source VMs powers nothing off', async () => {
    await forge('provision.power-off', { ...cause(), site: 'recovery', vms: ['billing', task.layout![0].temp] });
    await deadLettered('provision.power-off', /not a planned failover/);
    await unchanged();
  });

  it('a range-done with an invented job id finishes nothing', async () => {
    const done = { bytesDone: MiB, bytesRead: 0, blocksRead: 0, blocksZero: 0, blocksUnchanged: 0, startedAt: new Date().toISOString() };
    await forge('reply.range-done', { ...cause(), jobId: `${task.point.id}/app/0/424242`, ...done });
    await deadLettered('reply.range-done', /is not one of the task's/);
    await unchanged();
  });

  it('a finalize or release that is not the task replaces or deletes nothing', async () => {
    const vm = { vm: 'app', temp: task.layout![0].temp, name: 'billing', network: 'recovery-net', ip: 'dhcp', replace: true, disks: [] };
    const finalize = { ...cause(), kind: 'rvm', domain: 'crm', site: 'recovery', cluster: 'recovery-cluster', datastore: 'recovery-ds' };
    await forge('provision.finalize', { ...finalize, vms: [vm], bootOrder: [], powerOff: null });
    await deadLettered('provision.finalize', /kind is not the task's/);
    await forge('janitor.release', { ...cause(), domain: 'crm', site: 'recovery', removeRecovered: true, powerOn: null });
    await deadLettered('janitor.release', /the task is testing, not ending/);
    await unchanged();
    expect((await inst.platform.getVm('recovery', 'billing'))?.owner).toBeNull();
  });

  it('the task still ends normally', async () => {
    const id = await inst.publish('test-cleanup', { taskId: task.id });
    expect((await inst.events.waitFor(task.commandId, ['task.completed', 'task.failed'])).key).toBe('task.completed');
    expect(inst.events.of(id, 'command.rejected')).toEqual([]);
  });
});

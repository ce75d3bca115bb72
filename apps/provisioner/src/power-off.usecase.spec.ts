import { Messenger } from '@jss/bus';
import { Platform } from '@jss/platform';
import { Task, TaskRecords, TaskStore } from '@jss/tasks';
import { RecordingPublisher, manifestOf, partial, taskOf } from '@jss/testing';
import { PowerOffUseCase } from './power-off.usecase';

/** provision.power-off (test/planned-failback.e2e-spec.ts runs it against the simulated vCenter). */
describe('PowerOffUseCase', () => {
  const base = taskOf('planned-failover', manifestOf('shop', { db: 4096, app: 4096 }), { state: 'quiescing' });
  const task = { ...base, spec: { ...base.spec, planned: { site: 'primary', vms: ['db', 'app'], timeoutSeconds: 60 } } };
  const off: string[] = [];
  const published = new RecordingPublisher();
  const store = partial<TaskStore>({ get: async () => task });
  store.fields = async (_id, ...keys) => Object.fromEntries(keys.map((k) => [k, task[k]])) as Pick<Task, (typeof keys)[number]>;
  const records = new TaskRecords(store);
  const useCase = new PowerOffUseCase(
    partial<Messenger>(published),
    records,
    partial<Platform>({ powerOff: async (site: string, vm: string) => void off.push(`${site}/${vm}`) }),
  );
  const work = { taskId: task.id, commandId: task.commandId, site: 'primary', vms: ['db', 'app'] };

  it('powers the task’s source VMs off, then says when', async () => {
    await useCase.execute(work);
    expect(off.sort()).toEqual(['primary/app', 'primary/db']);
    expect(published.take()).toMatchObject([{ key: 'reply.powered-off', data: { taskId: task.id, at: expect.any(String) } }]);
  });

  it('refuses work that names VMs or a site that are not the task’s (dead-lettered), powering nothing off', async () => {
    off.length = 0;
    await expect(useCase.execute({ ...work, vms: ['db', 'ledger'] })).rejects.toThrow(/does not match task/);
    await expect(useCase.execute({ ...work, site: 'recovery' })).rejects.toThrow(/does not match task/);
    expect(off).toEqual([]);
    expect(published.take()).toEqual([]);
  });
});

import { Inject, Injectable } from '@nestjs/common';
import { Messenger } from '@jss/bus';
import { EVENTS, FinalizeWork, REASONS, REPLIES, ReasonedError } from '@jss/contract';
import { PLATFORM } from '@jss/infra';
import { Platform, VmInfo } from '@jss/platform';

/**
 * provision.finalize: each recovered VM is created under its own name from its RVM's rehydrated
 * disks (adopted, not copied) and powered on.
 */
@Injectable()
export class FinalizeHandler {
  constructor(
    private readonly messenger: Messenger,
    @Inject(PLATFORM) private readonly platform: Platform,
  ) {}

  async execute(work: FinalizeWork, traceparent?: string): Promise<void> {
    const cause = { taskId: work.taskId, commandId: work.commandId, traceparent };
    const recovered: VmInfo[] = [];
    for (const vm of work.vms) {
      const existing = await this.platform.getVm(work.site, vm.name);
      if (existing && existing.owner?.taskId !== work.taskId) {
        throw new ReasonedError(REASONS.vmExists, `a VM named "${vm.name}" already exists at site "${work.site}"`);
      }
      const made =
        existing ??
        (await this.platform.createVm({
          name: vm.name,
          site: work.site,
          cluster: work.cluster,
          datastore: work.datastore,
          nics: [{ network: vm.network, ip: vm.ip }],
          disks: vm.disks.map((adopt) => ({ adopt })),
          owner: { taskId: work.taskId, kind: 'recovered', domain: work.domain },
          powerOn: true,
        }));
      if (!existing) {
        await this.messenger.event(EVENTS.vmCreated, cause, {
          ...cause,
          name: made.name,
          kind: 'recovered',
          site: made.site,
          domain: work.domain,
          ip: made.nics[0]?.ip ?? null,
        });
      }
      recovered.push(made);
    }
    await this.messenger.send(
      REPLIES.finalized,
      { taskId: work.taskId, commandId: work.commandId, vms: recovered.map((v) => ({ name: v.name, site: v.site, ip: v.nics[0]?.ip ?? null })) },
      traceparent,
    );
  }
}

import { AmqpContext, MessageController, OnWork } from '@jss/bus';
import { FinalizeWork, PowerOffWork, PrepareWork, WORK } from '@jss/contract';
import { WorkRunner } from '@jss/workers';
import { FinalizeUseCase } from './finalize.usecase';
import { PowerOffUseCase } from './power-off.usecase';
import { PrepareUseCase } from './prepare.usecase';

/** jss.provisioner.work: the temporaries, the final VMs, a planned failover's source VMs. */
@MessageController()
export class WorkController {
  constructor(
    private readonly runner: WorkRunner,
    private readonly prepare: PrepareUseCase,
    private readonly finalize: FinalizeUseCase,
    private readonly powerOff: PowerOffUseCase,
  ) {}

  @OnWork(WORK.prepare)
  onPrepare(work: PrepareWork, ctx: AmqpContext) {
    return this.runner.run('prepare', work, ctx.traceparent, () => this.prepare.execute(work, ctx.traceparent));
  }

  @OnWork(WORK.finalize)
  onFinalize(work: FinalizeWork, ctx: AmqpContext) {
    return this.runner.run('finalize', work, ctx.traceparent, () => this.finalize.execute(work, ctx.traceparent));
  }

  @OnWork(WORK.powerOff)
  onPowerOff(work: PowerOffWork, ctx: AmqpContext) {
    return this.runner.run('power-off', work, ctx.traceparent, () => this.powerOff.execute(work, ctx.traceparent));
  }
}

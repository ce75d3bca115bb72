import { AmqpContext, MessageController, OnWork } from '@jss/bus';
import { ReplicateWork, WORK } from '@jss/contract';
import { WorkRunner } from '@jss/workers';
import { ReplicateUseCase } from './replicate.usecase';

/** jss.replicator.work: replicate.request, run by the WorkRunner. */
@MessageController()
export class WorkController {
  constructor(
    private readonly runner: WorkRunner,
    private readonly replicate: ReplicateUseCase,
  ) {}

  @OnWork(WORK.replicate)
  onReplicate(work: ReplicateWork, ctx: AmqpContext) {
    return this.runner.run('replicate', work, ctx.traceparent, () => this.replicate.execute(work, ctx.traceparent));
  }
}

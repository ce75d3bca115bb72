import { AmqpContext, MessageController, OnWork } from '@jss/bus';
import { RangeJob, WORK } from '@jss/contract';
import { WorkRunner } from '@jss/workers';
import { RangeUseCase } from './range.usecase';

/** jss.rehydrator.jobs: competing consumers, REHYDRATOR_JOBS range jobs at a time per process (and one at hand), so idle workers get the rest. */
@MessageController()
export class JobsController {
  constructor(
    private readonly runner: WorkRunner,
    private readonly range: RangeUseCase,
  ) {}

  @OnWork(WORK.range)
  onRange(job: RangeJob, ctx: AmqpContext) {
    return this.runner.run('rehydrate', job, ctx.traceparent, () => this.range.execute(job, ctx.traceparent));
  }
}

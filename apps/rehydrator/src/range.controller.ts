import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { AmqpContext, MessageController } from '@jss/bus';
import { RangeJob, WORK } from '@jss/contract';
import { StepRunner } from '@jss/workers';
import { RangeUseCase } from './range.usecase';

/** jss.rehydrator.jobs: competing consumers, REHYDRATOR_JOBS range jobs at a time per process, so idle workers get the rest. */
@MessageController()
export class RangeController {
  constructor(
    private readonly steps: StepRunner,
    private readonly range: RangeUseCase,
  ) {}

  @EventPattern(WORK.range.key)
  onRange(@Payload() job: RangeJob, @Ctx() ctx: AmqpContext) {
    return this.steps.run('rehydrate', job, ctx.traceparent, () => this.range.execute(job, ctx.traceparent));
  }
}

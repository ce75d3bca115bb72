import { AmqpContext, MessageController, OnWork } from '@jss/bus';
import { ReleaseWork, WORK } from '@jss/contract';
import { ReleaseUseCase } from './release.usecase';

/** jss.janitor.work: a task ended (or is ending); its temporaries go. Runs for ended tasks too: that is its job. */
@MessageController()
export class WorkController {
  constructor(private readonly release: ReleaseUseCase) {}

  @OnWork(WORK.release)
  onRelease(work: ReleaseWork, ctx: AmqpContext) {
    return this.release.execute(work, ctx.traceparent);
  }
}

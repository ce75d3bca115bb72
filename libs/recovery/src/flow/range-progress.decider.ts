import { RangeProgress } from '@jss/contract';
import { Decider } from './decision';
import { jobReportDecision } from './range-progress';

/** A running range job's bytes: recorded, and progress (throttled; at once when that ends a stall). */
export const decideRangeProgress: Decider<RangeProgress> = (ctx, msg) => jobReportDecision(ctx, { ...msg, finished: false });

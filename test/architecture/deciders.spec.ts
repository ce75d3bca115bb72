import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const FLOW = path.resolve(__dirname, '..', '..', 'libs/recovery/src/flow');
const files = readdirSync(FLOW).filter((f) => f.endsWith('.ts'));

/** The task flow's deciders only decide (TaskFlow carries their decisions out), and each has a unit spec. */
describe('deciders (libs/recovery/src/flow)', () => {
  it('every decider has a unit spec beside it', () => {
    const deciders = files.filter((f) => f.endsWith('.decider.ts'));
    expect(deciders.length).toBeGreaterThan(10);
    expect(deciders.filter((f) => !files.includes(f.replace(/\.ts$/, '.spec.ts')))).toEqual([]);
  });

  it('only TaskFlow and the task monitor hold the task store (or Redis): the rest reads through FlowContext', () => {
    const holders = files.filter(
      (f) => !f.endsWith('.spec.ts') && /\bTaskStore\b|ioredis|@jss\/redis/.test(readFileSync(path.join(FLOW, f), 'utf8')),
    );
    expect(holders.sort()).toEqual(['task-flow.ts', 'task-monitor.ts']);
  });
});

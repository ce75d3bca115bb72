import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PLAN_STEP_KINDS, WRITTEN_STEP_KINDS } from '@jss/contract';
import { STEP_SCHEMAS } from '@jss/recovery-plans';

const PLANS = readFileSync(path.resolve(__dirname, '..', '..', 'docs', 'recovery-plans.md'), 'utf8');

/** The plan-step kinds derive from the contract's list; the table of steps in docs/recovery-plans.md too. */
describe('plan-step kinds (libs/contract/src/plan-steps.ts)', () => {
  it('the document schema takes exactly the written kinds; power-on is the group itself', () => {
    expect(Object.keys(STEP_SCHEMAS)).toEqual(WRITTEN_STEP_KINDS);
    expect(PLAN_STEP_KINDS.filter((k) => !WRITTEN_STEP_KINDS.includes(k as never))).toEqual(['power-on']);
  });

  it("the table of steps in docs/recovery-plans.md has one row per written kind, in the list's order", () => {
    const table = PLANS.slice(PLANS.indexOf('| step '), PLANS.indexOf("The webhook's body"));
    const rows = [...table.matchAll(/^\| `([a-z-]+):/gm)].map((m) => m[1]);
    expect(rows).toEqual(WRITTEN_STEP_KINDS);
    expect(PLANS).toContain('`kind: power-on`, `phase: boot`');
  });
});

import { Turns } from './turns';

/** Whether `p` has settled once everything already queued has run (a turn of the event loop, no timer). */
async function settledNow(p: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void p.then(() => (settled = true));
  await new Promise(setImmediate);
  return settled;
}

describe('Turns', () => {
  it('gives `size` turns at once, the next in order of asking as each is given back', async () => {
    const turns = new Turns(2);
    const first = await turns.take();
    await turns.take();
    const third = turns.take();
    const fourth = turns.take();
    expect(await settledNow(third)).toBe(false);
    first();
    expect(await settledNow(third)).toBe(true);
    expect(await settledNow(fourth)).toBe(false);
  });

  it('a turn given back twice frees one turn, not two', async () => {
    const turns = new Turns(1);
    const release = await turns.take();
    const second = turns.take();
    const third = turns.take();
    release();
    release();
    expect(await settledNow(second)).toBe(true);
    expect(await settledNow(third)).toBe(false);
  });
});

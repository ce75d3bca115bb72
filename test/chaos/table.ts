// The chaos run's table: what became of every command, and the verdict.
import type { CloudEvent } from '@jss/contract';
import type { EventObserver } from './support';

export interface Sent {
  id: string;
  op: string;
  data: Record<string, unknown>;
}

export interface RunFacts {
  seed: number;
  sent: Sent[];
  byCommand: ReadonlyMap<string, ReadonlySet<string>>;
  answered(id: string): boolean;
  isControl(s: Sent): boolean;
  reasonOf(commandId: string, key: string): string;
  burst: { answered: number; of: number };
  /** tasks still live in Redis */
  live: number;
  temporaries: number;
  rocvasAtOnce: number;
  wrongDisks: number;
  plannerRssMiB: number;
}

/** The rows of the table, the completed (or cancelled as asked) share of the accepted, and what failed the run. */
export function tableOf(f: RunFacts) {
  const counts = new Map<string, number>();
  const inc = (k: string) => counts.set(k, (counts.get(k) ?? 0) + 1);
  let lost = 0;
  let notEnded = 0;
  let accepted = 0;
  let completed = 0;
  let cancelled = 0;
  let lateConflicts = 0;
  for (const s of f.sent) {
    const keys = f.byCommand.get(s.id) ?? new Set();
    if (f.isControl(s)) {
      if (keys.has('command.rejected')) inc(`rejected ${f.reasonOf(s.id, 'command.rejected')}`);
      continue; // control commands: answered by their target task's end
    }
    if (!f.answered(s.id)) {
      lost++;
      continue;
    }
    if (keys.has('command.rejected')) inc(`rejected ${f.reasonOf(s.id, 'command.rejected')}`);
    if (keys.has('task.planned')) inc('dry runs answered');
    if (!keys.has('task.accepted')) continue;
    accepted++;
    if (keys.has('task.completed')) {
      completed++;
      inc(`completed ${s.op}`);
    } else if (keys.has('task.cancelled')) cancelled++;
    else if (keys.has('task.failed')) {
      const reason = f.reasonOf(s.id, 'task.failed');
      inc(`failed ${reason}`);
      if (reason === 'vm-exists' || reason === 'vm-busy') lateConflicts++;
    } else notEnded++;
  }
  const rows: Array<[string, string | number]> = [
    ['seed', f.seed],
    ['commands', f.sent.length],
    ['burst answered', `${f.burst.answered}/${f.burst.of}`],
    ['accepted', accepted],
    ['completed', completed],
    ['cancelled (by a cancel command)', cancelled],
    ...[...counts.entries()].sort().map(([k, v]) => [k, v] as [string, number]),
    ['lost', lost],
    ['tasks not ended', `${notEnded} (live in Redis: ${f.live})`],
    ['temporaries left', f.temporaries],
    ['most RocVAs of one domain at once', f.rocvasAtOnce],
    ['disks not byte-identical', f.wrongDisks],
    ['late name conflicts', lateConflicts],
    ['planner RSS peak', `${f.plannerRssMiB.toFixed(0)} MiB`],
  ];
  const ratio = accepted ? (completed + cancelled) / accepted : 1;
  const failures = [
    lost > 0 && `${lost} command(s) lost`,
    (notEnded > 0 || f.live > 0) && 'tasks not ended',
    f.temporaries > 0 && 'temporaries left',
    f.rocvasAtOnce > 1 && 'a second RocVA of a domain',
    f.wrongDisks > 0 && 'wrong disks',
    lateConflicts > 0 && 'late name conflicts',
    f.burst.answered < f.burst.of && 'burst not all answered',
    ratio < 0.9 && 'fewer than 90% of accepted commands completed',
    // a run where nothing got through proves nothing (e.g. every command refused)
    accepted < 20 && `only ${accepted} commands accepted`,
  ].filter(Boolean);
  return { rows, ratio, failures };
}

/** cancel, test-cleanup and a cut-over act on a task: answered by its end (or a refusal), not by a task of their own. */
export function isControl(s: Sent): boolean {
  return s.op === 'cancel' || s.op === 'test-cleanup' || (s.op === 'failover' && s.data.taskId !== undefined);
}

export function reasonOf(observer: EventObserver, commandId: string, key: string): string {
  const hit = observer.events.find((e) => e.key === key && e.event.data?.commandId === commandId);
  return String((hit?.event as CloudEvent<Record<string, unknown>> | undefined)?.data?.reason ?? '?');
}

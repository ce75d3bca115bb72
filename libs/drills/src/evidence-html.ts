import { Evidence } from '@jss/contract';

// The evidence report as a page a person (an auditor) opens: one self-contained HTML file, its
// styles inline, no script, no external asset, every value escaped.

const escape = (v: unknown) =>
  String(v ?? '–').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const seconds = (s: number | null) => (s === null ? '–' : `${s.toFixed(1)} s`);
const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:70em;color:#222}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em}table{border-collapse:collapse;width:100%}
th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}th{background:#f3f3f3}
.passed{color:#11652b}.failed{color:#a4161a}.outcome{font-weight:bold;text-transform:uppercase}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em}dt{font-weight:bold}dd{margin:0}
code{font-family:ui-monospace,monospace;word-break:break-all}`;

function table(cls: string, head: string[], rows: Array<{ attrs: string; cells: unknown[] }>): string {
  const body = rows.length
    ? rows.map((r) => `<tr class="${cls}"${r.attrs}>${r.cells.map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`).join('\n')
    : `<tr><td colspan="${head.length}">none</td></tr>`;
  return `<table><thead><tr>${head.map((h) => `<th>${escape(h)}</th>`).join('')}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

export function evidenceHtml(e: Evidence): string {
  const fields: Array<[string, unknown]> = [
    ['Domain', e.domain],
    ['Outcome', e.outcome],
    ['Reason', e.reason ? `${e.reason}: ${e.message}` : null],
    ['Recovery point', e.recoveryPoint ? `${e.recoveryPoint.id} (${e.recoveryPoint.time})` : null],
    [
      'Scan verdict',
      e.recoveryPoint?.verdict ? `${e.recoveryPoint.verdict}${e.recoveryPoint.message ? `: ${e.recoveryPoint.message}` : ''}` : null,
    ],
    ['Scheduled by', `${e.schedule.scheduledBy}, every ${e.schedule.every}, since ${e.schedule.scheduledAt}`],
    ['Due', e.schedule.dueAt],
    ['Started / ended', `${e.startedAt} / ${e.endedAt}`],
    ['Task', e.taskId],
    ['Target', e.target ? `${e.target.site} / ${e.target.cluster} / ${e.target.datastore} / ${e.target.network}` : null],
    [
      'RTO',
      `${seconds(e.rto.seconds)}; objective ${e.rto.objectiveSeconds === null ? 'none set' : `${e.rto.objectiveSeconds} s (from the ${e.rto.objectiveFrom})`}${e.rto.met === null ? '' : e.rto.met ? ': met' : ': missed'}`,
    ],
    ['Bytes', `${mib(e.bytes.total)} of disks, ${mib(e.bytes.read)} read from the object store`],
  ];
  const vms = table(
    'vm',
    ['VM', 'Test VM', 'Site', 'Address', 'Created', 'Rehydrated', 'Powered on', 'Check passed', 'Check', 'Bytes'],
    e.vms.map((v) => ({
      attrs: ` data-vm="${escape(v.vm)}" data-check="${v.checkPassedAt ? 'passed' : 'failed'}"`,
      cells: [v.vm, v.name, v.site, v.ip, v.createdAt, v.rehydratedAt, v.poweredOnAt, v.checkPassedAt, v.check, mib(v.bytes)],
    })),
  );
  const steps = table(
    'step',
    ['Step', 'Kind', 'Status', 'Started', 'Ended', 'Note'],
    e.steps.map((st) => ({
      attrs: ` data-step="${escape(st.stepId)}" data-status="${st.status}"`,
      cells: [
        st.stepId,
        st.kind,
        st.status,
        st.startedAt,
        st.endedAt,
        [st.timedOut && 'timed out', st.continued && 'failure let through', st.message].filter(Boolean).join('; '),
      ],
    })),
  );
  const removed = table(
    'removed',
    ['Name', 'Kind', 'Site', 'Gone at'],
    e.removed.map((r) => ({
      attrs: ` data-gone="${r.goneAt ? 'yes' : 'no'}"`,
      cells: [r.name, r.kind, r.site, r.goneAt ?? 'STILL PRESENT'],
    })),
  );
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Drill ${escape(e.id)}: ${escape(e.outcome)}</title><style>${STYLE}</style></head>
<body>
<h1>Disaster-recovery drill <code>${escape(e.id)}</code>: <span class="outcome ${e.outcome}" id="outcome">${escape(e.outcome)}</span></h1>
<dl>${fields.map(([k, v]) => `<dt>${escape(k)}</dt><dd>${escape(v)}</dd>`).join('')}</dl>
<h2>Virtual machines</h2>
${vms}
<h2>Steps</h2>
${steps}
<h2>Removed at the end</h2>
${removed}
<h2>Integrity</h2>
<p>SHA-256 of the canonical JSON of <code>${escape(e.domain)}/drills/${escape(e.id)}.json</code> without its <code>sha256</code> field
(keys sorted, no whitespace, UTF-8): <code id="sha256">${escape(e.sha256)}</code>. Check it with <code>jssctl drills verify ${escape(e.id)}</code>.</p>
</body></html>
`;
}

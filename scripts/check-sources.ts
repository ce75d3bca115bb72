// What `npm run lint` checks besides tsc and prettier (issue 36):
//  - no source file over MAX_LINES lines;
//  - no fixed sleep (`sleep(`, `setTimeout`) in the tests (test/, *.spec.ts): a test waits on what it
//    means — an event, a state (waitUntil, EventLog.waitFor) — unless the pause is the fault under
//    test, and a comment on the line (or the line above) says so: `timed on purpose: <why>`;
//  - jssctl prints through its output functions only (apps/jssctl/src/output.ts), which neutralise
//    control characters: no console.log / console.error / stdout.write with text elsewhere in it.
// Prints each offence as file:line and exits 1 when there is one.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const MAX_LINES = 300;
const SOURCE = /\.(ts|js|mjs|cjs|go|sh|py)$/;
const TEST = /^test\/|\.(spec|e2e-spec)\.ts$/;
const PAUSE = /\bsleep\(|\bsetTimeout\b/;
const ON_PURPOSE = /timed on purpose: \S/;
const RAW_OUTPUT = /\bconsole\.(log|error|warn|info)\(|\.(stdout|stderr)\.write\((?!'')/;
const CLI_OUTPUT = 'apps/jssctl/src/output.ts';

const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { encoding: 'utf8' })
  .split('\n')
  .filter((f) => SOURCE.test(f) && !f.startsWith('node_modules/'));

const offences: string[] = [];
let onPurpose = 0;
for (const file of files) {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    continue; // deleted in the work tree, not yet in the index
  }
  const lines = text.split('\n');
  const count = text.endsWith('\n') ? lines.length - 1 : lines.length;
  if (count > MAX_LINES) offences.push(`${file}: ${count} lines (at most ${MAX_LINES}): split it by responsibility`);
  if (file.startsWith('apps/jssctl/') && file !== CLI_OUTPUT && !TEST.test(file)) {
    lines.forEach((line, i) => {
      if (RAW_OUTPUT.test(line)) offences.push(`${file}:${i + 1}: jssctl prints through say() / sayError() / printJson() (${CLI_OUTPUT})`);
    });
  }
  if (!TEST.test(file)) continue;
  lines.forEach((line, i) => {
    if (!PAUSE.test(line) || /^\s*import\b/.test(line)) return;
    if (ON_PURPOSE.test(line) || ON_PURPOSE.test(lines[i - 1] ?? '')) return void onPurpose++;
    offences.push(`${file}:${i + 1}: a fixed pause in a test: wait on an event or a state (waitUntil), or say "timed on purpose: <why>"`);
  });
}

for (const o of offences) console.error(o);
console.log(`check-sources: ${files.length} files, ${onPurpose} pauses timed on purpose, ${offences.length} offences`);
process.exit(offences.length ? 1 : 0);

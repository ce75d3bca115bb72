import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPOSITORY_ROOT } from './installation';

const SCRIPT = path.join(REPOSITORY_ROOT, 'scripts', 'install-chromium.sh');
const BINARIES = ['chromium-headless-shell', 'chromium'];

/** A headless Chromium from Debian's packages, installed when missing (scripts/install-chromium.sh). */
function chromium(): string {
  execFileSync('bash', [SCRIPT], { stdio: 'pipe' });
  const found = BINARIES.find((b) => {
    try {
      execFileSync('sh', ['-c', `command -v ${b}`], { stdio: 'pipe' });
      return true;
    } catch {
      return false;
    }
  });
  if (!found) throw new Error(`none of ${BINARIES.join(', ')} is on the PATH after ${SCRIPT}`);
  return found;
}

/** The DOM of a local HTML file as headless Chromium renders it (`--dump-dom`). */
export function renderedDom(file: string): string {
  // root (CI, these machines) cannot use Chromium's sandbox
  const sandbox = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
  return execFileSync(chromium(), [...sandbox, '--headless', '--disable-gpu', '--dump-dom', pathToFileURL(file).href], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
}

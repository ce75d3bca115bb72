import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPOSITORY_ROOT } from './installation';

const SCRIPT = path.join(REPOSITORY_ROOT, 'scripts', 'install-chromium.sh');
const BINARIES = ['chromium-headless-shell', 'chromium'];
let binary: string | undefined;

/**
 * A headless Chromium from Debian's packages, installed when missing (scripts/install-chromium.sh:
 * apt-get, a minute or two on a new machine, so call it where a test allows for that).
 */
export function ensureChromium(): string {
  if (binary) return binary;
  execFileSync('bash', [SCRIPT], { stdio: 'pipe' });
  binary = BINARIES.find((b) => {
    try {
      execFileSync('sh', ['-c', `command -v ${b}`], { stdio: 'pipe' });
      return true;
    } catch {
      return false;
    }
  });
  if (!binary) throw new Error(`none of ${BINARIES.join(', ')} is on the PATH after ${SCRIPT}`);
  return binary;
}

/** The DOM of a local HTML file as headless Chromium renders it (`--dump-dom`). */
export function renderedDom(file: string): string {
  // root (CI, these machines) cannot use Chromium's sandbox
  const sandbox = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
  return execFileSync(ensureChromium(), [...sandbox, '--headless', '--disable-gpu', '--dump-dom', pathToFileURL(file).href], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
}

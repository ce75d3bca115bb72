import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { Logger } from '@jss/observability';
import { Request, authorize } from './authorize';
import { RoleMap, RoleMapError, parseRoleMap } from './role-map';

/** How often the file is checked for a change (fs.watchFile also sees a file replaced by an editor). */
const WATCH_INTERVAL_MS = 2000;

/**
 * The role map of a service: read and validated at start (a bad file throws, so the service does
 * not start), re-read when the file changes or on SIGHUP; a bad new version is logged and the last
 * good one kept. No file: every authenticated user may do everything (one warning at start).
 */
export class RoleMapSource {
  private map: RoleMap | null;
  private readonly reload = () => this.read('reloaded');

  private constructor(
    private readonly file: string | undefined,
    private readonly log: Logger,
  ) {
    this.map = file ? load(file) : null;
    if (!file) {
      log.warn('JSS_AUTHZ_FILE is not set: every authenticated broker user may run every operation on every domain');
      return;
    }
    log.info({ file, principals: this.map!.size }, 'role map loaded');
    watchFile(file, { interval: WATCH_INTERVAL_MS, persistent: false }, (now, before) => {
      if (now.mtimeMs !== before.mtimeMs || now.size !== before.size) this.reload();
    });
    process.on('SIGHUP', this.reload);
  }

  static open(file: string | undefined, log: Logger): RoleMapSource {
    return new RoleMapSource(file || undefined, log);
  }

  /** null when allowed, else why not. */
  authorize(request: Request): string | null {
    return authorize(this.map, request);
  }

  /** Whether the principal is an admin (admins may replace VMs the system did not recover). */
  isAdmin(principal: string): boolean {
    return !this.map || (this.map.get(principal)?.roles.has('admin') ?? false);
  }

  close(): void {
    if (!this.file) return;
    unwatchFile(this.file);
    process.off('SIGHUP', this.reload);
  }

  private read(what: string): void {
    try {
      this.map = load(this.file!);
      this.log.info({ file: this.file, principals: this.map.size }, `role map ${what}`);
    } catch (err) {
      this.log.error({ file: this.file, err: (err as Error).message }, 'role map not reloaded; the previous one stays in force');
    }
  }
}

function load(file: string): RoleMap {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new RoleMapError(`${file}: cannot be read: ${(err as Error).message}`);
  }
  return parseRoleMap(text, file);
}

/**
 * Where recovery-plan webhooks may go (JSS_WEBHOOK_HOSTS): a webhook is called from the planner's
 * network, so whoever may apply a plan could otherwise make the planner post to any host it can
 * reach (a metadata service, an internal admin port). Entries are host names or addresses
 * (`hooks.example.com`, `10.1.2.3`, `[fd00::1]`), or `*.example.com` for any host under a domain;
 * any port. No list: every host, as before the setting existed.
 */
export class WebhookHosts {
  private constructor(
    private readonly exact: ReadonlySet<string>,
    private readonly suffixes: readonly string[],
    readonly entries: readonly string[],
  ) {}

  /** The list of the setting, or null when it is unset or empty; throws on an entry that is not a host. */
  static parse(setting: string | undefined): WebhookHosts | null {
    const entries = (setting ?? '')
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean);
    if (entries.length === 0) return null;
    const exact = new Set<string>();
    const suffixes: string[] = [];
    for (const entry of entries) {
      const wildcard = entry.startsWith('*.');
      const host = hostOf(wildcard ? entry.slice(2) : entry);
      if (!host || host.includes('*')) {
        throw new Error(`JSS_WEBHOOK_HOSTS: "${entry}" is not a host name, an address or *.domain (no scheme, port or path)`);
      }
      if (wildcard) suffixes.push(`.${host}`);
      else exact.add(host);
    }
    return new WebhookHosts(exact, suffixes, entries);
  }

  /** Whether a webhook may call this URL (its host, compared as the URL parser normalises it). */
  allows(url: string): boolean {
    const host = URL.canParse(url) ? new URL(url).hostname : '';
    return this.exact.has(host) || this.suffixes.some((s) => host.endsWith(s));
  }

  /** The sentence for a refused URL. */
  refusal(url: string): string {
    const host = URL.canParse(url) ? new URL(url).hostname : url;
    return `webhook host "${host}" is not in JSS_WEBHOOK_HOSTS (${this.entries.join(', ')})`;
  }
}

/** The normalised host of an entry, or null when the entry is more (or less) than a host. */
function hostOf(entry: string): string | null {
  if (!URL.canParse(`http://${entry}`)) return null;
  const u = new URL(`http://${entry}`);
  const bare = u.port === '' && u.pathname === '/' && !u.search && !u.hash && !u.username && !u.password;
  return bare && !/[:/?#@]/.test(entry.replace(/^\[.*\]$/, '')) ? u.hostname : null;
}

// Secrets that a URL or a connection string may carry, replaced before anything is printed or logged.
const HIDDEN = '***';

/** `scheme://user:password@` and `scheme://:password@` (password with no user). */
const USERINFO = /([a-z][a-z0-9+.-]*:\/\/[^:@/\s,]*):[^@/\s,]*@/gi;
/** a whole SAS token given as one setting of a connection string (`...;SharedAccessSignature=sv=..&sig=..;`) */
const SAS_SETTING = /(SharedAccessSignature=)[^;\s]*/gi;
/** query-string parameters and connection-string settings that are secrets */
const SECRET_PARAMS = /\b(sig|AccountKey|password|secret|token|access_token|X-Amz-Signature|X-Amz-Credential)=[^&;\s]*/gi;

/**
 * The one redaction of the project: every password of a URL or a comma-separated list of node URLs
 * (with or without a user), and the secrets of a query string or a connection string, are hidden;
 * the rest (scheme, user, hosts, ports, path) is kept so that the message still says where.
 * Works on any text, so a message that quotes a URL can be passed whole.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(USERINFO, `$1:${HIDDEN}@`)
    .replace(SAS_SETTING, `$1${HIDDEN}`)
    .replace(SECRET_PARAMS, (_all, name: string) => `${name}=${HIDDEN}`);
}

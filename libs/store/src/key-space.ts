import { assertObjectKey, assertObjectPrefix } from './object-key';

/** Object keys under a bucket's or container's prefix: checks keys and adds or strips the prefix. */
export class KeySpace {
  private readonly root: string;

  constructor(prefix: string) {
    this.root = prefix ? `${prefix}/` : '';
  }

  key(key: string): string {
    assertObjectKey(key);
    return this.root + key;
  }

  /** A list prefix; a folder prefix must be '' or end with '/'. */
  prefix(prefix: string, folder = false): string {
    assertObjectPrefix(prefix);
    if (folder && prefix !== '' && !prefix.endsWith('/')) throw new Error(`a folder prefix is '' or ends with '/', got "${prefix}"`);
    return this.root + prefix;
  }

  /** The store's key of a full name, or null for one outside the prefix. */
  strip(name: string): string | null {
    return name.startsWith(this.root) ? name.slice(this.root.length) : null;
  }

  /** A delimiter listing's folder ("<root><prefix>name/") → "name". */
  folder(name: string, prefix: string): string {
    return name.slice(this.root.length + prefix.length).replace(/\/$/, '');
  }
}

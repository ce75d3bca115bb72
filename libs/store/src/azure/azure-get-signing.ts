import { ContainerClient, ContainerSASPermissions, generateBlobSASQueryParameters, StorageSharedKeyCredential } from '@azure/storage-blob';
import type { SignedGet } from '../signed-gets';

const HOUR_MS = 3_600_000;
/** A SAS starts a little in the past: the server's clock may be ahead of ours. */
const SKEW_MS = 5 * 60_000;

/**
 * Blob URLs that authorise themselves, for SignedGets: the connection string's own SAS, or, with an
 * account key, a read-only SAS of the container made here with the SDK, valid for an hour and
 * renewed after half of it. Never logged: a SAS is a credential. Undefined for other credentials
 * (every read then goes through the SDK).
 */
export class AzureGetSigning {
  private sas?: { query: string; renewAt: number };

  constructor(private readonly container: ContainerClient) {}

  sign(name: string): SignedGet | undefined {
    const url = this.container.getBlobClient(name).url;
    const credential = this.container.credential;
    if (credential instanceof StorageSharedKeyCredential) return { url: `${url}?${this.query(credential)}`, headers: {} };
    return url.includes('?') ? { url, headers: {} } : undefined;
  }

  private query(credential: StorageSharedKeyCredential): string {
    const now = Date.now();
    if (!this.sas || now >= this.sas.renewAt) {
      const query = generateBlobSASQueryParameters(
        {
          containerName: this.container.containerName,
          permissions: ContainerSASPermissions.parse('r'),
          startsOn: new Date(now - SKEW_MS),
          expiresOn: new Date(now + HOUR_MS),
        },
        credential,
      ).toString();
      this.sas = { query, renewAt: now + HOUR_MS / 2 };
    }
    return this.sas.query;
  }
}

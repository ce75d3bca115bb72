import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SignedGet } from '../signed-gets';

/** Signs GETs of the bucket's keys as the SDK would send them (SignedGets). */
export interface GetSigning {
  sign(name: string): Promise<SignedGet>;
}

const PROBE = 'jss-probe';

/**
 * Where the SDK sends a GetObject and how it signs it — its endpoint rules decide the host, the
 * addressing style and the signing region — read once off a request it builds but never sends.
 * Undefined when the bucket needs another scheme than SigV4 (S3 Express, multi-region access points):
 * every read then goes through the SDK.
 */
export async function getSigning(client: S3Client, bucket: string): Promise<GetSigning | undefined> {
  let built: { request: ProbeRequest; scheme?: AuthScheme } | undefined;
  const command = new GetObjectCommand({ Bucket: bucket, Key: PROBE });
  command.middlewareStack.add(
    (_next, context) => async (args) => {
      const endpoint = context.endpointV2 as { properties?: { authSchemes?: AuthScheme[] } } | undefined;
      built = { request: args.request as ProbeRequest, scheme: endpoint?.properties?.authSchemes?.[0] };
      throw new Error('built, not sent');
    },
    { step: 'build', priority: 'low' },
  );
  await client.send(command).catch(() => undefined);
  if (!built || built.scheme?.name !== 'sigv4' || !built.request.path.endsWith(`/${PROBE}`)) return undefined;
  const { protocol, hostname, port, path } = built.request;
  const folder = path.slice(0, -PROBE.length);
  const host = built.request.headers.host ?? hostname;
  const origin = `${protocol}//${hostname}${port ? `:${port}` : ''}`;
  const signer = new SignatureV4({
    credentials: client.config.credentials,
    region: built.scheme.signingRegion ?? (await client.config.region()),
    service: built.scheme.signingName ?? 's3',
    sha256: client.config.sha256,
    uriEscapePath: false, // S3 signs the path as sent
  });
  return {
    async sign(name) {
      const request = { method: 'GET', protocol, hostname, port, path: folder + encodeKey(name), query: {}, headers: { host } };
      const signed = await signer.sign(request, { signingDate: new Date(Date.now() + client.config.systemClockOffset) });
      const { host: _host, ...headers } = signed.headers;
      return { url: origin + request.path, headers };
    },
  };
}

interface ProbeRequest {
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  headers: Record<string, string>;
}
interface AuthScheme {
  name?: string;
  signingName?: string;
  signingRegion?: string;
}

/** A key in a path as the SDK writes it (a greedy label): each segment URI-encoded, RFC 3986's reserved `!'()*` too. */
function encodeKey(name: string): string {
  return name
    .split('/')
    .map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

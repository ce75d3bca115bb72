import pRetry, { AbortError } from 'p-retry';
import { Agent, fetch } from 'undici';
import { redactSecrets } from '@jss/config';
import { TIMING, retryWithinOptionsOf } from '@jss/contract';
import { MoRef, child, moRef, parseXml, soapRequest, text, type SoapObject, type XmlNode } from './xml';

export interface SoapClientOptions {
  /** the SDK endpoint, e.g. https://vcenter.example/sdk */
  url: string;
  user: string;
  password: string;
  /** accept a certificate that does not verify (self-signed vCenter, vcsim with -tls) */
  insecure?: boolean;
  /** one HTTP request (default TIMING.vcenterCall.timeoutMs) */
  requestTimeoutMs?: number;
  /** how long calls are retried while vCenter does not answer, before they fail (default TIMING.vcenterCall.budgetMs) */
  unreachableMs?: number;
  /** a session is kept alive by a call this often (default TIMING.vcenterCall.keepAliveMs) */
  keepAliveMs?: number;
}

/** A vSphere fault: its type (DuplicateName, NotAuthenticated, ...) and vCenter's message. */
export class VimFault extends Error {
  constructor(
    readonly fault: string,
    message: string,
  ) {
    super(message);
    this.name = 'VimFault';
  }
}

/** vCenter did not answer (connection refused, reset, timed out) for longer than unreachableMs. */
export class VcenterUnreachable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VcenterUnreachable';
  }
}

/** The managers of a vCenter (ServiceInstance.content) this adapter calls. */
export interface ServiceContent {
  rootFolder: MoRef;
  propertyCollector: MoRef;
  viewManager: MoRef;
  sessionManager: MoRef;
  fileManager: MoRef;
  virtualDiskManager: MoRef;
}

const SERVICE_INSTANCE = new MoRef('ServiceInstance', 'ServiceInstance');
const VCENTER = TIMING.vcenterCall;

/**
 * A vim25 SOAP client over fetch: one session (the vmware_soap_session cookie), logged in on first
 * use and again when vCenter says NotAuthenticated (expired or terminated session), kept alive by a
 * periodic call, and calls retried (p-retry) while vCenter does not answer, up to a time budget.
 */
export class SoapClient {
  private cookie: string | null = null;
  private loggingIn: Promise<void> | null = null;
  private contentP: Promise<ServiceContent> | null = null;
  private keepAlive: NodeJS.Timeout | null = null;
  private readonly dispatcher: Agent;
  /** how many times this client logged in: a new session may be to a vCenter that restarted */
  logins = 0;

  constructor(private readonly options: SoapClientOptions) {
    this.dispatcher = new Agent({ connect: { rejectUnauthorized: !options.insecure } });
  }

  content(): Promise<ServiceContent> {
    this.contentP ??= this.post('RetrieveServiceContent', SERVICE_INSTANCE, {}).then(parseContent);
    this.contentP.catch(() => (this.contentP = null));
    return this.contentP;
  }

  /** Calls a method; returns the response element (whose `returnval` children are the result). */
  async call(method: string, self: MoRef, args: SoapObject = {}): Promise<XmlNode> {
    await this.ensureSession();
    const used = this.cookie;
    try {
      return await this.post(method, self, args);
    } catch (err) {
      if (!(err instanceof VimFault && err.fault === 'NotAuthenticated')) throw err;
      this.forgetSession(used);
      await this.ensureSession();
      return this.post(method, self, args);
    }
  }

  /** Forgets the session, so that the next call logs in again (vCenter said it is not authenticated). */
  forgetSession(used: string | null = this.cookie): void {
    // concurrent calls refused with the same old session must not drop the new one
    if (this.cookie === used) this.cookie = null;
  }

  /** Ends the session and the keep-alive timer. */
  async close(): Promise<void> {
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.keepAlive = null;
    if (this.cookie) {
      const { sessionManager } = await this.content();
      await this.post('Logout', sessionManager, {}).catch(() => undefined);
      this.cookie = null;
    }
    await this.dispatcher.close();
  }

  private ensureSession(): Promise<void> {
    if (this.cookie) return Promise.resolve();
    this.loggingIn ??= this.login().finally(() => (this.loggingIn = null));
    return this.loggingIn;
  }

  private async login(): Promise<void> {
    const { sessionManager } = await this.content();
    await this.post('Login', sessionManager, { userName: this.options.user, password: this.options.password });
    this.logins++;
    if (!this.keepAlive) {
      // any call keeps the session alive; a failure here is repaired by the next call's re-login
      this.keepAlive = setInterval(
        () => this.call('CurrentTime', SERVICE_INSTANCE).catch(() => undefined),
        this.options.keepAliveMs ?? VCENTER.keepAliveMs,
      );
      this.keepAlive.unref();
    }
  }

  private async post(method: string, self: MoRef, args: SoapObject): Promise<XmlNode> {
    const body = soapRequest(method, self, args);
    // no answer at all (vCenter restarting, network down): again with backoff, within the budget
    let unanswered: unknown;
    const res = await pRetry(() => this.send(method, body), {
      ...retryWithinOptionsOf(VCENTER.backoff, this.options.unreachableMs ?? VCENTER.budgetMs),
      onFailedAttempt: (err) => void (unanswered = err),
    }).catch((err: unknown) => {
      // past the budget p-retry gives its own timeout error: the call fails with the last no-answer instead
      throw err instanceof VimFault ? err : (unanswered ?? err);
    });
    const cookie = res.headers.get('set-cookie');
    if (cookie) this.cookie = cookie.split(';')[0];
    return parseResponse(method, res.status, await res.text());
  }

  /** One request; no answer is a NoAnswer (retried), a certificate that does not verify is not retried. */
  private async send(method: string, body: string) {
    try {
      return await fetch(this.options.url, {
        method: 'POST',
        dispatcher: this.dispatcher,
        headers: {
          'content-type': 'text/xml; charset=utf-8',
          soapaction: 'urn:vim25/6.5',
          ...(this.cookie ? { cookie: this.cookie } : {}),
        },
        body,
        signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? VCENTER.timeoutMs),
      });
    } catch (err) {
      if (TLS_REFUSED.has(causeCode(err))) {
        throw new AbortError(
          new VimFault(
            'CertificateNotTrusted',
            `the certificate of vCenter at ${redactSecrets(this.options.url)} does not verify (${causeCode(err)}); trust its CA (NODE_EXTRA_CA_CERTS) or set JSS_VSPHERE_INSECURE=true`,
          ),
        );
      }
      // an Error, not fetch's TypeError: p-retry gives up at once on a TypeError
      throw new VcenterUnreachable(`vCenter at ${redactSecrets(this.options.url)} did not answer ${method}: ${describe(err)}`);
    }
  }
}

function parseResponse(method: string, status: number, body: string): XmlNode {
  let envelope: XmlNode;
  try {
    envelope = parseXml(body);
  } catch {
    throw new VimFault('InvalidResponse', `vCenter answered ${method} with HTTP ${status} and no SOAP envelope`);
  }
  const content = child(envelope, 'Body')?.children[0];
  if (!content) throw new VimFault('InvalidResponse', `vCenter answered ${method} with an empty SOAP body (HTTP ${status})`);
  if (content.name === 'Fault') throw soapFault(content);
  return content;
}

/** <Fault><faultstring>..</faultstring><detail><XFault xsi:type="X">..</XFault></detail></Fault>. */
function soapFault(fault: XmlNode): VimFault {
  const detail = child(fault, 'detail')?.children[0];
  // the detail element is <XFault xsi:type="X">; without xsi:type its name says it
  const named = detail?.name.endsWith('Fault') ? detail.name.slice(0, -'Fault'.length) : detail?.name;
  const type = detail?.xsiType ?? named ?? 'SoapFault';
  return new VimFault(type, text(fault, 'faultstring') ?? type);
}

function parseContent(response: XmlNode): ServiceContent {
  const content = child(response, 'returnval');
  const ref = (name: string): MoRef => {
    const found = moRef(child(content, name));
    if (!found) throw new VimFault('InvalidResponse', `vCenter's ServiceContent has no ${name}`);
    return found;
  };
  return {
    rootFolder: ref('rootFolder'),
    propertyCollector: ref('propertyCollector'),
    viewManager: ref('viewManager'),
    sessionManager: ref('sessionManager'),
    fileManager: ref('fileManager'),
    virtualDiskManager: ref('virtualDiskManager'),
  };
}

/** Certificate checks that failed: retrying cannot help. */
const TLS_REFUSED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function causeCode(err: unknown): string {
  return (err as { cause?: { code?: string } }).cause?.code ?? '';
}

function describe(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message ?? String(err);
}

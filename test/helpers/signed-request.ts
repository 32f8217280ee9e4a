// Raw HTTP requests to the simulator, signed by the SDK's own SigV4 signer (@smithy/signature-v4), not by the
// simulator's verifier: tests that hand-craft bodies, headers, dates or secrets go through here, so the verifier is
// checked against an independent implementation.
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { DEFAULT_SECRET_ACCESS_KEY } from '../../sim/state';

/** The Checksum the signer expects, on node:crypto (an HMAC when given a key). */
type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: SourceData): string | Uint8Array => (typeof d === 'string' ? d : ArrayBuffer.isView(d) ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength) : new Uint8Array(d));

class Sha256 {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  private fresh() {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(this.secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

export interface SignedRequestOptions {
  /** awsJson target (X-Amz-Target); absent: an STS awsQuery request. */
  target?: string;
  body: string;
  accessKeyId: string;
  secretAccessKey?: string;
  sessionToken?: string;
  region?: string;
  /** The signing name in the credential scope (default: cloudtrail, or sts without a target). */
  service?: string;
  /** When the request claims to be signed (default: now). */
  signingDate?: Date;
  headers?: Record<string, string>;
}

/** The headers of a request to `endpoint` signed with SigV4 as the SDK signs it. */
export async function signedHeaders(endpoint: string, o: SignedRequestOptions): Promise<Record<string, string>> {
  const url = new URL(endpoint);
  const service = o.service ?? (o.target ? 'cloudtrail' : 'sts');
  const signer = new SignatureV4({
    service,
    region: o.region ?? 'us-east-1',
    credentials: { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey ?? DEFAULT_SECRET_ACCESS_KEY, ...(o.sessionToken !== undefined && { sessionToken: o.sessionToken }) },
    sha256: Sha256,
  });
  const headers: Record<string, string> = {
    host: url.host,
    'content-type': o.target ? 'application/x-amz-json-1.1' : 'application/x-www-form-urlencoded; charset=utf-8',
    ...(o.target && { 'x-amz-target': o.target }),
    ...o.headers,
  };
  const signed = await signer.sign(
    { method: 'POST', protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: '/', query: {}, headers, body: o.body },
    { signingDate: o.signingDate ?? new Date() },
  );
  return signed.headers;
}

/** Sends a signed raw request; status, headers and body text. */
export async function signedFetch(endpoint: string, o: SignedRequestOptions): Promise<{ status: number; headers: Headers; body: string }> {
  const headers = await signedHeaders(endpoint, o);
  const { host: _host, ...rest } = headers;
  const res = await fetch(endpoint, { method: 'POST', headers: rest, body: o.body });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

/** The error code of a raw answer: awsJson's __type, or awsQuery's <Code>. */
export function errorCode(body: string): string | undefined {
  if (body.startsWith('{')) return (JSON.parse(body) as { __type?: string }).__type;
  return /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
}

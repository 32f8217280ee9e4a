/**
 * Signature Version 4 verification: the simulator recomputes every request's signature from the secret of the key it
 * names (a world principal's, the documented default, or an AssumeRole session's) and refuses what AWS refuses. The
 * algorithm is AWS's own, step by step
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html): the canonical request
 * over the headers the client lists in SignedHeaders, the string to sign, the signing key derived from the secret,
 * date, region and service, HMAC-SHA256. Only the header form of SigV4 is accepted (the SDKs and the CLI send it); a
 * presigned query string is refused as an incomplete signature.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

/** `AWS4-HMAC-SHA256 Credential=AKID/yyyymmdd/region/service/aws4_request, SignedHeaders=a;b, Signature=hex`. */
const AUTHORIZATION = /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request\s*,\s*SignedHeaders=([a-z0-9;._-]+)\s*,\s*Signature=([0-9a-f]{64})\s*$/;

export function parseAuthorization(header: string): ParsedAuthorization | undefined {
  const m = AUTHORIZATION.exec(header);
  if (!m) return undefined;
  const [, accessKeyId, date, region, service, signed, signature] = m as unknown as [string, string, string, string, string, string, string];
  return { accessKeyId, date, region, service, signedHeaders: signed.split(';'), signature };
}

/** The credential scope's date and region, read before the signature is checked (the caller's region). */
export const credentialScope = (a: ParsedAuthorization) => `${a.date}/${a.region}/${a.service}/aws4_request`;

/** RFC 3986 unreserved characters stay, everything else is %XX upper-case (the page's "URI-encode"). */
function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const safeDecode = (text: string): string => {
  try {
    return decodeURIComponent(text.replace(/\+/g, '%20'));
  } catch {
    return text;
  }
};

/**
 * Canonical URI: every path segment URI-encoded twice for services other than S3 (the page: "each path segment must be
 * URI-encoded twice"), i.e. the segment as sent on the wire, encoded once more.
 */
function canonicalUri(path: string): string {
  if (path === '' || path === '/') return '/';
  return path
    .split('/')
    .map((segment) => uriEncode(segment))
    .join('/');
}

/** Canonical query string: names and values URI-encoded, sorted by name then value. */
function canonicalQuery(query: string): string {
  if (!query) return '';
  return query
    .split('&')
    .filter((p) => p.length > 0)
    .map((p) => {
      const eq = p.indexOf('=');
      const name = eq < 0 ? p : p.slice(0, eq);
      const value = eq < 0 ? '' : p.slice(eq + 1);
      return [uriEncode(safeDecode(name)), uriEncode(safeDecode(value))] as const;
    })
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([n, v]) => `${n}=${v}`)
    .join('&');
}

/** Header values as sent, per lower-case name (rawHeaders keeps repeats, which the canonical form joins with commas). */
function headerValues(req: IncomingMessage): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    const list = out.get(name) ?? [];
    list.push(req.rawHeaders[i + 1]!);
    out.set(name, list);
  }
  return out;
}

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** The signing key: HMAC chain over date, region, service and "aws4_request", keyed first by "AWS4" + secret. */
export function signingKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), 'aws4_request');
}

export interface SignedRequestFacts {
  /** The request's time, from X-Amz-Date (or Date), in ms; undefined when absent or unreadable. */
  signedAt: number | undefined;
  amzDate: string | undefined;
}

/** X-Amz-Date (ISO 8601 basic, `yyyymmddThhmmssZ`), or the HTTP Date header (the page allows either). */
export function requestDate(req: IncomingMessage): SignedRequestFacts {
  const amz = req.headers['x-amz-date'];
  const text = Array.isArray(amz) ? amz[0] : amz;
  if (text) {
    const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
    return { amzDate: text, signedAt: m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : undefined };
  }
  const date = req.headers.date;
  if (!date) return { amzDate: undefined, signedAt: undefined };
  const ms = Date.parse(date);
  return { amzDate: Number.isNaN(ms) ? undefined : new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, ''), signedAt: Number.isNaN(ms) ? undefined : ms };
}

/** The signature AWS would compute for this request with this secret. */
export function expectedSignature(req: IncomingMessage, body: Buffer, auth: ParsedAuthorization, amzDate: string, secretAccessKey: string): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q + 1);
  const values = headerValues(req);
  const canonicalHeaders = auth.signedHeaders.map((name) => `${name}:${(values.get(name) ?? []).map((v) => v.trim().replace(/\s+/g, ' ')).join(',')}\n`).join('');
  // The payload hash is always computed from the body received ("HashedPayload – A string created using the payload in
  // the body of the HTTP request"): an x-amz-content-sha256 header is S3's, and here only one more signed header.
  const payloadHash = sha256Hex(body);
  const canonicalRequest = [req.method ?? 'POST', canonicalUri(path), canonicalQuery(query), canonicalHeaders, auth.signedHeaders.join(';'), payloadHash].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, credentialScope(auth), sha256Hex(canonicalRequest)].join('\n');
  return createHmac('sha256', signingKey(secretAccessKey, auth.date, auth.region, auth.service)).update(stringToSign, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex signatures. */
export function sameSignature(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** `yyyymmddThhmmssZ` for messages, as AWS prints times in its "Signature expired" message. */
export const basicIso = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

/**
 * How AWS names and times are written, checked once for the whole product: account ids, region names, which API
 * operations only read, and the minute-precision UTC time people see in findings and messages. Pure.
 */

export const ACCOUNT_ID = /^\d{12}$/;
/**
 * A region name in any partition (lib/domain/partitions.ts): `eu-west-1`, `us-gov-west-1`, `cn-north-1`,
 * `us-isob-east-1`, and the European Sovereign Cloud's `eusc-de-east-1` (a four-letter prefix and a country).
 */
export const REGION_NAME = /^([a-z]{2}(-gov|-iso[a-z]?)?|eusc-[a-z]{2})-[a-z]+-\d{1,2}$/;

/**
 * Get, List, Describe and Lookup calls change nothing (and spend the read budget,
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html).
 */
export const isReadOnlyOperation = (operation: string): boolean => /^(Get|List|Describe|Lookup)/.test(operation);

/** "2026-11-28 14:02 UTC". */
export const utcMinute = (iso: string): string => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

/**
 * Untrusted text quoted for a one-line message (an error, a reason, a log field): JSON-quoted, so line breaks and
 * control characters are escapes, with the Unicode line and paragraph separators escaped too, and cut at `max`
 * characters so a 300,000-character name cannot make a 300,000-character message.
 */
export function quoted(text: string, max = 200): string {
  const cut = text.length > max ? `${text.slice(0, max)}... (${text.length} characters)` : text;
  return JSON.stringify(cut).replace(/[\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A property path for a one-line message: `a.b[2]`, with any key that is not a plain name quoted (`a["x\ny"]`). */
export function propertyPath(path: readonly PropertyKey[], root: string): string {
  if (path.length === 0) return root;
  return path.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`;
    const name = String(key);
    if (/^[A-Za-z_$][\w$-]*$/.test(name)) return out ? `${out}.${name}` : name;
    return `${out}[${quoted(name, 60)}]`;
  }, '');
}

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

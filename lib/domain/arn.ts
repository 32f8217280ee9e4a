/**
 * CloudTrail ARNs: parse them and resolve the names and bare ids that requests and CloudTrail records carry.
 * Pure.
 *
 * Trails accept a name or `arn:<partition>:cloudtrail:<region>:<account>:trail/<name>`; event data stores accept the
 * ARN or its id suffix (`com.amazonaws.cloudtrail#GetTrailStatusRequest$Name`,
 * `com.amazonaws.cloudtrail#GetEventDataStoreRequest$EventDataStore`).
 */
import { partitionOf, type Partition } from './partitions';

export { partitionOf } from './partitions';

export type CloudTrailResourceType = 'trail' | 'eventdatastore';

export interface CloudTrailArn {
  partition: Partition;
  region: string;
  accountId: string;
  resourceType: CloudTrailResourceType;
  /** Trail name, or event data store id. */
  resourceId: string;
}

// Every partition's name (lib/domain/partitions.ts), the European Sovereign Cloud's aws-eusc included.
const ARN_PATTERN = /^arn:(aws|aws-cn|aws-us-gov|aws-eusc|aws-iso|aws-iso-[bef]):cloudtrail:([a-z0-9-]+):(\d{12}):(trail|eventdatastore)\/(.+)$/;

export function parseCloudTrailArn(value: string): CloudTrailArn | undefined {
  const m = ARN_PATTERN.exec(value);
  if (!m) return undefined;
  const [, partition, region, accountId, resourceType, resourceId] = m as unknown as [string, Partition, string, string, CloudTrailResourceType, string];
  return { partition, region, accountId, resourceType, resourceId };
}

export function formatCloudTrailArn(arn: CloudTrailArn): string {
  return `arn:${arn.partition}:cloudtrail:${arn.region}:${arn.accountId}:${arn.resourceType}/${arn.resourceId}`;
}

/**
 * Resolves a trail name, trail ARN, event data store id or event data store ARN to a full ARN.
 * A bare name or id belongs to the account and region the call was made in.
 */
export function resolveCloudTrailArn(
  value: string,
  resourceType: CloudTrailResourceType,
  where: { accountId: string; region: string },
): string {
  const parsed = parseCloudTrailArn(value);
  if (parsed) return formatCloudTrailArn(parsed);
  return formatCloudTrailArn({
    partition: partitionOf(where.region),
    region: where.region,
    accountId: where.accountId,
    resourceType,
    resourceId: value,
  });
}

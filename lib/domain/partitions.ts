/**
 * AWS partitions: which partition a region is in (the `partition` segment of every ARN, IAM roles included), and
 * where a partition's global services answer. Pure.
 *
 * "AWS groups Regions into partitions. Every Region is in exactly one partition [...] Partitions have independent
 * instances of AWS Identity and Access Management (IAM)" and "You cannot use IAM credentials from one partition to
 * interact with resources in a different partition"
 * (https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html): so the product,
 * its member roles and every account-region it sweeps are in one partition, the one of the region it runs in. ARNs
 * are `arn:partition:service:region:account-id:resource`
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html).
 */

export type Partition = 'aws' | 'aws-cn' | 'aws-us-gov' | 'aws-eusc' | 'aws-iso' | 'aws-iso-b' | 'aws-iso-e' | 'aws-iso-f';

/** The partitions the product runs in; the isolated (aws-iso*) ones are named so ARNs are right, and refused. */
const SUPPORTED_PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov', 'aws-eusc'] as const;
export type SupportedPartition = (typeof SUPPORTED_PARTITIONS)[number];

/**
 * Region name prefixes of the partitions other than `aws`, as the SDK's partition table matches them
 * (`^cn-`, `^us-gov-`, `^eusc-(de)-`, `^us-iso-`, `^us-isob-`, `^eu-isoe-`, `^us-isof-`); every other region is `aws`.
 * aws-eusc (the AWS European Sovereign Cloud, eusc-de-east-1) is confirmed by the vendored Cost Explorer model's
 * endpoint rules (`com.amazonaws.costexplorer#AWSInsightsIndexService`, partition "aws-eusc").
 */
const PREFIXES: readonly (readonly [string, Partition])[] = [
  ['cn-', 'aws-cn'],
  ['us-gov-', 'aws-us-gov'],
  ['eusc-', 'aws-eusc'],
  ['us-iso-', 'aws-iso'],
  ['us-isob-', 'aws-iso-b'],
  ['eu-isoe-', 'aws-iso-e'],
  ['us-isof-', 'aws-iso-f'],
];

export function partitionOf(region: string): Partition {
  return PREFIXES.find(([prefix]) => region.startsWith(prefix))?.[1] ?? 'aws';
}

const isSupportedPartition = (p: Partition): p is SupportedPartition => (SUPPORTED_PARTITIONS as readonly string[]).includes(p);

/**
 * The region Organizations is called (and signed) in, per partition: the endpoint rules of the vendored model
 * (`com.amazonaws.organizations#AWSOrganizationsV20161128`: us-east-1 in aws, cn-northwest-1 in aws-cn,
 * us-gov-west-1 in aws-us-gov; https://docs.aws.amazon.com/general/latest/gr/ao.html). aws-eusc: UNVERIFIED (neither
 * the model nor that page lists it); its only region, eusc-de-east-1, is assumed.
 */
const ORGANIZATIONS_REGION: Record<SupportedPartition, string> = {
  aws: 'us-east-1',
  'aws-cn': 'cn-northwest-1',
  'aws-us-gov': 'us-gov-west-1',
  'aws-eusc': 'eusc-de-east-1',
};

export class UnsupportedPartitionError extends Error {
  readonly retryable = false;
  constructor(readonly region: string) {
    super(
      `region ${region} is in the isolated partition ${partitionOf(region)}, which this product does not support ` +
        `(UNVERIFIED: whether CloudTrail Insights, Organizations and StackSets exist there); run it in aws, aws-cn, aws-us-gov or aws-eusc`,
    );
    this.name = 'UnsupportedPartitionError';
  }
}

/** Where the product's calls go when it runs in `homeRegion`: its partition and the regions of STS and Organizations. */
export interface PartitionEndpoints {
  partition: SupportedPartition;
  /** STS is regional in every region; the home region's endpoint keeps AssumeRole inside the partition and nearby. */
  stsRegion: string;
  organizationsRegion: string;
}

export function partitionEndpoints(homeRegion: string): PartitionEndpoints {
  const partition = partitionOf(homeRegion);
  if (!isSupportedPartition(partition)) throw new UnsupportedPartitionError(homeRegion);
  return { partition, stsRegion: homeRegion, organizationsRegion: ORGANIZATIONS_REGION[partition] };
}

/** `arn:<partition>:iam::<account>:role/<name>`: IAM is global within a partition, so the ARN has no region. */
export const roleArn = (partition: Partition, accountId: string, roleName: string): string => `arn:${partition}:iam::${accountId}:role/${roleName}`;

/**
 * The region the product considers home when none is configured: the one it runs in (AWS_REGION, set in every Lambda
 * and by most shells that use the CLI), else the first region the policy sweeps (same partition as the others: IAM
 * credentials do not cross partitions), else us-east-1.
 */
export function defaultHomeRegion(envRegion: string | undefined, policyRegions: readonly string[] = []): string {
  return envRegion?.trim() || policyRegions[0] || 'us-east-1';
}

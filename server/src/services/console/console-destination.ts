/** AWS partitions the portal can open the console in. */
export const PARTITIONS = ['aws', 'aws-us-gov', 'aws-cn'] as const;
export type Partition = (typeof PARTITIONS)[number];

/** The AWS console (and AWS's federation) accept sessions of 15 minutes to 12 hours. */
export const CONSOLE_SESSION_SECONDS = { min: 900, max: 43_200 } as const;
/** AWS caps role sessions made from temporary credentials (role chaining) at one hour. */
export const ROLE_CHAINING_MAX_SECONDS = 3600;

export const REGION_PATTERN = '^[a-z]{2}(-[a-z]+)+-\\d{1,2}$';
/** A console path segment such as `s3`, `ec2`, `cloudwatch`, `iam` (letters, digits, dashes). */
export const CONSOLE_SERVICE_PATTERN = '^[a-z][a-z0-9-]{1,31}$';

export class DestinationError extends Error {}

/** The partition of an ARN (`arn:aws-us-gov:iam::...`); unknown partitions are refused. */
export function partitionOf(arn: string): Partition {
  const partition = arn.split(':')[1];
  if (!(PARTITIONS as readonly string[]).includes(partition ?? ''))
    throw new DestinationError(`The role's ARN names no partition the portal knows (${PARTITIONS.join(', ')}).`);
  return partition as Partition;
}

const DEFAULT_REGION: Record<Partition, string> = {
  aws: 'us-east-1',
  'aws-us-gov': 'us-gov-west-1',
  'aws-cn': 'cn-north-1',
};

function regionFits(partition: Partition, region: string): boolean {
  if (partition === 'aws-us-gov') return region.startsWith('us-gov-');
  if (partition === 'aws-cn') return region.startsWith('cn-');
  return !region.startsWith('us-gov-') && !region.startsWith('cn-');
}

/**
 * Where the console opens: `<service>/home?region=<region>` on the partition's console host
 * (the console home when no service is given). A region the user picked must belong to the
 * role's partition; the configured region is used when it does, else the partition's first.
 */
export function consoleDestination(input: {
  partition: Partition;
  configuredRegion: string;
  region?: string | undefined;
  service?: string | undefined;
}): { url: string; region: string; service: string } {
  const { partition } = input;
  if (input.region !== undefined && !new RegExp(REGION_PATTERN).test(input.region))
    throw new DestinationError('region must be an AWS region such as eu-west-1.');
  if (input.service !== undefined && !new RegExp(CONSOLE_SERVICE_PATTERN).test(input.service))
    throw new DestinationError('service must be a console path such as s3, ec2 or iam.');
  if (input.region !== undefined && !regionFits(partition, input.region))
    throw new DestinationError(`The region ${input.region} is not in the role's partition (${partition}).`);
  const region =
    input.region ??
    (regionFits(partition, input.configuredRegion) ? input.configuredRegion : DEFAULT_REGION[partition]);
  const service = input.service ?? 'console';
  const host =
    partition === 'aws'
      ? `${region}.console.aws.amazon.com`
      : partition === 'aws-us-gov'
        ? 'console.amazonaws-us-gov.com'
        : 'console.amazonaws.cn';
  return { url: `https://${host}/${service}/home?region=${region}`, region, service };
}

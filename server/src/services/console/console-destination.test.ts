import { describe, expect, it } from 'vitest';
import { consoleDestination, DestinationError, partitionOf } from './console-destination.ts';

describe('console destinations', () => {
  it('opens the console home of the configured region, or the service and region picked', () => {
    expect(consoleDestination({ partition: 'aws', configuredRegion: 'eu-west-1' }).url).toBe(
      'https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1',
    );
    expect(
      consoleDestination({ partition: 'aws', configuredRegion: 'eu-west-1', region: 'us-east-2', service: 's3' }).url,
    ).toBe('https://us-east-2.console.aws.amazon.com/s3/home?region=us-east-2');
  });

  it('uses each partition’s console host and a region of that partition', () => {
    expect(consoleDestination({ partition: 'aws-us-gov', configuredRegion: 'us-east-1' }).url).toBe(
      'https://console.amazonaws-us-gov.com/console/home?region=us-gov-west-1',
    );
    expect(consoleDestination({ partition: 'aws-cn', configuredRegion: 'us-east-1', service: 'ec2' }).url).toBe(
      'https://console.amazonaws.cn/ec2/home?region=cn-north-1',
    );
    expect(() =>
      consoleDestination({ partition: 'aws-cn', configuredRegion: 'us-east-1', region: 'eu-west-1' }),
    ).toThrow(DestinationError);
  });

  it('refuses anything but a plain service name and region (no injection into the URL)', () => {
    for (const service of ['s3/../iam', 's3?x=1', 'S3', 'a', `s${'3'.repeat(40)}`])
      expect(() => consoleDestination({ partition: 'aws', configuredRegion: 'us-east-1', service })).toThrow(
        DestinationError,
      );
    expect(() =>
      consoleDestination({ partition: 'aws', configuredRegion: 'us-east-1', region: 'eu-west-1&x' }),
    ).toThrow(DestinationError);
  });

  it('reads the partition from a role ARN', () => {
    expect(partitionOf('arn:aws:iam::111111111111:role/R')).toBe('aws');
    expect(partitionOf('arn:aws-us-gov:iam::111111111111:role/R')).toBe('aws-us-gov');
    expect(() => partitionOf('arn:aws-iso:iam::111111111111:role/R')).toThrow(DestinationError);
  });
});

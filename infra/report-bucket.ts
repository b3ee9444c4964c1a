import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';

export interface ReportBucketProps {
  removalPolicy: RemovalPolicy;
}

/**
 * Finance's report files (the nightly channel-ROI CSVs): encrypted, versioned so a restated day never
 * overwrites what was filed, private, TLS only, with server access logs in a bucket of their own.
 */
export class ReportBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: ReportBucketProps) {
    super(scope, id);
    const destroy = props.removalPolicy === RemovalPolicy.DESTROY;
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: destroy,
    });
    NagSuppressions.addResourceSuppressions(this.accessLogs, [{ id: 'AwsSolutions-S1', reason: "This bucket receives the report bucket's server access logs; logging it into itself would loop." }]);
    this.bucket = new s3.Bucket(this, 'Reports', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'reports/',
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: destroy,
    });
  }
}

import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ReportArchive } from '../ports/channel-roi-store';

/** Reports in the stack's bucket (encrypted and versioned by the bucket's own settings). */
export class S3ReportArchive implements ReportArchive {
  constructor(
    private readonly client: S3Client,
    private readonly bucketName: string,
  ) {}

  async put(key: string, body: string, contentType: string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucketName, Key: key, Body: body, ContentType: contentType }));
  }
}

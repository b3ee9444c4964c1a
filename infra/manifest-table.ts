import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import type { KeyAttribute, TableDefinition } from '@leadflow/manifest';
import type { StageDataPolicy } from './stage';

const streamViewTypes: Record<NonNullable<TableDefinition['stream']>, dynamodb.StreamViewType> = {
  NEW_IMAGE: dynamodb.StreamViewType.NEW_IMAGE,
  NEW_AND_OLD_IMAGES: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
};

function attribute(key: KeyAttribute): dynamodb.Attribute {
  return { name: key.name, type: key.type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER };
}

/**
 * A DynamoDB table exactly as the manifest defines it. The physical name is left to CloudFormation so
 * several deployments can share an account; functions learn it from their environment.
 *
 * Encryption uses the AWS-managed key (`aws/dynamodb`): encrypted with KMS and auditable in
 * CloudTrail, with no key policy to maintain and nothing extra to grant to stream consumers. A
 * customer-managed key is worth its cost only for cross-account access or crypto-shredding by
 * disabling the key, neither of which the system needs.
 */
export function createManifestTable(
  scope: Construct,
  id: string,
  definition: TableDefinition,
  retention: Pick<StageDataPolicy, 'removalPolicy' | 'deletionProtection'> = { removalPolicy: RemovalPolicy.RETAIN, deletionProtection: true },
  warmThroughput?: dynamodb.WarmThroughput & { indexes?: Record<string, dynamodb.WarmThroughput> },
): dynamodb.Table {
  const table = new dynamodb.Table(scope, id, {
    partitionKey: attribute(definition.partitionKey),
    sortKey: definition.sortKey && attribute(definition.sortKey),
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    encryption: dynamodb.TableEncryption.AWS_MANAGED,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    timeToLiveAttribute: definition.timeToLiveAttribute,
    stream: definition.stream && streamViewTypes[definition.stream],
    // Leads are the business's records: deleting a stage that retains data never deletes them.
    removalPolicy: retention.removalPolicy,
    deletionProtection: retention.deletionProtection,
    warmThroughput: warmThroughput && { writeUnitsPerSecond: warmThroughput.writeUnitsPerSecond, readUnitsPerSecond: warmThroughput.readUnitsPerSecond },
  });
  for (const index of definition.globalSecondaryIndexes) {
    table.addGlobalSecondaryIndex({
      indexName: index.indexName,
      partitionKey: attribute(index.partitionKey),
      sortKey: index.sortKey && attribute(index.sortKey),
    });
  }
  const indexNames = definition.globalSecondaryIndexes.map((index) => index.indexName);
  for (const [indexName, indexWarmThroughput] of Object.entries(warmThroughput?.indexes ?? {})) {
    const position = indexNames.indexOf(indexName);
    if (position < 0) throw new Error(`operations.tableWarmThroughput.indexes names "${indexName}", which is not an index of the ${definition.name} table: it has ${indexNames.join(', ')}`);
    // `Table` takes warm throughput for the table only; CloudFormation takes it per index too, in the order the indexes were added.
    (table.node.defaultChild as dynamodb.CfnTable).addPropertyOverride(`GlobalSecondaryIndexes.${position}.WarmThroughput`, {
      WriteUnitsPerSecond: indexWarmThroughput.writeUnitsPerSecond,
      ReadUnitsPerSecond: indexWarmThroughput.readUnitsPerSecond,
    });
  }
  return table;
}

import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, type Attribute, type ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import type { KeyDefinition, TableDefinition } from './table-definitions.js';

/** What happens to the tables when their stack is deleted. */
export type DataRetention = 'retain' | 'destroy';

export interface StreamCanvasTablesProps {
  /** The tables to create, from table-definitions.ts, so the local stack creates the same ones. */
  definitions: readonly TableDefinition[];
  retention: DataRetention;
}

/**
 * The DynamoDB tables, created from their plain-data definitions: on-demand, with
 * point-in-time recovery, GSIs projecting what their definition names (else every attribute), and TTL where defined.
 */
export class StreamCanvasTables extends Construct {
  private readonly tables = new Map<string, Table>();

  constructor(scope: Construct, id: string, props: StreamCanvasTablesProps) {
    super(scope, id);
    const retain = props.retention === 'retain';
    for (const definition of props.definitions) {
      const table = new Table(this, definition.logicalName, {
        partitionKey: attributeOf(definition.partitionKey),
        ...(definition.sortKey ? { sortKey: attributeOf(definition.sortKey) } : {}),
        ...(definition.timeToLiveAttribute ? { timeToLiveAttribute: definition.timeToLiveAttribute } : {}),
        billingMode: BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        // Deletion protection would block `ampx sandbox delete`, so only kept data is protected.
        deletionProtection: retain,
        removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      });
      for (const index of definition.globalSecondaryIndexes) {
        table.addGlobalSecondaryIndex({
          indexName: index.indexName,
          partitionKey: attributeOf(index.partitionKey),
          ...(index.sortKey ? { sortKey: attributeOf(index.sortKey) } : {}),
          ...(index.projectedAttributes
            ? { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: [...index.projectedAttributes] }
            : { projectionType: ProjectionType.ALL }),
        });
      }
      this.tables.set(definition.logicalName, table);
    }
  }

  /** The table created for a definition. */
  tableFor(definition: TableDefinition): ITable {
    const table = this.tables.get(definition.logicalName);
    if (!table) {
      throw new Error(
        `No table ${definition.logicalName} was created. ` +
          'Resolution: add its definition to the `definitions` passed to StreamCanvasTables (amplify/backend.ts).',
      );
    }
    return table;
  }
}

/**
 * Branch (and standalone) deployments keep their data when the stack goes away; sandboxes are
 * throwaway. Reads the deployment type that `ampx` passes as CDK context.
 */
export function dataRetentionFor(scope: Construct): DataRetention {
  const deploymentType: unknown = scope.node.tryGetContext('amplify-backend-type');
  switch (deploymentType) {
    case 'sandbox':
      return 'destroy';
    case 'branch':
    case 'standalone':
      return 'retain';
    default:
      throw new Error(
        `CDK context 'amplify-backend-type' is ${JSON.stringify(deploymentType)}; expected 'sandbox', 'branch' or 'standalone'. ` +
          'Resolution: synthesize through `ampx` (sandbox or pipeline-deploy), or set it in CDK_CONTEXT_JSON as the synth tests do.',
      );
  }
}

function attributeOf(key: KeyDefinition): Attribute {
  return { name: key.name, type: key.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER };
}

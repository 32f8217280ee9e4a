// The ledger table's definition, shared by the dynalite helpers of the tests and of the reliability bench.
import { LEDGER_GSI } from '../../lib/aws/ledger-dynamodb';

/** The ledger table as template.yaml declares it: pk, and the GSI byAccountRegion (lib/aws/ledger-dynamodb.ts). */
export const ledgerTable = (name: string) => ({
  TableName: name,
  BillingMode: 'PAY_PER_REQUEST' as const,
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' as const },
    { AttributeName: 'accountRegion', AttributeType: 'S' as const },
  ],
  KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' as const }],
  GlobalSecondaryIndexes: [{ IndexName: LEDGER_GSI, KeySchema: [{ AttributeName: 'accountRegion', KeyType: 'HASH' as const }], Projection: { ProjectionType: 'ALL' as const } }],
});

// dynalite (https://github.com/architect/dynalite): DynamoDB in memory on 127.0.0.1, with the product's tables. Chosen
// because it installs from npm alone; the npm wrappers of DynamoDB Local download its jar at run time.
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { ledgerTable } from './ledger-table';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { documentClient } from '../../lib/aws/ledger-dynamodb';

export async function startDynalite(): Promise<{ endpoint: string; stop: () => Promise<void>; doc: ReturnType<typeof documentClient>; createTables: (ledger: string, idempotency: string) => Promise<void> }> {
  const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };
  const raw = new DynamoDBClient(config);
  return {
    endpoint,
    doc: documentClient(config),
    stop: () => new Promise((resolve) => server.close(() => resolve())),
    createTables: async (ledger, idempotency) => {
      await raw.send(new CreateTableCommand(ledgerTable(ledger)));
      await raw.send(new CreateTableCommand({ TableName: idempotency, BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] }));
    },
  };
}

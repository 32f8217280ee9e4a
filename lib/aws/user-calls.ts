/**
 * Calls a person makes that the product never plans: the demo plays a user who drifts a source (stops an event data
 * store's ingestion) with that user's own credentials, so that the drift arrives as a real CloudTrail event. Not used
 * by the pipeline: lib/domain/actions.ts has no disabling action on purpose.
 */
import { CloudTrailClient, StopEventDataStoreIngestionCommand } from '@aws-sdk/client-cloudtrail';
import type { AwsCredentialIdentity } from '@smithy/types';

export interface UserSession {
  credentials: AwsCredentialIdentity;
  region: string;
  endpoint?: string;
}

export async function stopEventDataStoreIngestion(session: UserSession, eventDataStore: string): Promise<void> {
  const client = new CloudTrailClient({ region: session.region, credentials: session.credentials, maxAttempts: 3, ...(session.endpoint && { endpoint: session.endpoint }) });
  try {
    await client.send(new StopEventDataStoreIngestionCommand({ EventDataStore: eventDataStore }));
  } finally {
    client.destroy();
  }
}

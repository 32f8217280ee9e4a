/**
 * Calls a person makes that the product never plans: the demo plays a user who drifts a source (stops a trail's
 * logging) with that user's own credentials, so that the drift arrives as a real
 * CloudTrail event. Not used by the pipeline: lib/domain/actions.ts has no such action on purpose.
 */
import { CloudTrailClient, StopLoggingCommand } from '@aws-sdk/client-cloudtrail';
import type { AwsCredentialIdentity } from '@smithy/types';

export interface UserSession {
  credentials: AwsCredentialIdentity;
  region: string;
  endpoint?: string;
}

export async function stopLogging(session: UserSession, trail: string): Promise<void> {
  const client = new CloudTrailClient({ region: session.region, credentials: session.credentials, maxAttempts: 3, ...(session.endpoint && { endpoint: session.endpoint }) });
  try {
    await client.send(new StopLoggingCommand({ Name: trail }));
  } finally {
    client.destroy();
  }
}

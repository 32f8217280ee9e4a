/**
 * The account's event data stores in other regions, read only when a plan is about to create an Insights destination
 * for the whole account (eventDataStores.destination scope perAccount): ListEventDataStores is regional, and an Insight
 * store of the account anywhere must be used before a second one is made. One ListEventDataStores per region and one
 * GetEventDataStore per store of the account (its categories say whether it is an Insight store); both are reads of
 * READ_PERMISSIONS (lib/aws/read.ts), granted to every role that reads.
 */
import { CloudTrailClient, GetEventDataStoreCommand, paginateListEventDataStores } from '@aws-sdk/client-cloudtrail';
import { parseCloudTrailArn } from '../domain/arn';
import { advancedCoverage } from '../domain/event-selectors';
import type { AdvancedEventSelector, EventDataStoreStatus, EventDataStoreSummary } from '../domain/model';

export async function readEventDataStoresElsewhere(clientFor: (region: string) => CloudTrailClient, accountId: string, regions: readonly string[]): Promise<EventDataStoreSummary[]> {
  const out: EventDataStoreSummary[] = [];
  for (const region of regions) {
    const client = clientFor(region);
    for await (const page of paginateListEventDataStores({ client, pageSize: 1000 }, {}))
      for (const listed of page.EventDataStores ?? []) {
        const arn = listed.EventDataStoreArn!;
        // An organization store a delegated administrator sees is the management account's, never this one's.
        if ((parseCloudTrailArn(arn)?.accountId ?? accountId) !== accountId) continue;
        const s = await client.send(new GetEventDataStoreCommand({ EventDataStore: arn }));
        const selectors = (s.AdvancedEventSelectors ?? []) as AdvancedEventSelector[];
        out.push({ arn, name: s.Name!, accountId, region, status: s.Status as EventDataStoreStatus, eventCategories: advancedCoverage(selectors).categories });
      }
  }
  return out;
}

/**
 * The CloudTrail operations the simulator serves, by name, and which of them are writes (everything but Get, List,
 * Describe and LookupEvents): writes produce CloudTrail records and count against the write TPS budget
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html).
 */
import type { Operation } from './common';
import {
  createEventDataStore,
  deleteEventDataStore,
  getEventDataStore,
  listEventDataStores,
  restoreEventDataStore,
  startEventDataStoreIngestion,
  stopEventDataStoreIngestion,
  updateEventDataStore,
} from './event-data-stores';
import { getInsightSelectors, putInsightSelectors } from './insights';
import { addTags, listTags, lookupEvents, removeTags, type HistoryEvent } from './tags-and-events';
import { createTrail, deleteTrail, describeTrails, getEventSelectors, getTrail, getTrailStatus, listTrails, putEventSelectors, startLogging, stopLogging, updateTrail } from './trails';

export const isWrite = (operation: string): boolean => !/^(Get|List|Describe|Lookup)/.test(operation);

export function cloudTrailOperations(history: (account: string, region: string, insight: boolean) => HistoryEvent[]): Record<string, Operation> {
  return {
    CreateEventDataStore: createEventDataStore,
    UpdateEventDataStore: updateEventDataStore,
    GetEventDataStore: getEventDataStore,
    ListEventDataStores: listEventDataStores,
    DeleteEventDataStore: deleteEventDataStore,
    RestoreEventDataStore: restoreEventDataStore,
    StartEventDataStoreIngestion: startEventDataStoreIngestion,
    StopEventDataStoreIngestion: stopEventDataStoreIngestion,
    PutInsightSelectors: putInsightSelectors,
    GetInsightSelectors: getInsightSelectors,
    PutEventSelectors: putEventSelectors,
    GetEventSelectors: getEventSelectors,
    DescribeTrails: describeTrails,
    ListTrails: listTrails,
    GetTrail: getTrail,
    GetTrailStatus: getTrailStatus,
    StartLogging: startLogging,
    StopLogging: stopLogging,
    CreateTrail: createTrail,
    UpdateTrail: updateTrail,
    DeleteTrail: deleteTrail,
    AddTags: addTags,
    ListTags: listTags,
    RemoveTags: removeTags,
    LookupEvents: lookupEvents(history),
  };
}

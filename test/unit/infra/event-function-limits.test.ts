// The event function's bounds in template.yaml: its reserved concurrency, and an alarm for repairs AWS refused.
import { loadTemplates, type Template } from './templates';

const [main] = loadTemplates('template.yaml') as [Template];
const fn = main.Resources.OnCloudTrailChangeFunction!.Properties;

describe('the event-driven repair function', () => {
  it('reserves the concurrency the operator sets (20 by default), so a flood of calls in one account cannot take every Lambda', () => {
    expect(main.Parameters!.EventFunctionReservedConcurrency).toMatchObject({ Type: 'Number', Default: 20, MinValue: 0 });
    expect(fn.ReservedConcurrentExecutions).toEqual({ 'Fn::If': ['ReservesEventConcurrency', { Ref: 'EventFunctionReservedConcurrency' }, { Ref: 'AWS::NoValue' }] });
    expect(main.Conditions!.ReservesEventConcurrency).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'EventFunctionReservedConcurrency' }, 0] }] });
  });

  it('keeps events it cannot run yet: asynchronous retries for up to 6 hours, then a dead-letter queue with an alarm', () => {
    expect(fn.EventInvokeConfig).toMatchObject({ MaximumEventAgeInSeconds: 21600, DestinationConfig: { OnFailure: { Type: 'SQS' } } });
    expect(main.Resources.EventDeadLetterAlarm).toBeDefined();
  });

  it('alarms on any repair AWS refused', () => {
    expect(main.Resources.RepairsFailedAlarm!.Properties).toMatchObject({ Namespace: 'InsightsRemediator', MetricName: 'repairsFailed', Statistic: 'Sum', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', AlarmActions: [{ Ref: 'AlarmTopic' }] });
  });
});

/** Notifications in the stack (lib/constructs/notifications.ts): stream, queues, event source mappings, least privilege, alarms. */
import { beforeAll, describe, expect, it } from 'vitest';
import type { CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { NOTIFY_LOOPBACK_ENV, NOTIFY_RETRY_SCALE_ENV } from '../../lambdas/config.ts';
import { NOTIFY_QUEUE } from '../../lambdas/definitions.ts';
import { DELIVERER_RESERVED_CONCURRENCY } from '../../lib/limits.ts';
import { synthesizeVariant, type Variant } from './synth.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- CloudFormation JSON

let v: Variant;
let resources: Json;
beforeAll(() => {
  v = synthesizeVariant();
  resources = (v.templates[0]!.template.toJSON() as Json).Resources;
});
const id = (c: IConstruct): string => v.stack.getLogicalId(c.node.defaultChild as CfnElement);
const props = (c: IConstruct): Json => resources[id(c)].Properties;
const arn = (c: IConstruct) => ({ 'Fn::GetAtt': [id(c), 'Arn'] });
const statements = (name: 'notifier' | 'deliverer' | 'agencies' | 'licenses'): Json[] => props(v.stack.handlers.byName[name].policy).PolicyDocument.Statement;
const byType = (type: string): Json[] => Object.values(resources).filter((r: Json) => r.Type === type);

describe('the audit stream and the notifications table', () => {
  it('the audit table streams new images and expires only what carries expiresAt (outbox items); notifications are kept by TTL', () => {
    expect(props(v.stack.tables.byId.audit.table)).toMatchObject({ StreamSpecification: { StreamViewType: 'NEW_IMAGE' }, TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } });
    expect(props(v.stack.tables.byId.notifications.table)).toMatchObject({
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
    });
  });

  it('two mappings read the stream (DynamoDB Streams serves two readers per shard): the notifier\'s, outbox inserts only, retried a day, failures to their own queue', () => {
    const mappings = byType('AWS::Lambda::EventSourceMapping').filter((m) => JSON.stringify(m.Properties.EventSourceArn).includes('StreamArn'));
    expect(mappings.map((m) => m.Properties.FunctionName.Ref).sort()).toEqual([id(v.stack.handlers.byName.notifier.fn), id(v.stack.handlers.byName.sealer.fn)].sort());
    const n = v.stack.notifications;
    expect(props(n.streamMapping)).toMatchObject({
      FunctionName: { Ref: id(v.stack.handlers.byName.notifier.fn) },
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRecordAgeInSeconds: 86_400,
      DestinationConfig: { OnFailure: { Destination: arn(n.streamFailures) } },
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT'], dynamodb: { Keys: { pk: { S: [{ prefix: 'OUTBOX#' }] } } } }) }] },
    });
  });

  it('the sealer\'s: audit event inserts only, whole batches retried a day (no bisecting, no partial report: the batch markers need the same first record), failures to its own queue, alarmed', () => {
    const s = v.stack.sealerSchedule;
    const p = props(s.streamMapping);
    expect(p).toMatchObject({
      FunctionName: { Ref: id(v.stack.handlers.byName.sealer.fn) },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 1000,
      MaximumBatchingWindowInSeconds: 10,
      MaximumRecordAgeInSeconds: 86_400,
      DestinationConfig: { OnFailure: { Destination: arn(s.streamFailures) } },
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT'], dynamodb: { Keys: { pk: { S: [{ prefix: 'ev-' }] } } } }) }] },
    });
    expect(p.BisectBatchOnFunctionError).toBeUndefined();
    expect(p.FunctionResponseTypes).toBeUndefined();
    expect(props(s.iteratorAgeAlarm)).toMatchObject({ MetricName: 'IteratorAge', Threshold: 300_000 });
    expect(props(s.streamFailuresAlarm)).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1 });
  });
});

describe('the delivery queue', () => {
  it('is a stack output described CORRIDOR_NOTIFY_QUEUE_URL, for `corridor notifications refan` beside the other storage variables', () => {
    const outputs = (v.templates[0]!.template.toJSON() as Json).Outputs as Json;
    expect(Object.values(outputs).filter((o: Json) => o.Description === NOTIFY_QUEUE.envVar)).toEqual([{ Description: NOTIFY_QUEUE.envVar, Value: { Ref: id(v.stack.notifications.queue) } }]);
  });

  it('SQS-managed encryption, TLS only, visibility six times the deliverer timeout, five receives then the dead-letter queue (14 days)', () => {
    const n = v.stack.notifications;
    expect(props(n.queue)).toMatchObject({
      SqsManagedSseEnabled: true,
      VisibilityTimeout: NOTIFY_QUEUE.visibilityTimeoutSeconds,
      RedrivePolicy: { deadLetterTargetArn: arn(n.deadLetters), maxReceiveCount: NOTIFY_QUEUE.maxReceiveCount },
    });
    expect(NOTIFY_QUEUE.visibilityTimeoutSeconds).toBe(6 * props(v.stack.handlers.byName.deliverer.fn).Timeout);
    for (const q of [n.deadLetters, n.streamFailures, v.stack.sealerSchedule.streamFailures]) expect(props(q)).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86_400 });
    const tlsOnly = byType('AWS::SQS::QueuePolicy').map((p) => p.Properties.PolicyDocument.Statement[0]);
    expect(tlsOnly).toHaveLength(4); // the delivery queue, its dead letters, and the notifier's and the sealer's stream failures
    for (const st of tlsOnly) expect(st).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
  });

  it('the deliverer takes ten messages at a time, reports failures one by one, never more pollers than it may run', () => {
    expect(props(v.stack.notifications.queueMapping)).toMatchObject({
      EventSourceArn: arn(v.stack.notifications.queue), BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: DELIVERER_RESERVED_CONCURRENCY },
    });
  });
});

describe('least privilege', () => {
  it('notifier: reads the audit stream and sends to the queue, nothing else of SQS; deliverer: works the queue, no stream', () => {
    const n = statements('notifier');
    expect(n.find((s) => s.Sid === 'AuditStreamRead')).toEqual({ Sid: 'AuditStreamRead', Effect: 'Allow', Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'], Resource: { 'Fn::GetAtt': [id(v.stack.tables.byId.audit.table), 'StreamArn'] } });
    expect(n.filter((s) => JSON.stringify(s.Action).includes('sqs:')).map((s) => [s.Sid, s.Action])).toEqual([
      ['DeliveryQueueSend', 'sqs:SendMessage'], ['StreamFailuresQueue', ['sqs:GetQueueAttributes', 'sqs:SendMessage']],
    ]);
    const d = statements('deliverer');
    expect(JSON.stringify(d)).not.toContain('dynamodb:GetRecords');
    expect(d.find((s) => s.Sid === 'DeliveryQueue')).toMatchObject({ Resource: arn(v.stack.notifications.queue) });
    // no API function touches the queue or the stream
    for (const api of ['agencies', 'licenses'] as const) expect(JSON.stringify(statements(api))).not.toMatch(/sqs:|GetRecords/);
  });

  it('the loopback and retry-scale settings of local mode and tests reach no deployed function', () => {
    for (const fn of byType('AWS::Lambda::Function')) {
      const vars = Object.keys(fn.Properties.Environment?.Variables ?? {});
      expect(vars).not.toContain(NOTIFY_LOOPBACK_ENV);
      expect(vars).not.toContain(NOTIFY_RETRY_SCALE_ENV);
    }
    expect(Object.keys(props(v.stack.handlers.byName.deliverer.fn).Environment.Variables)).toContain(NOTIFY_QUEUE.envVar);
    expect(byType('AWS::EC2::SecurityGroup')).toEqual([]); // outside any VPC: outbound HTTPS, address rules in code (docs/deployment.md)
  });
});

describe('alarms', () => {
  it('dead letters, stream failures, queue age, iterator age and both functions\' errors, each to the alert topic', () => {
    const topic = { Ref: id(v.stack.alerts.topic) };
    const a = v.stack.notifications.alarms;
    expect(Object.keys(a).sort()).toEqual(['deadLetters', 'delivererErrors', 'iteratorAge', 'notifierErrors', 'queueAge', 'streamFailures']);
    for (const alarm of Object.values(a)) expect(props(alarm)).toMatchObject({ AlarmActions: [topic], OKActions: [topic], TreatMissingData: 'notBreaching' });
    expect(props(a.deadLetters)).toMatchObject({ Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1 });
    expect(props(a.iteratorAge)).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'IteratorAge', Threshold: 300_000 });
    expect(props(a.queueAge)).toMatchObject({ MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 1800 });
  });
});

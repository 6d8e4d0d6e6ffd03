/**
 * What the notifier and delivery functions add to the exchange's runtime services: the delivery queue (SQS), the
 * webhook poster, the endpoint rules of this deployment and the retry schedule — built once per container.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { sdkClientConfig } from '../adapters/aws/aws-services.ts';
import { SqsNotificationQueue } from '../adapters/aws/sqs-notification-queue.ts';
import { NodeWebhookPoster } from '../adapters/http/node-webhook-poster.ts';
import { readConfig, readNotifyConfig } from '../config.ts';
import type { DeliveryDeps } from '../core/notifications/delivery.ts';
import { DEPLOYED_ENDPOINTS } from '../core/notifications/endpoint-rules.ts';
import { scaledSchedule } from '../core/notifications/retry-schedule.ts';
import { runtimeServices, tracer } from './runtime.ts';

let deps: DeliveryDeps | undefined;

export function notifyRuntime(): DeliveryDeps {
  if (!deps) {
    const services = runtimeServices();
    const notify = readNotifyConfig();
    const sqs = new SQSClient(sdkClientConfig(readConfig()));
    tracer?.captureAWSv3Client(sqs);
    deps = {
      services,
      queue: new SqsNotificationQueue(sqs, notify.queueUrl),
      poster: new NodeWebhookPoster(),
      policy: services.endpoints?.policy ?? DEPLOYED_ENDPOINTS,
      schedule: scaledSchedule(notify.retryScale),
    };
  }
  return deps;
}

/**
 * The Corridor stack: composes keys, tables, backups, handlers (the console among them), the sealer schedule, alerts,
 * monitoring, the API and, with corridor:edge=cloudfront-waf, the CloudFront edge; no resource is configured here.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { DELIVERY_OVERDUE_DAYS_ENV } from '../lambdas/config.ts';
import { NOTIFY_QUEUE } from '../lambdas/definitions.ts';
import { AlertTopic } from './constructs/alerts.ts';
import { TableBackups } from './constructs/backups.ts';
import { CloudFrontEdge, ORIGIN_VERIFY_ENV } from './constructs/cloudfront-edge.ts';
import { CorridorDashboard } from './constructs/dashboard.ts';
import { ExchangeApi } from './constructs/exchange-api.ts';
import { API_GROUPS, CorridorHandlers } from './constructs/handlers.ts';
import { constructId } from './constructs/ids.ts';
import { CorridorKeys } from './constructs/keys.ts';
import { Monitoring } from './constructs/monitoring.ts';
import { Notifications } from './constructs/notifications.ts';
import { OverdueSchedule } from './constructs/overdue-schedule.ts';
import { SealerSchedule } from './constructs/sealer-schedule.ts';
import { CorridorTables } from './constructs/tables.ts';
import { RATE_RULE_METRIC, WAF_REGION, WEB_ACL_METRIC } from './edge-waf-stack.ts';
import type { CorridorSettings } from './settings.ts';

export { DEFAULT_EXCHANGE_ID } from './settings.ts';

export interface CorridorStackProps extends StackProps {
  readonly settings: CorridorSettings;
  /** ARN of the CLOUDFRONT web ACL (EdgeWafStack), when settings.edge is cloudfront-waf. */
  readonly webAclArn?: string;
}

export class CorridorStack extends Stack {
  readonly keys: CorridorKeys;
  readonly tables: CorridorTables;
  readonly handlers: CorridorHandlers;
  readonly alerts: AlertTopic;
  readonly sealerSchedule: SealerSchedule;
  readonly overdueSchedule: OverdueSchedule;
  readonly notifications: Notifications;
  readonly exchangeApi: ExchangeApi;
  readonly monitoring: Monitoring;
  readonly dashboard: CorridorDashboard;
  readonly edge?: CloudFrontEdge;

  constructor(scope: Construct, id: string, props: CorridorStackProps) {
    super(scope, id, { description: 'Corridor: signed, audited exchange of export licenses between agencies', ...props });
    const { settings } = props;
    this.keys = new CorridorKeys(this, 'Keys');
    this.tables = new CorridorTables(this, 'Tables', { encryptionKey: this.keys.table });
    new TableBackups(this, 'Backups', {
      tables: this.tables.all.map((t) => t.table),
      encryptionKey: this.keys.table,
    });
    this.handlers = new CorridorHandlers(this, 'Handlers', {
      exchangeId: settings.exchangeId,
      tables: this.tables,
      tableKey: this.keys.table,
      appKeys: this.keys.app,
      logsKey: this.keys.logs,
      reservedConcurrency: settings.reservedConcurrency,
      metricsDetail: settings.metricsDetail,
      slowRequestMs: settings.slowRequestMs,
      bundleModes: { tracing: settings.tracing, edge: settings.edge },
    });
    // Only the licenses group answers delivery.list, the one action that reads it.
    this.handlers.byName.licenses.fn.addEnvironment(DELIVERY_OVERDUE_DAYS_ENV, String(settings.deliveryOverdueDays));
    this.alerts = new AlertTopic(this, 'Alerts', { encryptionKey: this.keys.alerts });
    this.sealerSchedule = new SealerSchedule(this, 'Sealer', { sealer: this.handlers.sealer, auditTable: this.tables.byId.audit.table, tableKey: this.keys.table, alertTopic: this.alerts.topic });
    this.overdueSchedule = new OverdueSchedule(this, 'Overdue', { fn: this.handlers.byName.overdue.fn, alertTopic: this.alerts.topic });
    this.notifications = new Notifications(this, 'Notifications', {
      auditTable: this.tables.byId.audit.table,
      tableKey: this.keys.table,
      notifier: this.handlers.byName.notifier,
      deliverer: this.handlers.byName.deliverer,
      alertTopic: this.alerts.topic,
    });
    this.exchangeApi = new ExchangeApi(this, 'Exchange', {
      functions: this.handlers.apiFunctions,
      consoleFunction: this.handlers.console.fn,
      logsKey: this.keys.logs,
      throttle: settings.throttle,
      ...(settings.customDomain ? { customDomain: settings.customDomain } : {}),
    });

    if (settings.edge === 'cloudfront-waf') {
      if (!props.webAclArn) throw new Error('corridor:edge=cloudfront-waf needs the web ACL of EdgeWafStack');
      this.edge = new CloudFrontEdge(this, 'Edge', {
        api: this.exchangeApi.api,
        webAclArn: props.webAclArn,
        ...(settings.originVerifyVersion ? { originVerifyVersion: settings.originVerifyVersion } : {}),
      });
      // The API groups refuse requests that did not come through CloudFront (the console serves public static files
      // only, and stays without any AWS access; bounded by its route throttle and reserved concurrency).
      for (const group of API_GROUPS) {
        const h = this.handlers.byName[group];
        h.fn.addEnvironment(ORIGIN_VERIFY_ENV, this.edge.secret.secretArn);
        h.grant(new iam.PolicyStatement({ sid: 'OriginVerifySecret', actions: ['secretsmanager:GetSecretValue'], resources: [this.edge.secret.secretArn] }));
      }
    }

    this.monitoring = new Monitoring(this, 'Monitoring', {
      api: this.exchangeApi.api,
      // Everything the HTTP API invokes; the scheduled functions' alarms are their schedule's, the notification functions' their construct's.
      httpFunctions: Object.fromEntries(Object.entries(this.handlers.byName).filter(([name]) => !['sealer', 'overdue', 'notifier', 'deliverer'].includes(name))),
      tables: this.tables,
      alertTopic: this.alerts.topic,
    });
    this.dashboard = new CorridorDashboard(this, 'Dashboard', {
      api: this.exchangeApi.api,
      functions: this.handlers.byName,
      tables: this.tables,
      metricsDetail: settings.metricsDetail,
      ...(this.edge ? { waf: { webAclMetric: WEB_ACL_METRIC, rateRuleMetric: RATE_RULE_METRIC, region: WAF_REGION } } : {}),
    });

    new CfnOutput(this, 'ApiUrl', {
      value: this.edge?.url ?? this.exchangeApi.url,
      description: 'Base URL of the Corridor exchange API (CORRIDOR_URL)',
    });
    if (this.edge) {
      new CfnOutput(this, 'OriginVerifySecretArn', {
        value: this.edge.secret.secretArn,
        description: 'Secret CloudFront sends as x-corridor-origin-verify; rotate per docs/deployment.md',
      });
    }
    if (this.exchangeApi.domain) {
      new CfnOutput(this, 'DomainTarget', {
        value: this.exchangeApi.domain.regionalDomainName,
        description: `DNS: point ${settings.customDomain!.domainName} (CNAME or alias) at this regional API Gateway domain`,
      });
    }
    new CfnOutput(this, 'AlertTopicArn', { value: this.alerts.topic.topicArn, description: 'SNS topic of operator alerts (alarms); subscribe to it' });
    new CfnOutput(this, 'DashboardName', { value: this.dashboard.dashboard.dashboardName, description: 'CloudWatch dashboard of the exchange' });
    // What `corridor bootstrap` needs in its environment: the handlers' own variables, named in each description.
    new CfnOutput(this, 'ExchangeId', { value: settings.exchangeId, description: 'CORRIDOR_EXCHANGE_ID' });
    for (const { def, table } of this.tables.all) {
      new CfnOutput(this, `${constructId(def.id)}Table`, { value: table.tableName, description: def.envVar });
    }
    for (const { def, key } of Object.values(this.keys.app)) {
      new CfnOutput(this, `${constructId(def.id)}KeyId`, { value: key.keyArn, description: def.envVar });
    }
    // and `corridor notifications refan`, which queues the notifications it makes as the notifier does
    new CfnOutput(this, 'NotifyQueueUrl', { value: this.notifications.queue.queueUrl, description: NOTIFY_QUEUE.envVar });
  }
}

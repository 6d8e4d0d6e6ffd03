// bench/cost.ts after issue 16's metrics from the stream: a plain success logs no request line and no request metrics
// document; it carries its share of the one document per batch the audit stream's consumer prints, and the request
// metrics are still counted as custom metrics, from that document.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { ASSUMPTIONS, customMetrics, telemetryLogBytes } from '../../bench/cost.ts';
import { METRICS_NAMESPACE, PowertoolsTelemetry, SERVICE_NAME } from '../../lambdas/adapters/aws/powertools-telemetry.ts';
import { ACTION_ROUTES } from '../../lambdas/core/routes.ts';
import { captureOutput, type Captured } from '../helpers/output-capture.ts';

let out: Captured | undefined;
afterEach(() => out?.restore());

describe('bench/cost.ts telemetry', () => {
  it('log bytes per plain success: a share of the container\'s data-key document (one a minute) and 1/100 of the batch\'s metrics document, no request line', () => {
    expect(ASSUMPTIONS.metricsBatchEvents).toBe(100);
    expect(ASSUMPTIONS.requestsPerDataKeyDocument).toBe(60);
    out = captureOutput();
    const t = new PowertoolsTelemetry(new Logger({ serviceName: SERVICE_NAME }), new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME }));
    t.requestCompleted({ requestId: 'r', action: 'license.verify', status: 200, decision: 'allow', durationMs: 12 });
    expect(out.text()).toBe(''); // a plain success prints nothing at all
    t.dataKeyCache({ cacheHits: 120, kmsGenerate: 0, kmsDecrypt: 0 });
    const documentBytes = Buffer.byteLength(out.text());
    expect(documentBytes).toBeGreaterThan(200);
    out.restore();
    out = undefined;
    const bytes = telemetryLogBytes();
    // The batch's document is a few hundred bytes (40 latency values): its share is a few bytes, not a document each.
    const batchShare = bytes - documentBytes / 60;
    expect(batchShare).toBeGreaterThan(2);
    expect(batchShare).toBeLessThan(15);
    expect(bytes).toBeLessThan(20);
  });

  it('custom metrics: Requests and LatencyMs per decision, or per action and decision, from the aggregated documents', () => {
    const decision = customMetrics('decision');
    expect(decision.filter((m) => m.startsWith('Corridor/Requests') || m.startsWith('Corridor/LatencyMs'))).toEqual([
      'Corridor/LatencyMs{service=corridor,decision=allow}', 'Corridor/LatencyMs{service=corridor,decision=deny}',
      'Corridor/Requests{service=corridor,decision=allow}', 'Corridor/Requests{service=corridor,decision=deny}',
    ]);
    expect(decision).toHaveLength(8);
    const action = customMetrics('action');
    expect(action.filter((m) => m.includes('action='))).toHaveLength(ACTION_ROUTES.length * 2 * 2);
    expect(action).toContain('Corridor/LatencyMs{service=corridor,action=license.verify,decision=deny}');
  });
});

/**
 * The one wrapper every instrumented handler goes through: the Lambda context (function name,
 * request id, cold start) on every log line, the data-key cache counts of the invocation as
 * metrics and, with corridor:tracing=sdk, a `## <function>` X-Ray subsegment annotated with
 * ColdStart and Service. Nothing of the event or the result is recorded.
 */
import type { Context } from 'aws-lambda';
import { logger, reportDataKeyCache, tracer } from './runtime.ts';

/** `context` is absent when `npm start` calls the handler (there is no Lambda context locally). */
export function observed<E, R>(handler: (event: E) => Promise<R>): (event: E, context?: Context) => Promise<R> {
  return async (event, context) => {
    if (context) logger.addContext(context);
    const parent = tracer?.getSegment();
    const segment = parent?.addNewSubsegment(`## ${context?.functionName ?? 'handler'}`);
    if (segment) tracer?.setSegment(segment);
    tracer?.annotateColdStart();
    tracer?.addServiceNameAnnotation();
    try {
      return await handler(event);
    } finally {
      reportDataKeyCache();
      segment?.close();
      if (parent) tracer?.setSegment(parent);
    }
  };
}

/**
 * Fault injection at the AWS SDK client: middleware added to the very DynamoDBClient /
 * KMSClient the aws adapters use, so the adapters, the SDK's retry policy and the core
 * see exactly what a failing AWS would give them.
 *
 * - `attempt` (default) sits inside the SDK's retry loop, just before the HTTP handler:
 *   every attempt fails, so the SDK's own classification (throttling, transient, client
 *   error) decides whether it retries — as with a real service.
 * - `call` sits outside the retry loop: the SDK call as a whole fails (retries exhausted).
 *
 * A service error is returned as an HTTP error response and parsed by the SDK's own
 * deserializer, so the adapter receives the real exception class (e.g.
 * TransactionCanceledException with CancellationReasons), not an imitation.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { MetadataBearer, MiddlewareStack } from '@smithy/types';

export type Fault =
  /** The service answered with this error (awsJson `__type`, HTTP status, extra members). */
  | { readonly kind: 'service'; readonly status: number; readonly type: string; readonly message?: string; readonly fields?: Record<string, unknown> }
  /** The connection failed before the request reached the service. */
  | { readonly kind: 'network'; readonly code: 'ECONNREFUSED' | 'ECONNRESET' }
  /** The request reached the service and was applied; the answer was lost (socket timeout). */
  | { readonly kind: 'lost-answer' };

export interface Injection {
  /** SDK command names, e.g. `GenerateDataKeyCommand`. */
  readonly commands: readonly string[];
  readonly fault: Fault;
  readonly at?: 'attempt' | 'call';
  /** How many matching requests fail before the fault clears; default: all of them. */
  readonly times?: number;
  /** Only requests whose input satisfies this fail (e.g. writes to the audit table). */
  readonly when?: (input: Record<string, unknown>) => boolean;
}

export interface Injected {
  /** Requests that were failed. */
  readonly hits: number;
  remove(): void;
}

type Client = DynamoDBClient | KMSClient;
type AnyStack = MiddlewareStack<object, MetadataBearer>;

let serial = 0;

function networkError(code: string): Error {
  // The shape node's http stack gives the SDK: classified transient by `code`.
  return Object.assign(new Error(`connect ${code} 127.0.0.1`), { code });
}

function lostAnswer(): Error {
  // The shape of @smithy/node-http-handler's socket timeout: classified transient by name.
  return Object.assign(new Error('Connection timed out after 3000 ms'), { name: 'TimeoutError' });
}

function serviceResponse(f: Extract<Fault, { kind: 'service' }>): { statusCode: number; headers: Record<string, string>; body: Uint8Array } {
  const body = JSON.stringify({ __type: f.type, message: f.message ?? `injected ${f.type}`, ...f.fields });
  return {
    statusCode: f.status,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `fault-${++serial}` },
    body: new TextEncoder().encode(body),
  };
}

/** Add one fault to a client; `remove()` takes it out again (call it in `finally`). */
export function inject(client: Client, injection: Injection): Injected {
  const name = `corridor-fault-${++serial}`;
  const stack = client.middlewareStack as unknown as AnyStack;
  const state = { hits: 0 };
  const at = injection.at ?? 'attempt';
  if (at === 'call' && injection.fault.kind === 'service') throw new Error('a service error is injected per attempt (the SDK must parse and classify it)');
  const matches = (commandName: string | undefined, input: object): boolean =>
    !!commandName && injection.commands.includes(commandName) &&
    (injection.times === undefined || state.hits < injection.times) &&
    (!injection.when || injection.when(input as Record<string, unknown>));

  /** The fault itself, the same at either place; `respond` hands a service error to the deserializer. */
  const run = async <R>(commandName: string | undefined, input: object, proceed: () => Promise<R>, respond: (r: ReturnType<typeof serviceResponse>) => R): Promise<R> => {
    if (!matches(commandName, input)) return proceed();
    state.hits++;
    const fault = injection.fault;
    if (fault.kind === 'network') throw networkError(fault.code);
    if (fault.kind === 'lost-answer') {
      await proceed(); // it reaches moto and is applied ...
      throw lostAnswer(); // ... and the client never hears back
    }
    return respond(serviceResponse(fault));
  };
  if (at === 'attempt') {
    stack.add((next, context) => (args) => run(context.commandName, args.input, () => next(args), (response) => ({ response, output: undefined as unknown as MetadataBearer })), { step: 'deserialize', priority: 'low', name });
  } else {
    stack.add((next, context) => (args) => run(context.commandName, args.input, () => next(args), () => {
      throw new Error('unreachable: service errors are injected per attempt');
    }), { step: 'initialize', priority: 'high', name });
  }
  return {
    get hits() {
      return state.hits;
    },
    remove: () => void stack.remove(name),
  };
}

/** Run `body` with the faults in place, always removing them afterwards. */
export async function withFaults<T>(faults: readonly (readonly [Client, Injection])[], body: (injected: Injected[]) => Promise<T>): Promise<T> {
  const injected = faults.map(([c, i]) => inject(c, i));
  try {
    return await body(injected);
  } finally {
    for (const i of injected) i.remove();
  }
}

/** True when a TransactWriteItems / PutItem input writes to `table`. */
export function writesTo(table: string): (input: Record<string, unknown>) => boolean {
  return (input) => {
    if (input.TableName === table) return true;
    const items = (input.TransactItems ?? []) as { Put?: { TableName?: string }; Delete?: { TableName?: string }; ConditionCheck?: { TableName?: string } }[];
    return items.some((t) => (t.Put ?? t.Delete ?? t.ConditionCheck)?.TableName === table);
  };
}

/** Lambda for audit.query, audit.proof and audit.seals. */
import { actionHandler } from './http-edge.ts';
import { observed } from './observed.ts';
import { runtimeExchange } from './runtime.ts';

const exchange = runtimeExchange();
export const handler = observed(actionHandler('audit', () => exchange));

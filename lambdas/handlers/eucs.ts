/** Lambda for euc.publish, euc.status and euc.query. */
import { actionHandler } from './http-edge.ts';
import { observed } from './observed.ts';
import { runtimeExchange } from './runtime.ts';

const exchange = runtimeExchange();
export const handler = observed(actionHandler('eucs', () => exchange));

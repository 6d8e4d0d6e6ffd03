/** Lambda for agency.register, agency.keys and agreement.put. */
import { actionHandler } from './http-edge.ts';
import { observed } from './observed.ts';
import { runtimeExchange } from './runtime.ts';

const exchange = runtimeExchange();
export const handler = observed(actionHandler('agencies', () => exchange));

/** Lambda for license.publish, license.status and license.verify. */
import { actionHandler } from './http-edge.ts';
import { observed } from './observed.ts';
import { runtimeExchange } from './runtime.ts';

const exchange = runtimeExchange();
export const handler = observed(actionHandler('licenses', () => exchange));

/** Lambda for license.publish, license.status and license.verify. */
import { actionHandler } from './http-edge.ts';
import { runtimeExchange } from './runtime.ts';

const exchange = runtimeExchange();
export const handler = actionHandler('licenses', () => exchange);

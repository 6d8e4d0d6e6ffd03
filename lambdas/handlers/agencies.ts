/** Lambda for agency.register, agency.keys, agreement.put and agreement.list. */
import { runtimeOriginCheck } from './front-door.ts';
import { actionHandler, behindFrontDoor } from './http-edge.ts';
import { observed } from './observed.ts';
import { runtimeExchange } from './runtime.ts';

const exchange = runtimeExchange();
export const handler = observed(behindFrontDoor(runtimeOriginCheck(), actionHandler('agencies', () => exchange)));

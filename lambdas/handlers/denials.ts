/** Lambda for denial.notify, denial.revoke, screening.check and consultation.open / answer / list; it keeps the screening index warm. */
import { runtimeOriginCheck } from './front-door.ts';
import { actionHandler, behindFrontDoor } from './http-edge.ts';
import { observed } from './observed.ts';
import { runtimeExchange } from './runtime.ts';

const exchange = runtimeExchange();
export const handler = observed(behindFrontDoor(runtimeOriginCheck(), actionHandler('denials', () => exchange)));

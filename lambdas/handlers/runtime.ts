/** Services for the deployed handlers, built once per Lambda container from the environment. */
import { buildServices } from '../adapters/aws/aws-services.ts';
import { readConfig } from '../config.ts';
import { Exchange } from '../core/exchange.ts';
import type { CoreServices } from '../core/services.ts';

let services: CoreServices | undefined;
let exchange: Exchange | undefined;

export function runtimeServices(): CoreServices {
  return (services ??= buildServices(readConfig()));
}

export function runtimeExchange(): Exchange {
  return (exchange ??= new Exchange(runtimeServices()));
}

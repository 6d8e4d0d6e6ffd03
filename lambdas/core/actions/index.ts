/** Every action of the core, by name: the compiler insists each ActionName has one. */
import type { ActionName } from '../routes.ts';
import type { Action } from '../services.ts';
import { agencyKeys } from './agency-keys.ts';
import { agencyRegister } from './agency-register.ts';
import { agreementPut } from './agreement-put.ts';
import { licensePublish } from './license-publish.ts';
import { licenseStatus } from './license-status.ts';
import { licenseVerify } from './license-verify.ts';

export const ACTIONS: Record<ActionName, Action> = {
  'agency.register': agencyRegister as Action,
  'agency.keys': agencyKeys as Action,
  'agreement.put': agreementPut as Action,
  'license.publish': licensePublish as Action,
  'license.status': licenseStatus as Action,
  'license.verify': licenseVerify as Action,
};

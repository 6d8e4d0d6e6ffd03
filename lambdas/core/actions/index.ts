/**
 * Every action of the core, by name and handler group: the compiler insists each ActionName has one. A deployed function
 * holds only its own group's (ACTIONS below), the others' code is not even in its bundle.
 */
import type { ActionName, HandlerGroup } from '../routes.ts';
import type { Action } from '../services.ts';
import { agencyKeys } from './agency-keys.ts';
import { agencyRegister } from './agency-register.ts';
import { agreementList } from './agreement-list.ts';
import { agreementPut } from './agreement-put.ts';
import { notificationList } from './notification-list.ts';
import { subscriptionGet } from './subscription-get.ts';
import { subscriptionPut } from './subscription-put.ts';
import { deliveryConfirm } from './delivery-confirm.ts';
import { deliveryList } from './delivery-list.ts';
import { psvQuery } from './psv-query.ts';
import { psvReport } from './psv-report.ts';
import { psvRequest } from './psv-request.ts';
import { auditProof } from './audit-proof.ts';
import { auditQuery } from './audit-query.ts';
import { auditSeals } from './audit-seals.ts';
import { consultationAnswer } from './consultation-answer.ts';
import { consultationList } from './consultation-list.ts';
import { consultationOpen } from './consultation-open.ts';
import { denialNotify } from './denial-notify.ts';
import { denialRevoke } from './denial-revoke.ts';
import { screeningCheck } from './screening-check.ts';
import { publishDocument } from './document-publish.ts';
import { setDocumentStatus } from './document-status.ts';
import { eucQuery } from './euc-query.ts';
import { licenseDrawdown } from './license-drawdown.ts';
import { licenseDrawdowns } from './license-drawdowns.ts';
import { licenseVerify } from './license-verify.ts';

const agencies = {
  'agency.register': agencyRegister as Action,
  'agency.keys': agencyKeys as Action,
  'agreement.put': agreementPut as Action,
  'agreement.list': agreementList as Action,
  'subscription.put': subscriptionPut as Action,
  'subscription.get': subscriptionGet as Action,
  'notification.list': notificationList as Action,
};
const licenses = {
  'license.publish': /* @__PURE__ */ publishDocument('license') as Action,
  'license.status': /* @__PURE__ */ setDocumentStatus('license') as Action,
  'license.verify': licenseVerify as Action,
  'license.drawdown': licenseDrawdown as Action,
  'license.drawdowns': licenseDrawdowns as Action,
  'delivery.confirm': deliveryConfirm as Action,
  'delivery.list': deliveryList as Action,
  'psv.request': psvRequest as Action,
  'psv.report': psvReport as Action,
  'psv.query': psvQuery as Action,
};
const eucs = {
  'euc.publish': /* @__PURE__ */ publishDocument('euc') as Action,
  'euc.status': /* @__PURE__ */ setDocumentStatus('euc') as Action,
  'euc.query': eucQuery as Action,
};
const audit = {
  'audit.query': auditQuery as Action,
  'audit.proof': auditProof as Action,
  'audit.seals': auditSeals as Action,
};
const denials = {
  'denial.notify': denialNotify as Action,
  'denial.revoke': denialRevoke as Action,
  'screening.check': screeningCheck as Action,
  'consultation.open': consultationOpen as Action,
  'consultation.answer': consultationAnswer as Action,
  'consultation.list': consultationList as Action,
};

/** Each group's actions: routes.ts's ACTION_ROUTES puts every action in exactly this group (test/unit/bundle-contents.test.ts). */
export const GROUP_ACTIONS = { agencies, licenses, eucs, audit, denials } satisfies Record<Exclude<HandlerGroup, 'discovery'>, Partial<Record<ActionName, Action>>>;
/** Compiles only if the groups together name every action. */
export type EveryActionHasOne = (typeof agencies & typeof licenses & typeof eucs & typeof audit & typeof denials) extends Record<ActionName, Action> ? true : never;
const everyActionHasOne: EveryActionHasOne = true;
void everyActionHasOne;

/**
 * The actions this process answers. CDK defines `process.env.CORRIDOR_FUNCTION` per function when bundling
 * (lambdas/bundle-modes.ts): each comparison is then a constant, and another group's actions (with their validators,
 * validators.generated.ts) are dead code. Unbundled (npm start, tests) it is unset: every action. Keep it literal.
 */
export const ACTIONS = {
  ...(process.env.CORRIDOR_FUNCTION === undefined || process.env.CORRIDOR_FUNCTION === 'agencies' ? agencies : {}),
  ...(process.env.CORRIDOR_FUNCTION === undefined || process.env.CORRIDOR_FUNCTION === 'licenses' ? licenses : {}),
  ...(process.env.CORRIDOR_FUNCTION === undefined || process.env.CORRIDOR_FUNCTION === 'eucs' ? eucs : {}),
  ...(process.env.CORRIDOR_FUNCTION === undefined || process.env.CORRIDOR_FUNCTION === 'audit' ? audit : {}),
  ...(process.env.CORRIDOR_FUNCTION === undefined || process.env.CORRIDOR_FUNCTION === 'denials' ? denials : {}),
} as Record<ActionName, Action>;

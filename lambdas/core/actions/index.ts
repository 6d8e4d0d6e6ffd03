/** Every action of the core, by name: the compiler insists each ActionName has one. */
import type { ActionName } from '../routes.ts';
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

export const ACTIONS: Record<ActionName, Action> = {
  'agency.register': agencyRegister as Action,
  'agency.keys': agencyKeys as Action,
  'agreement.put': agreementPut as Action,
  'agreement.list': agreementList as Action,
  'subscription.put': subscriptionPut as Action,
  'subscription.get': subscriptionGet as Action,
  'notification.list': notificationList as Action,
  'license.publish': publishDocument('license') as Action,
  'license.status': setDocumentStatus('license') as Action,
  'license.verify': licenseVerify as Action,
  'license.drawdown': licenseDrawdown as Action,
  'license.drawdowns': licenseDrawdowns as Action,
  'delivery.confirm': deliveryConfirm as Action,
  'delivery.list': deliveryList as Action,
  'psv.request': psvRequest as Action,
  'psv.report': psvReport as Action,
  'psv.query': psvQuery as Action,
  'euc.publish': publishDocument('euc') as Action,
  'euc.status': setDocumentStatus('euc') as Action,
  'euc.query': eucQuery as Action,
  'audit.query': auditQuery as Action,
  'audit.proof': auditProof as Action,
  'audit.seals': auditSeals as Action,
  'denial.notify': denialNotify as Action,
  'denial.revoke': denialRevoke as Action,
  'screening.check': screeningCheck as Action,
  'consultation.open': consultationOpen as Action,
  'consultation.answer': consultationAnswer as Action,
  'consultation.list': consultationList as Action,
};

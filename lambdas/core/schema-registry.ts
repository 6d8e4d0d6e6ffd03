/** Every JSON Schema in `schemas/`, by role: the one place that imports them (validation and OpenAPI read it). */
import common from '../../schemas/common.schema.json' with { type: 'json' };
import license from '../../schemas/license.schema.json' with { type: 'json' };
import agencyRegister from '../../schemas/agency.register.request.schema.json' with { type: 'json' };
import agencyKeys from '../../schemas/agency.keys.request.schema.json' with { type: 'json' };
import agreementPut from '../../schemas/agreement.put.request.schema.json' with { type: 'json' };
import agreementList from '../../schemas/agreement.list.request.schema.json' with { type: 'json' };
import subscriptionPut from '../../schemas/subscription.put.request.schema.json' with { type: 'json' };
import subscriptionGet from '../../schemas/subscription.get.request.schema.json' with { type: 'json' };
import notificationList from '../../schemas/notification.list.request.schema.json' with { type: 'json' };
import licensePublish from '../../schemas/license.publish.request.schema.json' with { type: 'json' };
import licenseStatus from '../../schemas/license.status.request.schema.json' with { type: 'json' };
import licenseVerify from '../../schemas/license.verify.request.schema.json' with { type: 'json' };
import licenseDrawdown from '../../schemas/license.drawdown.request.schema.json' with { type: 'json' };
import licenseDrawdowns from '../../schemas/license.drawdowns.request.schema.json' with { type: 'json' };
import deliveryConfirm from '../../schemas/delivery.confirm.request.schema.json' with { type: 'json' };
import deliveryList from '../../schemas/delivery.list.request.schema.json' with { type: 'json' };
import psvReportDocument from '../../schemas/psv-report.schema.json' with { type: 'json' };
import psvRequest from '../../schemas/psv.request.request.schema.json' with { type: 'json' };
import psvReport from '../../schemas/psv.report.request.schema.json' with { type: 'json' };
import psvQuery from '../../schemas/psv.query.request.schema.json' with { type: 'json' };
import euc from '../../schemas/euc.schema.json' with { type: 'json' };
import eucPublish from '../../schemas/euc.publish.request.schema.json' with { type: 'json' };
import eucStatus from '../../schemas/euc.status.request.schema.json' with { type: 'json' };
import eucQuery from '../../schemas/euc.query.request.schema.json' with { type: 'json' };
import auditQuery from '../../schemas/audit.query.request.schema.json' with { type: 'json' };
import auditProof from '../../schemas/audit.proof.request.schema.json' with { type: 'json' };
import auditSeals from '../../schemas/audit.seals.request.schema.json' with { type: 'json' };
import denial from '../../schemas/denial.schema.json' with { type: 'json' };
import denialNotify from '../../schemas/denial.notify.request.schema.json' with { type: 'json' };
import denialRevoke from '../../schemas/denial.revoke.request.schema.json' with { type: 'json' };
import screeningCheck from '../../schemas/screening.check.request.schema.json' with { type: 'json' };
import consultationOpen from '../../schemas/consultation.open.request.schema.json' with { type: 'json' };
import consultationAnswer from '../../schemas/consultation.answer.request.schema.json' with { type: 'json' };
import consultationList from '../../schemas/consultation.list.request.schema.json' with { type: 'json' };
import type { DocumentKind } from './documents.ts';
import type { ActionName } from './routes.ts';

export type JsonSchema = Record<string, unknown>;

export const COMMON_SCHEMA: JsonSchema = common;

/** Documents an agency signs itself: licenses, end-use certificates, and post-shipment verification reports. */
export type SignedDocumentKind = DocumentKind | 'psv-report' | 'denial';

export const DOCUMENT_SCHEMAS: Record<SignedDocumentKind, JsonSchema> = { license, euc, 'psv-report': psvReportDocument, denial };

/** The schema of each action's `body` claim. */
export const BODY_SCHEMAS: Record<ActionName, JsonSchema> = {
  'agency.register': agencyRegister,
  'agency.keys': agencyKeys,
  'agreement.put': agreementPut,
  'agreement.list': agreementList,
  'subscription.put': subscriptionPut,
  'subscription.get': subscriptionGet,
  'notification.list': notificationList,
  'license.publish': licensePublish,
  'license.status': licenseStatus,
  'license.verify': licenseVerify,
  'license.drawdown': licenseDrawdown,
  'license.drawdowns': licenseDrawdowns,
  'delivery.confirm': deliveryConfirm,
  'delivery.list': deliveryList,
  'psv.request': psvRequest,
  'psv.report': psvReport,
  'psv.query': psvQuery,
  'euc.publish': eucPublish,
  'euc.status': eucStatus,
  'euc.query': eucQuery,
  'audit.query': auditQuery,
  'audit.proof': auditProof,
  'audit.seals': auditSeals,
  'denial.notify': denialNotify,
  'denial.revoke': denialRevoke,
  'screening.check': screeningCheck,
  'consultation.open': consultationOpen,
  'consultation.answer': consultationAnswer,
  'consultation.list': consultationList,
};

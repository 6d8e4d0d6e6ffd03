/**
 * The route table of protocol.md §4/§5: which action lives at which path and in which
 * handler group (one Lambda per group). Read by the CDK stack, the local server and
 * the configuration document, so they cannot disagree.
 */

export type ActionName =
  | 'agency.register'
  | 'agency.keys'
  | 'agreement.put'
  | 'agreement.list'
  | 'subscription.put'
  | 'subscription.get'
  | 'notification.list'
  | 'license.publish'
  | 'license.status'
  | 'license.verify'
  | 'license.drawdown'
  | 'license.drawdowns'
  | 'delivery.confirm'
  | 'delivery.list'
  | 'psv.request'
  | 'psv.report'
  | 'psv.query'
  | 'euc.publish'
  | 'euc.status'
  | 'euc.query'
  | 'audit.query'
  | 'audit.proof'
  | 'audit.seals'
  | 'denial.notify'
  | 'denial.revoke'
  | 'screening.check'
  | 'consultation.open'
  | 'consultation.answer'
  | 'consultation.list';

/** Handler groups: each is one file in `lambdas/handlers/` and one Lambda in CDK. */
export type HandlerGroup = 'agencies' | 'licenses' | 'eucs' | 'audit' | 'denials' | 'discovery';

export interface ActionRoute {
  readonly act: ActionName;
  readonly path: string;
  readonly group: Exclude<HandlerGroup, 'discovery'>;
}

export const ACTION_ROUTES: readonly ActionRoute[] = [
  { act: 'agency.register', path: '/v1/admin/agencies', group: 'agencies' },
  { act: 'agency.keys', path: '/v1/agencies/keys', group: 'agencies' },
  { act: 'agreement.put', path: '/v1/agreements', group: 'agencies' },
  { act: 'agreement.list', path: '/v1/agreements/list', group: 'agencies' },
  { act: 'subscription.put', path: '/v1/subscriptions', group: 'agencies' },
  { act: 'subscription.get', path: '/v1/subscriptions/get', group: 'agencies' },
  { act: 'notification.list', path: '/v1/notifications/list', group: 'agencies' },
  { act: 'license.publish', path: '/v1/licenses', group: 'licenses' },
  { act: 'license.status', path: '/v1/licenses/status', group: 'licenses' },
  { act: 'license.verify', path: '/v1/licenses/verify', group: 'licenses' },
  { act: 'license.drawdown', path: '/v1/licenses/drawdown', group: 'licenses' },
  { act: 'license.drawdowns', path: '/v1/licenses/drawdowns', group: 'licenses' },
  { act: 'delivery.confirm', path: '/v1/deliveries', group: 'licenses' },
  { act: 'delivery.list', path: '/v1/deliveries/list', group: 'licenses' },
  { act: 'psv.request', path: '/v1/psv', group: 'licenses' },
  { act: 'psv.report', path: '/v1/psv/report', group: 'licenses' },
  { act: 'psv.query', path: '/v1/psv/query', group: 'licenses' },
  { act: 'euc.publish', path: '/v1/eucs', group: 'eucs' },
  { act: 'euc.status', path: '/v1/eucs/status', group: 'eucs' },
  { act: 'euc.query', path: '/v1/eucs/query', group: 'eucs' },
  { act: 'audit.query', path: '/v1/audit/query', group: 'audit' },
  { act: 'audit.proof', path: '/v1/audit/proof', group: 'audit' },
  { act: 'audit.seals', path: '/v1/audit/seals', group: 'audit' },
  { act: 'denial.notify', path: '/v1/denials', group: 'denials' },
  { act: 'denial.revoke', path: '/v1/denials/revoke', group: 'denials' },
  { act: 'screening.check', path: '/v1/screening', group: 'denials' },
  { act: 'consultation.open', path: '/v1/consultations', group: 'denials' },
  { act: 'consultation.answer', path: '/v1/consultations/answer', group: 'denials' },
  { act: 'consultation.list', path: '/v1/consultations/list', group: 'denials' },
];

/** Public plain-JSON GET routes (protocol.md §4), served by the discovery group. */
export const PUBLIC_ROUTES = {
  configuration: '/.well-known/corridor-configuration',
  jwks: '/.well-known/jwks.json',
  agencyJwks: '/v1/agencies/{agencyId}/jwks.json',
  /** The auditor web console (static files; its own handler, lambdas/handlers/console.ts). */
  console: '/console',
} as const;

export function actionForPath(path: string): ActionRoute | undefined {
  return ACTION_ROUTES.find((r) => r.path === path);
}

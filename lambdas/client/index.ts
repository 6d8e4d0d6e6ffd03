/**
 * The Corridor client package (`import { CorridorClient } from '@corridor/client'`, or `'corridor'`
 * inside this repository): signed,
 * verified, retried calls with request and result types generated from schemas/, plus the
 * offline checks an integrator needs without trusting the exchange (issuer-signed documents,
 * the sealed audit log). The KMS signer is in `@corridor/client/kms`, so the AWS SDK loads only there.
 */
export { CorridorClient, ExchangeUnavailableError, UntrustedResponseError } from './corridor-client.ts';
export type { ClientOptions, Discovery, ExchangeAnswer, RetryEvent } from './corridor-client.ts';
export { DEFAULT_RETRY, type RetryPolicy } from './retry.ts';
export { httpsFetch, type ClientTls } from './https-fetch.ts';
export { compactJws, jwkSigner, newJti, signDocument, signRequest } from './signing.ts';
export type { ClientIdentity, DocumentTyp, RequestOptions, RequestSigner, SignerIdentity, SigningAlg, SigningIdentity } from './signing.ts';
export { checkDenial, checkIssuerDocument, checkPsvReport, type DocumentCheck, type PublishedKey } from './document-check.ts';
export { NOTIFICATION_TYP, NotificationRejected, verifyNotification, type NotificationClaims, type NotificationTrust } from './notification-check.ts';
export { keyChanges, keyHistory, keysActiveAt, responseKidProblems, statusAt, type KeyChangeEntry, type KeyHistory } from './key-history.ts';
export { keptSealFrom, verifyAuditLog, verifyProof, verifySeal, type AuditBundle, type ProofExpectation, type SealPayload, type VerifyReport } from './audit-verify.ts';
export type * from './types.generated.ts';

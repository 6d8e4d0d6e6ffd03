/**
 * Names shared by the API handlers' origin check (handlers/origin-verify.ts) and the CloudFront edge CDK builds
 * (lib/constructs/cloudfront-edge.ts). Here with the runtime, which checks them; CDK imports them from here
 * (test/unit/layering.test.ts). Plain data: no aws-cdk-lib import, so the handlers' bundle stays free of CDK.
 */

/** Header CloudFront adds to every origin request; API Gateway lower-cases header names in payload 2.0 events. */
export const ORIGIN_VERIFY_HEADER = 'x-corridor-origin-verify';
/** Environment variable naming the secret whose value (AWSCURRENT or AWSPREVIOUS) the header must carry. */
export const ORIGIN_VERIFY_ENV = 'CORRIDOR_ORIGIN_VERIFY_SECRET_ARN';
/** CloudFront's record of the viewer's address, `ip:port` (IPv6 without brackets), forwarded by the origin request policy. */
export const VIEWER_ADDRESS_HEADER = 'cloudfront-viewer-address';

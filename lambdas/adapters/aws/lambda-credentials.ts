/**
 * The AWS SDK's credential chain as a deployed function needs it: Lambda hands the execution role's credentials to
 * the function as environment variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), the first
 * link of the SDK's default chain and the only one that can answer in Lambda. When CDK bundles a function,
 * `@aws-sdk/credential-provider-node` (the whole chain: shared ini files, SSO, login, process, web identity, the
 * container and instance metadata services, and the STS, SSO and sign-in clients they bring) resolves to this module
 * instead (BUNDLING in lib/constructs/handler-function.ts): ~135 KB less for every cold start to parse. `npm start`,
 * the tests and the CLI run unbundled and keep the SDK's full chain.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

type FromEnvInit = Parameters<typeof fromEnv>[0];

/** What the SDK clients' runtime configuration imports as `defaultProvider`: the environment provider alone. */
export const defaultProvider = (init: FromEnvInit = {}): ReturnType<typeof fromEnv> => fromEnv(init);

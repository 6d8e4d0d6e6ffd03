/**
 * OriginSecrets on Secrets Manager: the values of the origin-verify secret at AWSCURRENT and AWSPREVIOUS (the value
 * CloudFront may still send while a rotation is being deployed). Only the API handlers import it, and only on first use.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ExchangeConfig } from '../../config.ts';
import { DependencyError } from '../../core/errors.ts';
import type { OriginSecrets } from '../../handlers/origin-verify.ts';
import { sdkClientConfig } from './aws-services.ts';

type Stage = 'AWSCURRENT' | 'AWSPREVIOUS';

export function secretsManagerClient(cfg: Pick<ExchangeConfig, 'region' | 'awsEndpoint'>): SecretsManagerClient {
  return new SecretsManagerClient(sdkClientConfig(cfg));
}

export class SecretsManagerOriginSecrets implements OriginSecrets {
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretId: string,
  ) {}

  /** Both stages, read in parallel; AWSCURRENT must exist, AWSPREVIOUS exists only once the secret was rotated. */
  async values(): Promise<readonly string[]> {
    const [current, previous] = await Promise.all([this.read('AWSCURRENT'), this.read('AWSPREVIOUS')]);
    if (current === undefined) throw new DependencyError('secretsmanager', new Error('AWSCURRENT has no SecretString'));
    return previous === undefined ? [current] : [current, previous];
  }

  private async read(stage: Stage): Promise<string | undefined> {
    try {
      const out = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId, VersionStage: stage }));
      return out.SecretString || undefined;
    } catch (e) {
      // A secret never rotated has no AWSPREVIOUS version: then only AWSCURRENT is accepted.
      if (stage === 'AWSPREVIOUS' && e instanceof Error && e.name === 'ResourceNotFoundException') return undefined;
      throw new DependencyError('secretsmanager', e);
    }
  }
}

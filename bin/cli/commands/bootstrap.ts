/**
 * `corridor bootstrap`: creates the first operator agency directly in storage (no signed
 * request can), with its audit event. For a deployed stack; `npm start` does it locally.
 */
import { buildServices, quietTelemetry } from '../../../lambdas/adapters/aws/aws-services.ts';
import { readConfig } from '../../../lambdas/config.ts';
import { bootstrapOperator } from '../../../lambdas/core/bootstrap.ts';
import { publicJwk } from '../../../lambdas/local/key-files.ts';
import { keyFile, parse, str, UsageError } from '../context.ts';
import { EXIT, out } from '../output.ts';

export const help = `corridor bootstrap --id AGENCY --name NAME --key-file FILE
  With AWS credentials and the handlers' environment (CORRIDOR_EXCHANGE_ID, AWS_REGION, the
  table variables, CORRIDOR_PAYLOAD_KEY_ID from the stack outputs): registers the operator agency
  with the key in FILE (only its public half is stored). Does nothing if the agency exists.
  Example: corridor keygen --kid eu-operator-1 --out operator.jwk.json && corridor bootstrap --id EU-OPERATOR --name "Exchange operator" --key-file operator.jwk.json`;

export async function run(argv: string[]): Promise<number> {
  const v = parse(argv, { id: { type: 'string' }, name: { type: 'string' }, 'key-file': { type: 'string' } }, ['id', 'name', 'key-file']);
  const id = str(v, 'id')!;
  if (!/^[A-Z]{2}-[A-Z0-9]{2,16}$/.test(id)) throw new UsageError('--id must be an agency id such as EU-OPERATOR');
  const jwk = keyFile(str(v, 'key-file')!);
  const services = buildServices(readConfig(), undefined, quietTelemetry);
  const r = await bootstrapOperator(services, id, str(v, 'name')!, jwk.kid!, publicJwk(jwk));
  if (v.json) out(JSON.stringify({ created: r.created, agencyId: id, kid: jwk.kid }));
  else out(r.created ? `operator ${id} created with key ${jwk.kid}` : `${id} already exists; nothing changed`);
  return EXIT.ok;
}

/** Every JSON Schema file of schemas/, parsed, in file-name order (the build-time generators and their tests read them). */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export type SchemaFile = Record<string, unknown>;

export const SCHEMA_DIR = resolve(import.meta.dirname, '../schemas');

export function readSchemaFiles(dir = SCHEMA_DIR): SchemaFile[] {
  return readdirSync(dir).filter((f) => f.endsWith('.schema.json')).sort().map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as SchemaFile);
}

#!/usr/bin/env tsx
/**
 * The corridor CLI (commands in bin/cli/main.ts). Every answer from the exchange is
 * verified against its published JWKS before anything is printed. Exit codes: 0 ok,
 * 1 refused or a check failed, 2 usage or configuration, 3 exchange unavailable,
 * 4 an answer did not verify (docs/cli.md).
 */
import { main } from './cli/main.ts';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});

/** CDK app entry (`cdk.json` runs it with tsx): the Corridor stack with the AwsSolutions and NIST 800-53 R5 nag packs. */
import { createCorridorApp } from '../lib/corridor-app.ts';

createCorridorApp();

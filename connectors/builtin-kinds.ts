// The connector kinds UniCS ships. app/ builds the registry from this list plus any kinds an integrator adds.
import type { ConnectorKind } from './connector.ts';
import { graphqlKind } from './graphql/index.ts';
import { restKind } from './rest/index.ts';
import { soapKind } from './soap/index.ts';
import { sqlKind } from './sql/index.ts';
import { xmlKind } from './xml/index.ts';

export const builtinConnectorKinds: readonly ConnectorKind[] = Object.freeze([restKind, soapKind, xmlKind, graphqlKind, sqlKind]);

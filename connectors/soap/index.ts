// The soap connector kind: SOAP 1.1/1.2 services described by a WSDL, called through the soap package over the
// shared HTTP layer. See README.md for the configuration.
import type { ConnectorKind } from '../connector.ts';
import { soapConfigSchema, type SoapConfig } from './soap-config.ts';
import { createSoapConnector } from './soap-connector.ts';

export const soapKind = {
  kind: 'soap',
  description: 'SOAP services described by a WSDL (document/literal or rpc): entities batch keys into one operation call, commands call an operation',
  configSchema: soapConfigSchema,
  create: createSoapConnector,
} satisfies ConnectorKind<SoapConfig>;

export { createSoapConnector } from './soap-connector.ts';
export { soapConfigSchema, type SoapCommandConfig, type SoapConfig, type SoapEntityConfig } from './soap-config.ts';
export { faultOf, mapSoapError, normaliseResult, type SoapFaultInfo, type TypeDescription } from './soap-mapping.ts';
export { screenXml } from './soap-xml-screen.ts';

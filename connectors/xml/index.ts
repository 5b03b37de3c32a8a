// The xml connector kind: XML over HTTP (SAP IDoc exports, legacy WMS/ERP endpoints), declared in YAML, parsed by a
// hardened parser that refuses DTDs and entities. See README.md.
import type { ConnectorKind } from '../connector.ts';
import { createXmlConnector } from './xml-connector.ts';
import { xmlConfigSchema, type XmlConfig } from './xml-config.ts';

export const xmlKind = {
  kind: 'xml',
  description: 'XML over HTTP (no SOAP): batch GET or POST, records picked by path, DTDs and entities refused',
  configSchema: xmlConfigSchema,
  create: createXmlConnector,
} satisfies ConnectorKind<XmlConfig>;

export { createXmlConnector } from './xml-connector.ts';
export { xmlConfigSchema, type FieldSpec, type XmlConfig, type XmlEntityConfig } from './xml-config.ts';
export { DEFAULT_MAX_DEPTH, DEFAULT_MAX_NODES, parseXmlSafely, type XmlDocument, type XmlElement, type XmlLimits, type XmlNode, type XmlParseContext } from './safe-xml.ts';
export { compileXmlPath, selectAll, selectText, textOf, type XmlPath } from './xml-path.ts';
export { extractRecords, mapRecord, mapResponse, recordKey, sapDate, type MappingContext, type RecordMapping } from './xml-records.ts';
export { compileRequestTemplate, escapeXml, renderRequest, structuredTemplate, type RequestTemplate } from './xml-request.ts';

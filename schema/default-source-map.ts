// Which demo connector and entity serve each part of the graph (unics.example.yaml's connectors). A deployment with
// other connector names passes its own SourceMap to createSchemaModule.
import type { SourceMap } from './schema-module.ts';

export const defaultSourceMap: SourceMap = Object.freeze({
  contact: Object.freeze({ connector: 'crm', entity: 'contact' }),
  contactByEmail: Object.freeze({ connector: 'crm', entity: 'contactByEmail' }),
  contactByPhone: Object.freeze({ connector: 'crm', entity: 'contactByPhone' }),
  ordersByCustomer: Object.freeze({ connector: 'shop', entity: 'ordersByCustomer' }),
  order: Object.freeze({ connector: 'shop', entity: 'order' }),
  ticketsByUser: Object.freeze({ connector: 'helpdesk', entity: 'ticketsByUser' }),
  shipmentsByOrder: Object.freeze({ connector: 'wms', entity: 'shipmentsByOrder' }),
  refundOrder: Object.freeze({ connector: 'shop', command: 'refundOrder' }),
});

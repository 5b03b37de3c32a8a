// GraphQL Mesh composition for the gateway benchmark's Hive Gateway peer (npx mesh-compose -c this file).
// Three subgraphs side by side, each from the source's own description, joined by batched schema extensions:
//   crm       the CRM's OpenAPI 3 description (examples/legacy/crm/openapi.json) via @omnigraph/openapi;
//             the bearer token is a static header read from CRM_TOKEN by the gateway at run time
//   shop      the Shop's WSDL via Mesh's SOAP handler (output kept in shop-subgraph.graphql, see README.md)
//   helpdesk  the Helpdesk's GraphQL API, introspected
// Contact.orders and Contact.tickets are @resolveTo extensions with keysArg/keyField/valueKeyField: Mesh's batch
// delegation, so the orders of many contacts cost one GetOrdersByCustomer call and their tickets one
// ticketsByUsers call, matched by each row's customerNo / userId (the sources answer in their own order).
// Endpoints come from CRM_URL, SHOP_URL and HELPDESK_URL (base URLs of the running simulators).
import { readFileSync } from 'node:fs';
import { buildSchema } from 'graphql';
import { defineConfig, loadGraphQLHTTPSubgraph } from '@graphql-mesh/compose-cli';
import { loadOpenAPISubgraph } from '@omnigraph/openapi';
import { shopSubgraphSdl } from './shop-subgraph.ts';

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`mesh.config.ts: set ${name} to the base URL of the running simulator (e.g. http://127.0.0.1:7001)`);
  return v.replace(/\/+$/, '');
}

const crmUrl = required('CRM_URL');
const shopUrl = required('SHOP_URL');
const helpdeskUrl = required('HELPDESK_URL');
const here = new URL('.', import.meta.url);

export const composeConfig = defineConfig({
  output: new URL('supergraph.graphql', here).pathname,
  subgraphs: [
    {
      sourceHandler: loadOpenAPISubgraph('crm', {
        source: new URL('../../../examples/legacy/crm/openapi.json', here).pathname,
        endpoint: `${crmUrl}/api/v1`,
        operationHeaders: { Authorization: 'Bearer {env.CRM_TOKEN}' },
      }),
    },
    {
      sourceHandler: () => ({
        name: 'shop',
        schema$: buildSchema(shopSubgraphSdl(readFileSync(new URL('shop-subgraph.graphql', here), 'utf8'), `${shopUrl}/shop`)),
      }),
    },
    {
      sourceHandler: loadGraphQLHTTPSubgraph('helpdesk', { endpoint: `${helpdeskUrl}/graphql` }),
    },
  ],
  additionalTypeDefs: /* GraphQL */ `
    extend type Contact {
      orders: [ShopService_Order]
        @resolveTo(
          sourceName: "shop"
          sourceTypeName: "Query"
          sourceFieldName: "ShopService_ShopService_ShopPort_GetOrdersByCustomer"
          keyField: "customerNo"
          keysArg: "GetOrdersByCustomer.customerNos.customerNo"
          result: "orders.order"
          valueKeyField: "customerNo"
        )
      tickets: [Ticket]
        @resolveTo(
          sourceName: "helpdesk"
          sourceTypeName: "Query"
          sourceFieldName: "ticketsByUsers"
          keyField: "helpdeskUserId"
          keysArg: "userIds"
          valueKeyField: "userId"
        )
    }
  `,
});

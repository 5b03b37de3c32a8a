// The customer-360 view of the demo systems: the CRM contact (captured by polling the CRM's change API), the shop's
// orders with their items and payments (Debezium on the shop's PostgreSQL), and the helpdesk's tickets (captured by
// polling the helpdesk). Orders join through the contact's shop customer number, tickets through its helpdesk user
// id: when a contact's mapping changes, the rows it points at move with it. Records come out in the shapes the
// demo connectors answer (schema/fixtures/source-records.json), so the resolvers read views and live answers alike.
import type { ViewDefinition } from './view-definition.ts';

export const customer360: ViewDefinition = {
  name: 'customer360',
  root: {
    source: 'crm',
    table: 'crm.contacts',
    key: 'id',
    links: { customerNo: 'customerNo', helpdeskUserId: 'helpdeskUserId' },
    fields: '*',
  },
  parts: [
    {
      name: 'orders',
      source: 'shop',
      table: 'shop.orders',
      key: ['id'],
      link: 'customerNo',
      linkColumn: 'customer_no',
      fields: {
        id: 'id',
        customerNo: 'customer_no',
        status: { column: 'status', as: 'lower' },
        totalCents: { column: 'total_cents', as: 'int' },
        currency: { column: 'currency', as: 'text' },
        createdAt: { column: 'created_at', as: 'iso-time' },
        updatedAt: { column: 'updated_at', as: 'iso-time' },
      },
      children: [
        {
          name: 'items',
          table: 'shop.order_items',
          key: ['order_id', 'line_no'],
          parentColumn: 'order_id',
          fields: {
            lineNo: { column: 'line_no', as: 'int' },
            sku: 'sku',
            name: 'name',
            quantity: { column: 'quantity', as: 'int' },
            unitPriceCents: { column: 'unit_price_cents', as: 'int' },
          },
        },
        {
          name: 'payments',
          table: 'shop.payments',
          key: ['id'],
          parentColumn: 'order_id',
          fields: {
            id: 'id',
            method: 'method',
            status: { column: 'status', as: 'lower' },
            amountCents: { column: 'amount_cents', as: 'int' },
            paidAt: { column: 'paid_at', as: 'iso-time' },
            updatedAt: { column: 'updated_at', as: 'iso-time' },
          },
        },
      ],
    },
    {
      name: 'tickets',
      source: 'helpdesk',
      table: 'helpdesk.tickets',
      key: ['id'],
      link: 'helpdeskUserId',
      linkColumn: 'userId',
      fields: '*',
      children: [],
    },
  ],
};

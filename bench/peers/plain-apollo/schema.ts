// The plain Apollo peer's schema: the part of the unified graph (schema/customer.graphql) that the gateway benchmark
// queries, with the same names, so the same query text runs on UniCS and on this peer.
export const typeDefs = /* GraphQL */ `
  type Query {
    customer(id: ID!): Customer
    customers(ids: [ID!]!): [Customer]!
  }

  type Customer {
    id: ID!
    profile: Profile
    orders(first: Int = 10, status: OrderStatus): [Order!]
    tickets(status: TicketStatus): [Ticket!]
  }

  type Profile {
    firstName: String
    lastName: String
    email: String
    phone: String
    language: String
    tier: String
    customerNo: String
    helpdeskUserId: String
    createdAt: String
    updatedAt: String
  }

  enum OrderStatus { PENDING PAID SHIPPED DELIVERED CANCELLED REFUNDED }

  type Order {
    id: ID!
    status: OrderStatus!
    totalCents: Int!
    currency: String!
    createdAt: String!
    updatedAt: String!
    items: [OrderItem!]!
    payment: Payment
    shipment: Shipment
  }

  type OrderItem {
    lineNo: Int!
    sku: String!
    name: String!
    quantity: Int!
    unitPriceCents: Int!
  }

  enum PaymentStatus { CAPTURED REFUNDED }

  type Payment {
    id: ID!
    method: String!
    status: PaymentStatus!
    amountCents: Int!
    paidAt: String
    updatedAt: String
  }

  enum ShipmentStatus { IN_TRANSIT DELIVERED }

  type Shipment {
    shipmentNo: String!
    deliveryNo: String
    carrier: String
    trackingNo: String
    status: ShipmentStatus!
    shippedAt: String
    deliveredAt: String
  }

  enum TicketStatus { OPEN PENDING RESOLVED CLOSED }
  enum TicketPriority { LOW NORMAL HIGH URGENT }

  type Ticket {
    id: ID!
    subject: String!
    status: TicketStatus!
    priority: TicketPriority
    createdAt: String
    updatedAt: String
  }
`;

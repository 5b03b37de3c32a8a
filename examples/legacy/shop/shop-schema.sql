-- The Shop's database: schema "shop". Run by seedShopDatabase (after "drop schema if exists shop cascade"), the same
-- SQL on PostgreSQL and on PGlite. Debezium captures these tables; "replica identity full" makes every update and
-- delete event carry the complete before-image, which the CDC projections use to move orders between customers.
create schema shop;

create table shop.orders (
  id          text primary key,
  customer_no text not null,
  status      text not null,
  total_cents bigint not null,
  currency    char(3) not null,
  created_at  timestamptz,
  updated_at  timestamptz not null
);
create index orders_customer_no_idx on shop.orders (customer_no);

create table shop.order_items (
  order_id         text not null references shop.orders (id) on delete cascade,
  line_no          int not null,
  sku              text not null,
  name             text not null,
  quantity         int not null,
  unit_price_cents bigint not null,
  primary key (order_id, line_no)
);

create table shop.payments (
  id           text primary key,
  order_id     text not null references shop.orders (id),
  method       text not null,
  status       text not null,
  amount_cents bigint not null,
  paid_at      timestamptz,
  updated_at   timestamptz not null
);
create index payments_order_id_idx on shop.payments (order_id);

alter table shop.orders replica identity full;
alter table shop.order_items replica identity full;
alter table shop.payments replica identity full;

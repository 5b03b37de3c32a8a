-- The chat core's tables. Unqualified names: the migration runner runs this with the chat schema on the search_path.

-- A conversation belongs to one tenant and one customer (the visitor). `state` is 'open' or 'closed' for the core;
-- chat/routing may use more open states (queued, assigned) — anything but 'closed' counts as open.
create table conversations (
  id uuid primary key default gen_random_uuid(),
  tenant text not null,
  customer_id text not null,
  state text not null default 'open',
  -- The last seq handed out in this conversation; bumped under the row lock by every append.
  last_seq bigint not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  closed_at timestamptz
);
-- At most one open conversation per customer: a visitor's first send finds it or creates it.
create unique index conversations_one_open_per_customer on conversations (tenant, customer_id) where state <> 'closed';
create index conversations_by_tenant on conversations (tenant, updated_at desc);

-- Messages and business events share one seq sequence per conversation (1, 2, 3 … without gaps).
-- kind 'message': a participant's text (body); kind 'event': a business event (event_kind, data) from the system.
create table messages (
  conversation_id uuid not null references conversations (id),
  seq bigint not null,
  kind text not null check (kind in ('message', 'event')),
  sender_role text not null,
  sender_id text not null,
  -- The sender's idempotency key (for events: the event's id), unique per sender in the conversation.
  client_msg_id text,
  body text,
  event_kind text,
  data jsonb,
  created_at timestamptz not null default now(),
  primary key (conversation_id, seq)
);
-- A re-sent message (same sender, same clientMsgId) is stored once.
create unique index messages_client_msg_id on messages (conversation_id, sender_role, sender_id, client_msg_id) where client_msg_id is not null;

-- The highest seq each participant has acknowledged.
create table acks (
  conversation_id uuid not null references conversations (id),
  participant_role text not null,
  participant_id text not null,
  last_seq bigint not null,
  updated_at timestamptz not null default now(),
  primary key (conversation_id, participant_role, participant_id)
);

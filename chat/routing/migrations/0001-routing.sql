-- chat/routing's tables (owner "routing"), next to the chat core's. Times are milliseconds since the epoch from the
-- injected clock (so unit tests drive them), as bigint.

-- Agents as routing sees them. `active` counts the conversations assigned to the agent; every assignment and
-- release updates it under the agent row's lock, so it always equals the number of assigned conversations.
create table routing_agents (
  tenant text not null,
  agent_id text not null,
  status text not null default 'offline' check (status in ('online', 'offline')),
  skills text[] not null default '{}',
  languages text[] not null default '{}',
  capacity integer not null check (capacity >= 0),
  active integer not null default 0 check (active >= 0),
  -- When the agent last got a conversation or came online; the smallest is the longest idle.
  idle_since_ms bigint,
  updated_at_ms bigint not null,
  primary key (tenant, agent_id)
);

-- An agent's open sockets, on any instance. An agent with none left is offline. `seen_at_ms` is refreshed by the
-- instance holding the socket; sessions of a crashed instance expire and release their agents.
create table routing_sessions (
  session_id text primary key,
  tenant text not null,
  agent_id text not null,
  instance_id text not null,
  seen_at_ms bigint not null
);
create index routing_sessions_by_agent on routing_sessions (tenant, agent_id);
create index routing_sessions_by_seen on routing_sessions (seen_at_ms);

-- Where each conversation is in routing: queued (waiting, with its needs), assigned (to one agent) or closed.
create table routing_conversations (
  conversation_id uuid primary key references conversations (id),
  tenant text not null,
  customer_id text not null,
  state text not null check (state in ('queued', 'assigned', 'closed')),
  skill text,
  language text,
  -- 1 for conversations back in the queue (agent went offline, transfer to a skill): they go first.
  priority integer not null default 0,
  -- When it first started waiting; kept when it comes back to the queue.
  enqueued_at_ms bigint not null,
  agent_id text,
  assigned_at_ms bigint,
  closed_at_ms bigint,
  check ((state = 'assigned') = (agent_id is not null))
);
create index routing_queue on routing_conversations (tenant, priority desc, enqueued_at_ms, conversation_id) where state = 'queued';
create index routing_by_agent on routing_conversations (tenant, agent_id) where state = 'assigned';
create index routing_by_customer on routing_conversations (tenant, customer_id) where state <> 'closed';

-- The agent who last served each customer (routing prefers them next time).
create table routing_last_agent (
  tenant text not null,
  customer_id text not null,
  agent_id text not null,
  served_at_ms bigint not null,
  primary key (tenant, customer_id)
);

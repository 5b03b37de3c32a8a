-- chat/agent-tools' tables (owner "agent-tools"), next to the chat core's. Times are ms since the epoch from the
-- injected clock.

-- Internal notes: agents only. They live apart from `messages` on purpose: the visitor's paths (send, resume,
-- history, fan-out) read `messages` and can never return a note. Each conversation numbers its notes 1, 2, 3 …
-- (note_seq); after_seq is the conversation's last message seq when the note was written (where it sits in the
-- timeline).
create table agent_notes (
  conversation_id uuid not null references conversations (id),
  note_seq bigint not null,
  tenant text not null,
  author_id text not null,
  client_msg_id text not null,
  body text not null,
  after_seq bigint not null,
  created_at_ms bigint not null,
  primary key (conversation_id, note_seq)
);
-- A re-sent note (same author, same clientMsgId) is stored once.
create unique index agent_notes_client_msg_id on agent_notes (conversation_id, author_id, client_msg_id);

-- Retracted messages: the message stays in `messages` (and in history), marked retracted by this row.
create table message_retractions (
  conversation_id uuid not null references conversations (id),
  seq bigint not null,
  tenant text not null,
  retracted_by_role text not null,
  retracted_by_id text not null,
  retracted_at_ms bigint not null,
  primary key (conversation_id, seq)
);

-- Read receipts: the highest seq each participant has read (never moves back). Not messages: no seq of their own.
create table read_receipts (
  conversation_id uuid not null references conversations (id),
  participant_role text not null,
  participant_id text not null,
  tenant text not null,
  last_read_seq bigint not null,
  updated_at_ms bigint not null,
  primary key (conversation_id, participant_role, participant_id)
);

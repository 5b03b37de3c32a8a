-- append_entries: many appends in one statement and one transaction (one commit, so one WAL flush, for a whole
-- batch; the store groups concurrent appends, see append-batcher.ts). Entries are taken in conversation-id order, so
-- two batches lock conversations in the same order and cannot deadlock; within a conversation in the order given.
-- Each entry goes through append_entry (same rules: duplicate, closed, not_found). Returns one row per entry, `i`
-- being its index in the input array.
create function append_entries(p_entries jsonb)
returns table (
  i integer, outcome text, seq bigint, kind text, sender_role text, sender_id text, client_msg_id text,
  body text, event_kind text, data jsonb, created_at timestamptz
) language plpgsql set search_path from current as $$
#variable_conflict use_column
declare
  r record;
begin
  for r in
    select x.i, x.conversation_id, x.tenant, x.kind, x.sender_role, x.sender_id, x.client_msg_id, x.body, x.event_kind, x.data
    from jsonb_to_recordset(p_entries) as x(i integer, conversation_id uuid, tenant text, kind text, sender_role text, sender_id text, client_msg_id text, body text, event_kind text, data jsonb)
    order by x.conversation_id, x.i
  loop
    return query select r.i, a.* from append_entry(r.conversation_id, r.tenant, r.kind, r.sender_role, r.sender_id, r.client_msg_id, r.body, r.event_kind, r.data) a;
  end loop;
end
$$;

-- append_entry: appends one message or event to a conversation in ONE statement (one round trip, its own
-- transaction when called outside one). Under the conversation row's lock it (1) returns the original when the
-- sender already sent this clientMsgId, (2) refuses closed conversations, (3) takes the next seq and stores the entry.
-- The lock serialises appends to one conversation across every connection and instance, so seq has no gaps and
-- no duplicates; plpgsql takes a fresh snapshot per statement, so the duplicate check sees a racing append that
-- committed while this one waited for the lock.
-- outcome: 'stored' | 'duplicate' | 'closed' | 'not_found' (seq and the rest are null for the last two).
create function append_entry(
  p_conversation_id uuid, p_tenant text, p_kind text, p_sender_role text, p_sender_id text,
  p_client_msg_id text, p_body text, p_event_kind text, p_data jsonb
) returns table (
  outcome text, seq bigint, kind text, sender_role text, sender_id text, client_msg_id text,
  body text, event_kind text, data jsonb, created_at timestamptz
) language plpgsql set search_path from current as $$
#variable_conflict use_column
declare
  v_state text;
  v_seq bigint;
begin
  select c.state into v_state from conversations c where c.id = p_conversation_id and c.tenant = p_tenant for update;
  if not found then
    return query select 'not_found'::text, null::bigint, null::text, null::text, null::text, null::text, null::text, null::text, null::jsonb, null::timestamptz;
    return;
  end if;
  if p_client_msg_id is not null then
    return query select 'duplicate'::text, m.seq, m.kind, m.sender_role, m.sender_id, m.client_msg_id, m.body, m.event_kind, m.data, m.created_at
      from messages m
      where m.conversation_id = p_conversation_id and m.sender_role = p_sender_role and m.sender_id = p_sender_id and m.client_msg_id = p_client_msg_id;
    if found then
      return;
    end if;
  end if;
  if v_state = 'closed' then
    return query select 'closed'::text, null::bigint, null::text, null::text, null::text, null::text, null::text, null::text, null::jsonb, null::timestamptz;
    return;
  end if;
  update conversations c set last_seq = c.last_seq + 1, updated_at = now() where c.id = p_conversation_id returning c.last_seq into v_seq;
  return query insert into messages as m (conversation_id, seq, kind, sender_role, sender_id, client_msg_id, body, event_kind, data)
    values (p_conversation_id, v_seq, p_kind, p_sender_role, p_sender_id, p_client_msg_id, p_body, p_event_kind, p_data)
    returning 'stored'::text, m.seq, m.kind, m.sender_role, m.sender_id, m.client_msg_id, m.body, m.event_kind, m.data, m.created_at;
end
$$;

// Routing and agent tools through the frame handlers the chat sessions call, on PGlite with the real chat store and
// the in-process fan-out: what each participant would receive is what their topics receive.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEmitter, createFakeClock, createLogger, isUnicsError } from '../../common/index.ts';
import type { ChatPrincipal } from '../auth/chat-authenticator.ts';
import type { ChatDatabase } from '../db/chat-database.ts';
import { runChatMigrations } from '../db/migrate.ts';
import { createPgliteChatDatabase } from '../db/pglite-chat-database.ts';
import { conversationTopic, createLocalFanout, participantTopic, type ChatFanout } from '../fanout/chat-fanout.ts';
import { createFrameCodec } from '../protocol/frame-codec.ts';
import type { ChatEvents } from '../session/chat-events.ts';
import type { ChatSession, SessionContext } from '../session/chat-sessions.ts';
import { chatCoreMigrations } from '../store/chat-migrations.ts';
import type { ChatStore, Participant } from '../store/chat-store.ts';
import { createSqlChatStore } from '../store/sql-chat-store.ts';
import { createChatRouting, type ChatRouting } from './create-chat-routing.ts';

type Frame = { readonly type: string; readonly [k: string]: unknown };

describe('chat routing through the frame handlers (PGlite)', () => {
  let db: ChatDatabase;
  let store: ChatStore;
  let fanout: ChatFanout;
  let routing: ChatRouting;
  const clock = createFakeClock(1_800_000_000_000);
  const events = createEmitter<ChatEvents>();
  let T = '';
  let n = 0;
  /** Frames per topic, as the sockets subscribed to them would get them. */
  const heard = new Map<string, Frame[]>();

  beforeAll(async () => {
    db = await createPgliteChatDatabase({ schema: 'chat_routing_svc' });
    store = createSqlChatStore(db);
    fanout = createLocalFanout();
    routing = createChatRouting({ db, fanout, clock, log: createLogger({ level: 'silent' }), instanceId: 'i1', options: { notifyDelayMs: 10 } });
    await runChatMigrations(db, [...chatCoreMigrations(), ...routing.migrations]);
    routing.attach(events);
  }, 120_000);
  afterAll(async () => {
    await routing.stop();
    await db.close();
  });
  beforeEach(() => {
    T = `tenant-${++n}`;
  });

  const listen = (topic: string) => {
    const list: Frame[] = [];
    heard.set(topic, list);
    fanout.subscribe(topic, (m) => list.push(m.kind === 'frame' ? m.frame : { type: `entry:${m.entry.kind}`, seq: m.entry.seq }));
    return list;
  };
  const agentTopic = (id: string) => listen(participantTopic(T, { role: 'agent', id }));
  const visitorTopic = (id: string) => listen(participantTopic(T, { role: 'visitor', id }));
  const settle = async () => {
    await routing.idle();
    clock.advance(20);
    await routing.idle();
  };

  const principal = (participant: Participant, roles: string[] = []): ChatPrincipal => ({ tenant: T, participant, roles });
  // One session object per participant, as one socket would have across its frames.
  const sessions = new Map<string, ChatSession>();
  const sessionOf = (p: ChatPrincipal) => {
    const key = `${p.tenant}|${p.participant.role}|${p.participant.id}`;
    let s = sessions.get(key);
    if (s === undefined) sessions.set(key, (s = { id: `s-${key}`, principal: p } as unknown as ChatSession));
    return s;
  };
  const ctxFor = (p: ChatPrincipal) => {
    const sent: Frame[] = [];
    const ctx: SessionContext = {
      session: sessionOf(p),
      store,
      fanout,
      policy: routing.policy,
      events,
      send: (f) => void sent.push(f as unknown as Frame),
      join: async () => {},
      isJoined: () => false,
      leave: () => {},
    };
    return { ctx, sent };
  };
  const codec = () => createFrameCodec({ extraFrames: routing.extraFrames });
  /** Decodes the frame as the socket would, then runs its handler; returns the caught error's code, if any. */
  async function frame(p: ChatPrincipal, f: Frame): Promise<{ code?: string; sent: Frame[] }> {
    const decoded = codec().decode(JSON.stringify(f), false);
    if (!decoded.ok) return { code: decoded.error.code, sent: [] };
    const { ctx, sent } = ctxFor(p);
    try {
      await routing.handlers[decoded.frame.type]!.handle(decoded.frame, ctx);
      return { sent };
    } catch (err) {
      return { code: isUnicsError(err) ? err.code : 'UNEXPECTED', sent };
    }
  }
  async function openConversation(customerId: string): Promise<string> {
    const { conversation } = await store.openConversation(T, customerId);
    events.emit('chat.conversation_opened', { conversation, by: principal({ role: 'visitor', id: customerId }) });
    await settle();
    return conversation.id;
  }
  async function connectAgent(id: string, sessionId = `${T}-${id}`): Promise<string> {
    events.emit('chat.connection_opened', { sessionId, tenant: T, participant: { role: 'agent', id } });
    await settle();
    return sessionId;
  }

  it('visitors learn their queue position; the first agent online gets the conversations, and both sides are told', async () => {
    const v1 = visitorTopic('C1');
    const v2 = visitorTopic('C2');
    const c1 = await openConversation('C1');
    const c2 = await openConversation('C2');
    // Each change tells every waiting visitor where they stand (C1 hears position 1 again when C2 arrives).
    expect(v1).toEqual([
      { type: 'queue', conversationId: c1, position: 1 },
      { type: 'queue', conversationId: c1, position: 1 },
    ]);
    expect(v2).toEqual([{ type: 'queue', conversationId: c2, position: 2 }]);
    const alice = agentTopic('alice');
    await connectAgent('alice');
    expect(alice.filter((f) => f.type === 'assigned')).toEqual([
      { type: 'assigned', conversationId: c1, customerId: 'C1', agentId: 'alice' },
      { type: 'assigned', conversationId: c2, customerId: 'C2', agentId: 'alice' },
    ]);
    expect(v1.at(-1)).toEqual({ type: 'assigned', conversationId: c1, customerId: 'C1', agentId: 'alice' });
  });

  it('accept: two agents racing for one conversation — one gets it, the other CHAT_ERR_ALREADY_ASSIGNED', async () => {
    const c = await openConversation('C1');
    // Sessions recorded without a dispatch: the agents claim by hand.
    await routing.service.presence.connect({ tenant: T, agentId: 'alice', sessionId: `${T}-a` }, { skills: [], languages: [], capacity: 2 });
    await routing.service.presence.connect({ tenant: T, agentId: 'bob', sessionId: `${T}-b` }, { skills: [], languages: [], capacity: 2 });
    const [a, b] = await Promise.all([
      frame(principal({ role: 'agent', id: 'alice' }, ['agent']), { type: 'accept', conversationId: c }),
      frame(principal({ role: 'agent', id: 'bob' }, ['agent']), { type: 'accept', conversationId: c }),
    ]);
    expect([a.code, b.code].sort()).toEqual(['CHAT_ERR_ALREADY_ASSIGNED', undefined].sort());
    const winner = a.code === undefined ? 'alice' : 'bob';
    expect((await routing.service.queries.conversation(T, c))?.agentId).toBe(winner);
    // A visitor cannot accept; a garbage accept is a bad frame.
    expect((await frame(principal({ role: 'visitor', id: 'C1' }), { type: 'accept', conversationId: c })).code).toBe('CHAT_ERR_FORBIDDEN');
    expect((await frame(principal({ role: 'agent', id: 'bob' }), { type: 'accept', conversationId: 'nope' })).code).toBe('CHAT_ERR_BAD_FRAME');
    expect((await frame(principal({ role: 'agent', id: 'bob' }), { type: 'transfer', conversationId: c })).code).toBe('CHAT_ERR_BAD_FRAME');
  });

  /** A conversation of C1 assigned to alice (bob online too), with one visitor message (seq 1). */
  async function assignedConversation() {
    const c = await openConversation('C1');
    await connectAgent('alice');
    await routing.service.presence.connect({ tenant: T, agentId: 'bob', sessionId: `${T}-bob` }, { skills: [], languages: [], capacity: 2 });
    expect((await routing.service.queries.conversation(T, c))?.agentId).toBe('alice');
    await store.appendMessage({ tenant: T, conversationId: c, from: { role: 'visitor', id: 'C1' }, clientMsgId: 'v1', text: 'hello' });
    return c;
  }
  const alice = () => principal({ role: 'agent', id: 'alice' }, ['agent']);
  const bob = () => principal({ role: 'agent', id: 'bob' }, ['agent']);
  const visitor = () => principal({ role: 'visitor', id: 'C1' });

  it('internal notes reach agents only: never the conversation topic, the visitor, resume or history', async () => {
    const c = await assignedConversation();
    const conversation = listen(conversationTopic(c));
    const v = visitorTopic('C1');
    const a = agentTopic('alice');
    const b = agentTopic('bob');
    expect((await frame(bob(), { type: 'note', conversationId: c, clientMsgId: 'n1', text: 'customer is VIP' })).code).toBe('CHAT_ERR_FORBIDDEN'); // not bob's
    const r = await frame(alice(), { type: 'note', conversationId: c, clientMsgId: 'n1', text: 'customer is VIP' });
    expect(r.code).toBeUndefined();
    expect(a).toEqual([expect.objectContaining({ type: 'note', conversationId: c, noteSeq: 1, afterSeq: 1, text: 'customer is VIP', from: { role: 'agent', id: 'alice' } })]);
    expect([conversation, v, b]).toEqual([[], [], []]);
    // A re-send answers the sender with the original, once.
    expect((await frame(alice(), { type: 'note', conversationId: c, clientMsgId: 'n1', text: 'again' })).sent).toEqual([expect.objectContaining({ noteSeq: 1, text: 'customer is VIP', duplicate: true })]);
    expect(a).toHaveLength(1);
    // The visitor cannot write or read notes, and their resume and history hold none.
    expect((await frame(visitor(), { type: 'note', conversationId: c, clientMsgId: 'x', text: 'x' })).code).toBe('CHAT_ERR_FORBIDDEN');
    expect((await frame(visitor(), { type: 'notes', conversationId: c, afterNoteSeq: 0 })).code).toBe('CHAT_ERR_FORBIDDEN');
    const texts = (await store.entriesAfter(T, c, 0, 100)).map((e) => (e.kind === 'message' ? e.text : e.eventKind));
    expect(texts).toEqual(['hello']);
    expect((await store.history(T, c, { limit: 50 })).entries).toHaveLength(1);
    // The agent replays them.
    expect((await frame(alice(), { type: 'notes', conversationId: c, afterNoteSeq: 0 })).sent.map((f) => f.text)).toEqual(['customer is VIP']);
  });

  it('retract: the sender\'s own message, announced to the conversation, kept in history and listed as retracted', async () => {
    const c = await assignedConversation();
    const { entry } = await store.appendMessage({ tenant: T, conversationId: c, from: { role: 'agent', id: 'alice' }, clientMsgId: 'a1', text: 'wrong link' });
    const conversation = listen(conversationTopic(c));
    expect((await frame(visitor(), { type: 'retract', conversationId: c, seq: entry.seq })).code).toBe('CHAT_ERR_CANNOT_RETRACT');
    expect((await frame(alice(), { type: 'retract', conversationId: c, seq: 1 })).code).toBe('CHAT_ERR_CANNOT_RETRACT');
    expect((await frame(alice(), { type: 'retract', conversationId: c, seq: entry.seq })).code).toBeUndefined();
    expect(conversation).toEqual([expect.objectContaining({ type: 'retracted', conversationId: c, seq: entry.seq, by: { role: 'agent', id: 'alice' } })]);
    // Twice: the sender hears the first again, nobody else.
    expect((await frame(alice(), { type: 'retract', conversationId: c, seq: entry.seq })).sent).toEqual([expect.objectContaining({ type: 'retracted', seq: entry.seq })]);
    expect(conversation).toHaveLength(1);
    expect((await store.history(T, c, { limit: 50 })).entries.map((e) => e.seq)).toEqual([1, entry.seq]);
    // Read through the marking store (what sessions use): marked and emptied; the database keeps the text.
    const marked = routing.wrapStore(store);
    const page = await marked.history(T, c, { limit: 50 });
    expect(page.entries.map((e) => (e.kind === 'message' ? [e.seq, e.text, e.retracted?.by.id] : [])).filter((x) => x.length > 0)).toEqual([
      [1, 'hello', undefined],
      [entry.seq, '', 'alice'],
    ]);
    expect((await marked.entriesAfter(T, c, 1, 10))[0]).toMatchObject({ seq: entry.seq, text: '', retracted: { by: { role: 'agent', id: 'alice' } } });
    expect((await store.entriesAfter(T, c, 1, 10))[0]).toMatchObject({ seq: entry.seq, text: 'wrong link' });
    expect((await frame(visitor(), { type: 'retractions', conversationId: c })).sent).toEqual([
      { type: 'retractions', conversationId: c, entries: [expect.objectContaining({ seq: entry.seq, by: { role: 'agent', id: 'alice' } })] },
    ]);
  });

  it('typing is passed on at most once a second per socket (stops always), read receipts are kept and never go back', async () => {
    const c = await assignedConversation();
    const conversation = listen(conversationTopic(c));
    for (let i = 0; i < 5; i++) await frame(visitor(), { type: 'typing', conversationId: c, typing: true });
    await frame(visitor(), { type: 'typing', conversationId: c, typing: false });
    clock.advance(1000);
    await frame(visitor(), { type: 'typing', conversationId: c, typing: true });
    expect(conversation.map((f) => f.typing)).toEqual([true, false, true]);
    expect((await frame(bob(), { type: 'typing', conversationId: c, typing: true })).code).toBe('CHAT_ERR_FORBIDDEN');
    conversation.length = 0;
    await frame(alice(), { type: 'read', conversationId: c, seq: 1 });
    await frame(alice(), { type: 'read', conversationId: c, seq: 0 });
    expect(conversation).toEqual([
      { type: 'read', conversationId: c, from: { role: 'agent', id: 'alice' }, seq: 1 },
      { type: 'read', conversationId: c, from: { role: 'agent', id: 'alice' }, seq: 1 },
    ]);
    // Not messages: the conversation's seq did not move.
    expect((await store.getConversation(T, c))?.lastSeq).toBe(1);
  });

  it('only the assigned agent (or a supervisor) may send; transfer hands over, and the old agent may no longer send', async () => {
    const c = await assignedConversation();
    const conv = (await store.getConversation(T, c))!;
    expect(await routing.policy.canSend(alice(), conv)).toBe(true);
    expect(await routing.policy.canSend(bob(), conv)).toBe(false);
    expect(await routing.policy.canRead(bob(), conv)).toBe(false);
    expect(await routing.policy.canSend(principal({ role: 'agent', id: 'sue' }, ['agent', 'supervisor']), conv)).toBe(true);
    expect(await routing.policy.canRead(principal({ role: 'visitor', id: 'C2' }), conv)).toBe(false);
    const a = agentTopic('alice');
    const b = agentTopic('bob');
    expect((await frame(bob(), { type: 'transfer', conversationId: c, toAgentId: 'alice' })).code).toBe('CHAT_ERR_NOT_ASSIGNED');
    expect((await frame(alice(), { type: 'transfer', conversationId: c, toAgentId: 'zed' })).code).toBe('CHAT_ERR_AGENT_UNAVAILABLE');
    expect((await frame(alice(), { type: 'transfer', conversationId: c, toAgentId: 'bob' })).code).toBeUndefined();
    expect(a).toContainEqual({ type: 'unassigned', conversationId: c, reason: 'transferred' });
    expect(b).toContainEqual({ type: 'assigned', conversationId: c, customerId: 'C1', agentId: 'bob' });
    expect(await routing.policy.canSend(alice(), conv)).toBe(false);
    expect(await routing.policy.canSend(bob(), conv)).toBe(true);
  });

  it('an agent whose last socket closes releases their conversations to the front of the queue; the visitor is told', async () => {
    const c = await assignedConversation();
    const v = visitorTopic('C1');
    const a = agentTopic('alice');
    await routing.service.presence.setStatus(T, 'bob', 'offline'); // nobody to take it over
    events.emit('chat.connection_closed', { sessionId: `${T}-alice`, tenant: T, participant: { role: 'agent', id: 'alice' }, code: 1006, reason: 'dead' });
    await settle();
    expect(a).toContainEqual({ type: 'unassigned', conversationId: c, reason: 'offline' });
    expect(v).toEqual([{ type: 'queue', conversationId: c, position: 1 }]);
    expect(await routing.service.queries.queue(T)).toEqual([expect.objectContaining({ conversationId: c, priority: 1 })]);
    // Alice comes back: it is hers again (she served this customer last).
    await connectAgent('alice', `${T}-alice-2`);
    expect((await routing.service.queries.conversation(T, c))?.agentId).toBe('alice');
  });

  it('close by the visitor ends the conversation for everyone and frees the agent\'s seat', async () => {
    const c = await assignedConversation();
    const conversation = listen(conversationTopic(c));
    const a = agentTopic('alice');
    expect((await frame(bob(), { type: 'close', conversationId: c })).code).toBe('CHAT_ERR_NOT_ASSIGNED');
    expect((await frame(principal({ role: 'visitor', id: 'C2' }), { type: 'close', conversationId: c })).code).toBe('CHAT_ERR_FORBIDDEN');
    expect((await frame(visitor(), { type: 'close', conversationId: c })).code).toBeUndefined();
    expect(conversation).toEqual([{ type: 'closed', conversationId: c, by: { role: 'visitor', id: 'C1' } }]);
    expect(a).toContainEqual({ type: 'unassigned', conversationId: c, reason: 'closed' });
    expect((await store.getConversation(T, c))?.state).toBe('closed');
    expect((await routing.service.queries.agent(T, 'alice'))?.active).toBe(0);
    expect((await frame(alice(), { type: 'accept', conversationId: c })).code).toBe('CHAT_ERR_CONVERSATION_CLOSED');
  });

  it('presence: offline releases and says what, online with a new profile takes work matching it', async () => {
    const c = await assignedConversation();
    const off = await frame(alice(), { type: 'presence', status: 'offline' });
    expect(off.sent).toEqual([{ type: 'presence', status: 'offline', released: [c] }]);
    await settle();
    // bob (online, free) got it meanwhile.
    expect((await routing.service.queries.conversation(T, c))?.agentId).toBe('bob');
    const on = await frame(alice(), { type: 'presence', status: 'online', skills: ['billing'], languages: ['de'], capacity: 4 });
    expect(on.sent).toEqual([{ type: 'presence', status: 'online', released: [] }]);
    expect(await routing.service.queries.agent(T, 'alice')).toMatchObject({ status: 'online', skills: ['billing'], languages: ['de'], capacity: 4 });
    expect((await frame(alice(), { type: 'presence', status: 'online', capacity: 500 })).code).toBe('CHAT_ERR_BAD_FRAME');
    expect((await frame(alice(), { type: 'presence', status: 'online', skills: ['Not A Name'] })).code).toBe('CHAT_ERR_BAD_FRAME');
    expect((await frame(visitor(), { type: 'presence', status: 'online' })).code).toBe('CHAT_ERR_FORBIDDEN');
    expect((await frame(alice(), { type: 'waiting' })).sent).toEqual([{ type: 'waiting', entries: [] }]);
  });
});

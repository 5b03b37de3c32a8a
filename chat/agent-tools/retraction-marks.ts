// Retracted messages stay in history, marked: the store the sessions read through (resume, history, gap repair)
// marks each retracted message with who retracted it and when, and empties its text (the original stays in the
// database). One extra indexed read per page of entries that holds messages; live delivery is untouched (a
// retraction comes after the message; live clients hear a `retracted` frame).
import type { ChatEntry, ChatStore } from '../store/chat-store.ts';
import type { AgentToolsStore } from './agent-tools-store.ts';

export function withRetractionMarks(store: ChatStore, tools: Pick<AgentToolsStore, 'retractions'>): ChatStore {
  async function mark(tenant: string, conversationId: string, entries: readonly ChatEntry[]): Promise<ChatEntry[]> {
    const seqs = entries.filter((e) => e.kind === 'message').map((e) => e.seq);
    if (seqs.length === 0) return [...entries];
    const found = await tools.retractions(tenant, conversationId, seqs);
    if (found.size === 0) return [...entries];
    return entries.map((e) => {
      const r = e.kind === 'message' ? found.get(e.seq) : undefined;
      return r === undefined || e.kind !== 'message' ? e : { ...e, text: '', retracted: { by: r.by, at: r.at } };
    });
  }
  return {
    ...store,
    async entriesAfter(tenant, conversationId, afterSeq, limit) {
      return mark(tenant, conversationId, await store.entriesAfter(tenant, conversationId, afterSeq, limit));
    },
    async history(tenant, conversationId, options) {
      const page = await store.history(tenant, conversationId, options);
      return { ...page, entries: await mark(tenant, conversationId, page.entries) };
    },
  };
}

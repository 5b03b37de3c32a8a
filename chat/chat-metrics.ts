// Prometheus metrics of the chat, as listeners of its events (STYLE.md 10): unics_chat_connections (DESIGN.md) and a
// few counters.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Emitter, Unsubscribe } from '../common/typed-events.ts';
import type { ChatEvents } from './session/chat-events.ts';

export function registerChatMetrics(events: Emitter<ChatEvents>, registry: Registry): Unsubscribe {
  const connections = new Gauge({ name: 'unics_chat_connections', help: 'Open chat WebSocket connections, by role (visitor, agent).', labelNames: ['role'], registers: [registry] });
  connections.set({ role: 'visitor' }, 0);
  connections.set({ role: 'agent' }, 0);
  const messages = new Counter({ name: 'unics_chat_messages_total', help: 'Chat messages received, by outcome (stored, duplicate: a re-sent clientMsgId).', labelNames: ['outcome'], registers: [registry] });
  const rejected = new Counter({ name: 'unics_chat_frames_rejected_total', help: 'Chat frames answered with an error frame, by error code.', labelNames: ['code'], registers: [registry] });
  const refused = new Counter({ name: 'unics_chat_connections_refused_total', help: 'Chat upgrades refused, by error code.', labelNames: ['code'], registers: [registry] });
  const closed = new Counter({ name: 'unics_chat_connections_closed_total', help: 'Chat connections closed, by reason (client, shutdown, slow_consumer, dead).', labelNames: ['reason'], registers: [registry] });
  const offs = [
    events.on('chat.connection_opened', ({ participant }) => connections.inc({ role: participant.role })),
    events.on('chat.connection_closed', ({ participant, reason }) => {
      connections.dec({ role: participant.role });
      closed.inc({ reason });
    }),
    events.on('chat.connection_refused', ({ code }) => refused.inc({ code })),
    events.on('chat.entry_stored', ({ duplicate }) => messages.inc({ outcome: duplicate ? 'duplicate' : 'stored' })),
    events.on('chat.frame_rejected', ({ code }) => rejected.inc({ code })),
  ];
  return () => {
    for (const off of offs) off();
    for (const name of ['unics_chat_connections', 'unics_chat_messages_total', 'unics_chat_frames_rejected_total', 'unics_chat_connections_refused_total', 'unics_chat_connections_closed_total']) registry.removeSingleMetric(name);
  };
}

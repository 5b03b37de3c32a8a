// The CHAT catalogue: what the chat's WebSocket (ws /chat), its HTTP routes (POST /chat/visitor-token) and its store
// answer. On the socket an error is an `error {code, message}` frame; the ones with a wsClose end the connection with
// that close code. docs/errors.md lists these under "CHAT".
import { defineErrors } from '../common/errors.ts';

export const chatErrors = defineErrors('CHAT', {
  CHAT_ERR_BAD_FRAME: {
    description:
      'A frame is not a JSON object, or a field is missing, of the wrong type or too long; the message names the field. ' +
      'The frame is dropped; the connection stays open.',
    httpStatus: 400,
    retriable: false,
  },
  CHAT_ERR_UNKNOWN_TYPE: {
    description: 'A frame has a `type` the server does not know; the message lists the types it accepts. The frame is dropped.',
    httpStatus: 400,
    retriable: false,
  },
  CHAT_ERR_FRAME_TOO_LARGE: {
    description:
      'A frame is larger than chat.maxFrame (default 16 KiB): it is dropped unread with this error. Frames larger than ' +
      'chat.maxPayload (default 64 KiB) close the connection with 1009 before they are read.',
    httpStatus: 413,
    retriable: false,
    wsClose: 1009,
  },
  CHAT_ERR_RATE_LIMITED: {
    description:
      'The connection sent frames faster than chat.rateLimit allows (default 20 a second, bursts of 40). The frame is ' +
      'dropped; slow down and re-send it (with the same clientMsgId: it is stored once).',
    httpStatus: 429,
    retriable: true,
  },
  CHAT_ERR_UNAUTHORIZED: {
    description:
      'The WebSocket upgrade has no token, or its token is malformed, expired or signed with another key. Send ' +
      '`?token=` with an agent JWT or a visitor token (POST /chat/visitor-token in the demo). The upgrade is refused ' +
      'with HTTP 401, or the socket closed with 4401.',
    httpStatus: 401,
    retriable: false,
    wsClose: 4401,
  },
  CHAT_ERR_FORBIDDEN: {
    description:
      'The token is valid but may not do this: an agent token without an agent role (chat.agentRoles), a tenant this ' +
      'gateway does not serve, or a visitor acting in a conversation that is not theirs.',
    httpStatus: 403,
    retriable: false,
    wsClose: 4403,
  },
  CHAT_ERR_NOT_FOUND: {
    description:
      'No conversation with this id in your tenant (conversations of other tenants are reported the same way, so ' +
      'their existence does not leak).',
    httpStatus: 404,
    retriable: false,
  },
  CHAT_ERR_CONVERSATION_CLOSED: {
    description: 'The conversation is closed; nothing more can be sent into it. A visitor starts a new one with a send without conversationId.',
    httpStatus: 409,
    retriable: false,
  },
  CHAT_ERR_SLOW_CONSUMER: {
    description:
      'The client read its socket too slowly: more than chat.maxBufferedBytes (default 1 MiB) waited to be sent. The ' +
      'connection is closed with 1013 (try again later); reconnect and `resume` from the last seq you have: nothing ' +
      'is lost.',
    httpStatus: 503,
    retriable: true,
    wsClose: 1013,
  },
  CHAT_ERR_UNAVAILABLE: {
    description:
      'The chat store (PostgreSQL) could not be reached or did not answer. Nothing was stored; re-send the frame ' +
      '(same clientMsgId) after a moment.',
    httpStatus: 503,
    retriable: true,
  },
  CHAT_ERR_BAD_REQUEST: {
    description: 'An HTTP request to a chat route has a missing or malformed body (POST /chat/visitor-token needs {"customerId": "…"}).',
    httpStatus: 400,
    retriable: false,
  },
  // Routing and agent tools (chat/routing, chat/agent-tools).
  CHAT_ERR_ALREADY_ASSIGNED: {
    description:
      'accept of a conversation that is no longer waiting: another agent took it first (the message names them) or ' +
      'it was transferred. Nothing changed; pick another conversation from the queue.',
    httpStatus: 409,
    retriable: false,
  },
  CHAT_ERR_AGENT_UNAVAILABLE: {
    description:
      'The agent who would take the conversation (you on accept, the target of a transfer) is offline, has no free ' +
      'seat (capacity) or lacks the skill or language the conversation needs; the message says which. Nothing changed.',
    httpStatus: 409,
    retriable: false,
  },
  CHAT_ERR_NOT_ASSIGNED: {
    description:
      'transfer or close by an agent the conversation is not assigned to. Only its agent (or its visitor, for close) may; ' +
      'accept it first if it is waiting.',
    httpStatus: 403,
    retriable: false,
  },
  CHAT_ERR_CANNOT_RETRACT: {
    description: 'retract of something that is not your own message (another participant\'s message, a business event, a seq that does not exist).',
    httpStatus: 409,
    retriable: false,
  },
});

export const chatErr = chatErrors.errors;

import { createPgliteChatDatabase } from '../db/pglite-chat-database.ts';
import { describeRoutingStore } from './test-support/routing-store-contract.ts';

describeRoutingStore('PGlite', () => createPgliteChatDatabase({ schema: 'chat_routing' }));

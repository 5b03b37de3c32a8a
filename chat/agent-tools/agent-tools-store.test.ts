import { createPgliteChatDatabase } from '../db/pglite-chat-database.ts';
import { describeAgentToolsStore } from './test-support/agent-tools-contract.ts';

describeAgentToolsStore('PGlite', () => createPgliteChatDatabase({ schema: 'chat_tools' }));

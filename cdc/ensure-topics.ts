// Creates Kafka topics that do not exist yet, and waits until the broker serves them. A topic just created may
// answer metadata requests with "This server does not host this topic-partition" for a moment (more so on a busy
// machine): that is retried, as is a creation racing another process creating the same topic.
import type { Admin, ITopicConfig } from 'kafkajs';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TRANSIENT = /does not host this topic-partition|leader is not available|not the leader|already exists/i;

export async function ensureTopics(admin: Admin, topics: readonly ITopicConfig[], attempts = 8): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((t) => !existing.has(t.topic));
      if (missing.length > 0) await admin.createTopics({ waitForLeaders: true, topics: [...missing] });
      // The broker knows every topic and each partition has a leader.
      await admin.fetchTopicMetadata({ topics: topics.map((t) => t.topic) });
      return;
    } catch (err) {
      if (attempt >= attempts || !TRANSIENT.test((err as Error).message)) throw err;
      await sleep(100 * attempt);
    }
  }
}

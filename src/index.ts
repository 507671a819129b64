// The Worker: Tencent Cloud Chat group and topic callbacks in, policy answers and event history out.
import { router } from "./routes";
import { drainEventQueue } from "./store/event-queue";

export default {
	fetch: (request, env, ctx) => router.fetch(request, env, ctx),
	// After-events buffered while D1 refused writes (EVENTS_QUEUE), stored once D1 takes them.
	queue: (batch, env) => drainEventQueue(batch, env),
} satisfies ExportedHandler<Env>;

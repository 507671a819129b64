// The Worker: Tencent Cloud Chat group and topic callbacks in, policy answers and event history out.

import { readConfig } from "./config";
import { drainEnforcementQueue, isEnforcementQueue } from "./enforcement/actions";
import { router } from "./routes";
import { drainEventQueue } from "./store/event-queue";
import { runRetention } from "./store/retention";
import { assignUnassignedRows } from "./store/unassigned-rows";

export default {
	fetch: (request, env, ctx) => router.fetch(request, env, ctx),
	// Each queue to its consumer: live names to enforce (ENFORCEMENT_QUEUE); after-events buffered while D1
	// refused writes (EVENTS_QUEUE), stored once D1 takes them.
	queue: (batch, env, ctx) =>
		isEnforcementQueue(batch.queue) ? drainEnforcementQueue(batch, env, ctx) : drainEventQueue(batch, env),
	// The Cron Trigger: old events and decisions to R2, then out of D1 (retention); then rows from before
	// migration 0010 to their app.
	scheduled: async (controller, env) => {
		await runRetention(env, controller.scheduledTime);
		await assignUnassignedRows(env.DB, readConfig(env).sdkAppIds);
	},
} satisfies ExportedHandler<Env>;

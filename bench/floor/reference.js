// Reference Workers: the floor plus one binding call, the way the real Worker makes it. They tell how much of
// the real Worker's distance to the floor is the local D1 or KV itself (SQLite in Durable Objects inside
// workerd, on the same cores as everything else) rather than the Worker's own code. Table: REFERENCE_SCHEMA in
// bench/run.mjs. `?reference=` chooses:
//   d1-background: the write is handed to ctx.waitUntil and the answer does not wait (as the decision log);
//   d1-awaited:    a batch of two inserts is awaited before answering (as an after-callback's event + topic);
//   kv-background: the policy text is read from KV in ctx.waitUntil (as the policy loader's refresh);
//   queue-first:   the body is handed to a Queue and the answer waits only for `send` to be accepted; this
//                  Worker's queue handler writes the messages to D1 in batches (queue-first ingestion).
const OK = JSON.stringify({ ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" });
const INSERT = "INSERT INTO reference_rows (received_at, kind, body) VALUES (?, ?, ?)";

export default {
	async fetch(request, env, ctx) {
		const body = await request.text();
		const reference = new URL(request.url).searchParams.get("reference");
		const now = Date.now();
		if (reference === "kv-background") {
			ctx.waitUntil(env.POLICY.get("policy", "text"));
		} else if (reference === "d1-background") {
			ctx.waitUntil(env.DB.prepare(INSERT).bind(now, "background", body).run());
		} else if (reference === "queue-first") {
			await env.EVENTS_QUEUE.send({ receivedAt: now, body }, { contentType: "json" });
		} else if (reference === "d1-awaited") {
			await env.DB.batch([
				env.DB.prepare(INSERT).bind(now, "event", body),
				env.DB.prepare(INSERT).bind(now, "topic", body),
			]);
		}
		return new Response(OK, { headers: { "content-type": "application/json; charset=utf-8" } });
	},
	// queue-first: one statement per message, all of a batch in one D1 batch (one transaction).
	async queue(batch, env) {
		await env.DB.batch(
			batch.messages.map((message) =>
				env.DB.prepare(INSERT).bind(message.body.receivedAt, "queued", message.body.body),
			),
		);
		batch.ackAll();
	},
};

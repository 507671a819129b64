// When the Worker's queues are idle: nothing waiting in the local ENFORCEMENT_QUEUE or EVENTS_QUEUE (the
// queues' own metrics) and no consumer run of this Worker still going (counted around the Worker's queue
// handler, which the runtime calls in this isolate; the wrapper also hands the consumer the env of the
// test's current isolate, test/support/isolate-env.ts). Tests that assert something did NOT happen after a
// callback wait for this instead of a fixed time; every workerd test file ends with it (setup in
// test/support/fresh-state.ts).
import { env } from "cloudflare:test";
import worker from "../../src/index";
import { runtimeEnv } from "./isolate-env";

/** The consumer runs going on now. */
const runs = { inFlight: 0 };
const COUNTED = Symbol.for("test.queueRunsCounted");

/** Counts the Worker's consumer runs from now on (once per isolate: the handler is wrapped only once). */
export function countQueueRuns(): void {
	const handler = worker.queue as typeof worker.queue & { [COUNTED]?: true };
	if (handler[COUNTED]) return;
	const counted = Object.assign(
		async (...[batch, given, ctx]: Parameters<typeof worker.queue>) => {
			runs.inFlight++;
			try {
				return await handler(batch, runtimeEnv(given), ctx);
			} finally {
				runs.inFlight--;
			}
		},
		{ [COUNTED]: true as const },
	);
	worker.queue = counted;
}

async function idleNow(): Promise<boolean> {
	if (runs.inFlight > 0) return false;
	const [enforcement, events] = await Promise.all([
		env.ENFORCEMENT_QUEUE.metrics(),
		env.EVENTS_QUEUE.metrics(),
	]);
	return enforcement.backlogCount === 0 && events.backlogCount === 0 && runs.inFlight === 0;
}

/**
 * Resolves once the queues are idle on two checks in a row (a batch taken off a queue is not yet a run
 * started): at once when nothing was queued, else as soon as the consumer has taken and handled it all (a
 * batch waits up to the queue's max_batch_timeout, 1 or 2 s). Throws after `timeoutMs`. Messages put back
 * with a retry delay are not waited for.
 */
export async function queuesIdle(timeoutMs = 30_000): Promise<void> {
	const end = Date.now() + timeoutMs;
	let idleChecks = 0;
	while (idleChecks < 2) {
		idleChecks = (await idleNow()) ? idleChecks + 1 : 0;
		if (idleChecks < 2) {
			if (Date.now() > end) throw new Error(`the queues were still busy after ${timeoutMs} ms`);
			await new Promise((resolve) => setTimeout(resolve, 25));
		}
	}
}

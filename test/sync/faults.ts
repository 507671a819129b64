// Fault injectors for outage tests. These are NOT fakes: each wraps the real local binding from wrangler.toml
// and only makes chosen calls reject the way an outage does; everything else goes to the real binding.
import { env } from "cloudflare:test";

const outage = () => Promise.reject(new Error("D1_ERROR: injected outage (test fault injector)"));

/** `target` with the named members replaced; every other member is the real binding's, bound to it. */
function overriding<T extends object>(target: T, overrides: Record<string, unknown>): T {
	return new Proxy(target, {
		get(real, property) {
			if (typeof property === "string" && Object.hasOwn(overrides, property)) return overrides[property];
			const value = Reflect.get(real, property, real);
			return typeof value === "function" ? value.bind(real) : value;
		},
	});
}

/** The real D1 binding with `batch()` rejecting, as when D1 is unreachable for writes. */
export function d1WithFailingBatch(): D1Database {
	return overriding(env.DB, { batch: outage });
}

/** The real D1 binding whose `batch()` answers only after `ms`, as when D1 is overloaded (it still writes). */
export function d1WithSlowBatch(ms: number): D1Database {
	return overriding(env.DB, {
		batch: (statements: D1PreparedStatement[]) =>
			new Promise((resolve) => setTimeout(resolve, ms)).then(() => env.DB.batch(statements)),
	});
}

/** The real D1 binding with every statement and batch rejecting: a full outage. */
export function d1Down(): D1Database {
	const failingStatement = (statement: D1PreparedStatement): D1PreparedStatement =>
		overriding(statement, {
			bind: (...values: unknown[]) => failingStatement(statement.bind(...values)),
			run: outage,
			all: outage,
			first: outage,
			raw: outage,
		});
	return overriding(env.DB, {
		batch: outage,
		exec: outage,
		prepare: (sql: string) => failingStatement(env.DB.prepare(sql)),
	});
}

/** The real queue binding with `send()` rejecting, as when Queues is unreachable too. */
export function queueDown(): Queue {
	const down = () => Promise.reject(new Error("Queue send failed: injected outage (test fault injector)"));
	return overriding(env.EVENTS_QUEUE, { send: down, sendBatch: down });
}

/**
 * The real D1 binding, counting the statements of each `batch()` call; the first `refused` calls reject (a
 * write that hits a passing fault), every other goes to the real binding. The refused calls are counted too.
 */
export function d1CountingBatches(refused = 0): { db: D1Database; batches: number[] } {
	const batches: number[] = [];
	const db = overriding(env.DB, {
		batch: (statements: D1PreparedStatement[]) => {
			batches.push(statements.length);
			return batches.length <= refused ? outage() : env.DB.batch(statements);
		},
	});
	return { db, batches };
}

/**
 * The real queue binding holding each `sendBatch()` until the test releases it, recording its messages: the
 * test decides when the queue accepts a batch (a batch never released never settles, as when the request
 * that sent it was cancelled). Released batches go to the real queue.
 */
export function queueHoldingBatches(): {
	queue: Queue;
	batches: unknown[][];
	release: (index: number) => void;
} {
	const batches: unknown[][] = [];
	const gates: (() => void)[] = [];
	const queue = overriding(env.EVENTS_QUEUE, {
		sendBatch: async (messages: MessageSendRequest[]) => {
			batches.push(messages.map((message) => message.body));
			await new Promise<void>((go) => gates.push(go));
			return env.EVENTS_QUEUE.sendBatch(messages);
		},
	});
	return { queue, batches, release: (index) => gates[index]?.() };
}

// Fault injectors for outage tests. These are NOT fakes: each wraps the real local binding from wrangler.toml
// and only makes chosen calls reject the way an outage does; everything else goes to the real binding.
import { env } from "cloudflare:test";

const outage = () => Promise.reject(new Error("D1_ERROR: injected outage (test fault injector)"));

/** The real D1 binding with `batch()` rejecting, as when D1 is unreachable for writes. */
export function d1WithFailingBatch(): D1Database {
	return new Proxy(env.DB, {
		get(target, property) {
			if (property === "batch") return outage;
			const value = Reflect.get(target, property, target);
			return typeof value === "function" ? value.bind(target) : value;
		},
	});
}

/** The real D1 binding whose `batch()` answers only after `ms`, as when D1 is overloaded (it still writes). */
export function d1WithSlowBatch(ms: number): D1Database {
	return new Proxy(env.DB, {
		get(target, property) {
			if (property === "batch") {
				return (statements: D1PreparedStatement[]) =>
					new Promise((resolve) => setTimeout(resolve, ms)).then(() => target.batch(statements));
			}
			const value = Reflect.get(target, property, target);
			return typeof value === "function" ? value.bind(target) : value;
		},
	});
}

/** The real D1 binding with every statement and batch rejecting: a full outage. */
export function d1Down(): D1Database {
	const failingStatement = (statement: D1PreparedStatement): D1PreparedStatement =>
		new Proxy(statement, {
			get(target, property) {
				if (property === "bind") return (...values: unknown[]) => failingStatement(target.bind(...values));
				if (property === "run" || property === "all" || property === "first" || property === "raw")
					return outage;
				const value = Reflect.get(target, property, target);
				return typeof value === "function" ? value.bind(target) : value;
			},
		});
	return new Proxy(env.DB, {
		get(target, property) {
			if (property === "batch" || property === "exec") return outage;
			if (property === "prepare") return (sql: string) => failingStatement(target.prepare(sql));
			const value = Reflect.get(target, property, target);
			return typeof value === "function" ? value.bind(target) : value;
		},
	});
}

/** The real queue binding with `send()` rejecting, as when Queues is unreachable too. */
export function queueDown(): Queue {
	return new Proxy(env.EVENTS_QUEUE, {
		get(target, property) {
			if (property === "send" || property === "sendBatch") {
				return () => Promise.reject(new Error("Queue send failed: injected outage (test fault injector)"));
			}
			const value = Reflect.get(target, property, target);
			return typeof value === "function" ? value.bind(target) : value;
		},
	});
}

/** The real D1 binding, counting the statements of each `batch()` call (everything goes to the real binding). */
export function d1CountingBatches(): { db: D1Database; batches: number[] } {
	const batches: number[] = [];
	const db = new Proxy(env.DB, {
		get(target, property) {
			if (property === "batch")
				return (statements: D1PreparedStatement[]) => {
					batches.push(statements.length);
					return target.batch(statements);
				};
			const value = Reflect.get(target, property, target);
			return typeof value === "function" ? value.bind(target) : value;
		},
	});
	return { db, batches };
}

/** The real D1 binding whose `batch()` rejects when it carries more than `most` statements. */
export function d1RefusingBatchesOver(most: number): D1Database {
	return new Proxy(env.DB, {
		get(target, property) {
			if (property === "batch")
				return (statements: D1PreparedStatement[]) =>
					statements.length > most ? outage() : target.batch(statements);
			const value = Reflect.get(target, property, target);
			return typeof value === "function" ? value.bind(target) : value;
		},
	});
}

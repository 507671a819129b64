// The env objects the tests hand the Worker, one per distinct set of overrides, as workerd hands an isolate
// one env on every call. The Worker keeps its per-isolate state per env object (src/isolate.ts), so two
// requests with the same overrides share a warm isolate (a loaded policy, counts shown by /healthz), and
// `newIsolate()` makes the next requests start on fresh state, as after a restart. test/support/fresh-state.ts
// calls it before each file.
import { env } from "cloudflare:test";

/** The current isolate's env objects: one per override set, and copies of those the runtime hands in. */
const current = {
	made: [] as { overrides: Partial<Env>; env: Env }[],
	runtimeCopies: new WeakMap<object, Env>(),
};

/** Whether two override sets name the same variables with the same values (bindings by identity). */
function sameOverrides(a: Partial<Env>, b: Partial<Env>): boolean {
	const keys = Object.keys(a) as (keyof Env)[];
	return keys.length === Object.keys(b).length && keys.every((key) => key in b && Object.is(a[key], b[key]));
}

/** The env of this isolate with `overrides` (vars, secrets or bindings): the same object for equal overrides. */
export function envWith(overrides: Partial<Env> = {}): Env {
	const found = current.made.find((entry) => sameOverrides(entry.overrides, overrides));
	if (found !== undefined) return found.env;
	const fresh = { ...env, ...overrides } as Env;
	current.made.push({ overrides: { ...overrides }, env: fresh });
	return fresh;
}

/**
 * The env for a call the runtime makes with `given` (the queue consumer: test/support/queues.ts): a copy of
 * it, the same copy until `newIsolate()`, so that a restart in a test restarts the consumer too.
 */
export function runtimeEnv(given: Env): Env {
	let copy = current.runtimeCopies.get(given);
	if (copy === undefined) {
		copy = { ...given };
		current.runtimeCopies.set(given, copy);
	}
	return copy;
}

/** Forgets every env handed out: the next requests (and consumer runs) run on a new isolate's state. */
export function newIsolate(): void {
	current.made = [];
	current.runtimeCopies = new WeakMap();
}

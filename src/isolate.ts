// Per-isolate state, in one place. A module that keeps something between requests (a warning logged once,
// counts shown by /healthz) declares one slot: its state object and how to make it. `isolateState` hands out
// that object for an env, made on first use and kept per env object the way readConfig keeps the config (a
// WeakMap: once per isolate in production, once per env in tests, so a fresh env is a fresh isolate and no
// test needs a reset function).

/** One module's state: its name (for debugging) and how to make it for a new isolate. */
export interface IsolateSlot<T> {
	readonly name: string;
	readonly create: () => T;
}

/** Declares a module's per-isolate state. */
export function isolateSlot<T>(name: string, create: () => T): IsolateSlot<T> {
	return { name, create };
}

const states = new WeakMap<object, Map<IsolateSlot<unknown>, unknown>>();

/** The slots made so far for `owner`. */
function slotsOf(owner: object): Map<IsolateSlot<unknown>, unknown> {
	let slots = states.get(owner);
	if (slots === undefined) {
		slots = new Map();
		states.set(owner, slots);
	}
	return slots;
}

/**
 * The state of `slot` for this isolate: `owner` is the env (or the Config read from it, which is parsed
 * once per env). Made on first use, then the same object for every later call with that owner.
 */
export function isolateState<T>(owner: object, slot: IsolateSlot<T>): T {
	const slots = slotsOf(owner);
	if (!slots.has(slot as IsolateSlot<unknown>)) slots.set(slot as IsolateSlot<unknown>, slot.create());
	return slots.get(slot as IsolateSlot<unknown>) as T;
}

/**
 * Puts `state` in `slot` for `owner` before its first use, for a host that builds an isolate's state itself
 * (e.g. policy loaders on another clock). Refuses once the slot is made: a state in use is never swapped.
 */
export function provideIsolateState<T>(owner: object, slot: IsolateSlot<T>, state: T): T {
	const slots = slotsOf(owner);
	if (slots.has(slot as IsolateSlot<unknown>))
		throw new Error(`isolate state "${slot.name}" is already in use`);
	slots.set(slot as IsolateSlot<unknown>, state);
	return state;
}

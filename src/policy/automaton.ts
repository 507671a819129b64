// Aho–Corasick: one pass over a name finds every occurrence of every needle, whatever their number.
//
// Needles are UTF-16 strings. The trie lives in typed arrays, states numbered breadth-first so that the
// children of a state are consecutive (`firstChild[s]` to `firstChild[s + 1]`, sorted by code unit): a
// 100,000-needle policy is a few flat arrays of ~18 bytes per state, built in linear time with no object
// per state or edge. During construction an open-addressing table of (state, code unit) → child, also in
// typed arrays, finds existing edges.

/** A compiled set of needles. Build it with {@link buildAutomaton}; search it with {@link findAll}. */
export interface Automaton {
	/** Number of states; state 0 is the root. */
	readonly states: number;
	/** Children of state s: the states firstChild[s] … firstChild[s + 1] - 1 (length states + 1). */
	readonly firstChild: Int32Array;
	/** The code unit on the edge into each state, children of a state in increasing order. */
	readonly unitInto: Uint16Array;
	/** Child of the root for each ASCII code unit, or 0. */
	readonly rootAscii: Int32Array;
	/** Failure link of each state. */
	readonly fail: Int32Array;
	/** Nearest state along the failure chain (itself excluded) that ends a needle, or 0. */
	readonly outputLink: Int32Array;
	/** The needle ending at each state, or -1. */
	readonly needleAt: Int32Array;
	/** Length of each needle in UTF-16 units. */
	readonly needleLengths: Int32Array;
}

/** Fan-out up to which a state's children are scanned rather than bisected. */
const LINEAR_FANOUT = 8;

/**
 * Builds the automaton of `needles` (each non-empty, distinct); needle `i` is reported as `i`.
 * @example findAll(buildAutomaton(["he", "she"]), "ushers") // calls back (1, 1, 4) and (0, 2, 4)
 */
export function buildAutomaton(needles: readonly string[]): Automaton {
	let units = 0;
	for (const needle of needles) units += needle.length;
	const capacity = units + 1;

	// 1. The trie, states numbered in order of creation.
	const parentOf = new Int32Array(capacity);
	const unitOf = new Uint16Array(capacity);
	const needleOf = new Int32Array(capacity).fill(-1);
	let slots = 16;
	while (slots < units * 2) slots *= 2;
	const mask = slots - 1;
	const slotState = new Int32Array(slots).fill(-1);
	const slotUnit = new Uint16Array(slots);
	const slotChild = new Int32Array(slots);
	let created = 1;
	for (let id = 0; id < needles.length; id++) {
		const needle = needles[id] as string;
		let state = 0;
		for (let i = 0; i < needle.length; i++) {
			const unit = needle.charCodeAt(i);
			let slot = (Math.imul(state, 0x9e3779b1) ^ Math.imul(unit, 0x85ebca6b)) & mask;
			for (;;) {
				const occupant = slotState[slot] as number;
				if (occupant === -1) {
					const child = created++;
					slotState[slot] = state;
					slotUnit[slot] = unit;
					slotChild[slot] = child;
					parentOf[child] = state;
					unitOf[child] = unit;
					state = child;
					break;
				}
				if (occupant === state && slotUnit[slot] === unit) {
					state = slotChild[slot] as number;
					break;
				}
				slot = (slot + 1) & mask;
			}
		}
		needleOf[state] = id;
	}
	const states = created;

	// 2. Children of each state (creation numbering), then breadth-first renumbering with each state's
	// children sorted by code unit.
	const childCount = new Int32Array(states + 1);
	for (let s = 1; s < states; s++) {
		const slot = (parentOf[s] as number) + 1;
		childCount[slot] = (childCount[slot] as number) + 1;
	}
	for (let s = 0; s < states; s++)
		childCount[s + 1] = (childCount[s + 1] as number) + (childCount[s] as number);
	const childList = new Int32Array(Math.max(states - 1, 0));
	const cursor = childCount.slice(0, states);
	for (let s = 1; s < states; s++) {
		const p = parentOf[s] as number;
		childList[cursor[p] as number] = s;
		cursor[p] = (cursor[p] as number) + 1;
	}
	const order = new Int32Array(states); // new number → creation number
	const firstChild = new Int32Array(states + 1);
	const unitInto = new Uint16Array(states);
	const parent = new Int32Array(states);
	const needleAt = new Int32Array(states);
	let tail = 1;
	needleAt[0] = needleOf[0] as number;
	for (let head = 0; head < states; head++) {
		const old = order[head] as number;
		firstChild[head] = tail;
		const from = childCount[old] as number;
		const to = childCount[old + 1] as number;
		for (let c = from; c < to; c++) {
			const child = childList[c] as number;
			// Insertion sort by code unit: fan-outs are small except near the root.
			let at = tail;
			const unit = unitOf[child] as number;
			while (at > (firstChild[head] as number) && (unitInto[at - 1] as number) > unit) {
				order[at] = order[at - 1] as number;
				unitInto[at] = unitInto[at - 1] as number;
				at--;
			}
			order[at] = child;
			unitInto[at] = unit;
			parent[tail] = head;
			tail++;
		}
	}
	firstChild[states] = tail;
	for (let s = 1; s < states; s++) needleAt[s] = needleOf[order[s] as number] as number;

	// 3. Failure and output links, breadth-first so a state's failure target is final before its
	// children need it.
	const rootAscii = new Int32Array(0x80);
	for (let c = firstChild[0] as number; c < (firstChild[1] as number); c++) {
		const unit = unitInto[c] as number;
		if (unit < 0x80) rootAscii[unit] = c;
	}
	const fail = new Int32Array(states);
	const outputLink = new Int32Array(states);
	const partial = { states, firstChild, unitInto, rootAscii, fail };
	for (let s = 1; s < states; s++) {
		const p = parent[s] as number;
		let target = 0;
		if (p !== 0) {
			const unit = unitInto[s] as number;
			let f = fail[p] as number;
			for (;;) {
				const next = childOf(partial, f, unit);
				if (next !== 0) {
					target = next;
					break;
				}
				if (f === 0) break;
				f = fail[f] as number;
			}
		}
		fail[s] = target;
		outputLink[s] = (needleAt[target] as number) >= 0 ? target : (outputLink[target] as number);
	}
	const needleLengths = new Int32Array(needles.length);
	for (let id = 0; id < needles.length; id++) needleLengths[id] = (needles[id] as string).length;
	return { states, firstChild, unitInto, rootAscii, fail, outputLink, needleAt, needleLengths };
}

/** The child of `state` along `unit`, or 0 when it has none (the root is nobody's child). */
function childOf(
	automaton: Pick<Automaton, "firstChild" | "unitInto" | "rootAscii">,
	state: number,
	unit: number,
): number {
	if (state === 0 && unit < 0x80) return automaton.rootAscii[unit] as number;
	const { firstChild, unitInto } = automaton;
	let lo = firstChild[state] as number;
	let hi = firstChild[state + 1] as number;
	if (hi - lo <= LINEAR_FANOUT) {
		for (; lo < hi; lo++) if (unitInto[lo] === unit) return lo;
		return 0;
	}
	while (lo < hi) {
		const mid = (lo + hi) >>> 1;
		const u = unitInto[mid] as number;
		if (u === unit) return mid;
		if (u < unit) lo = mid + 1;
		else hi = mid;
	}
	return 0;
}

/**
 * The state after reading `unit` in `state`: the goto function with failure links folded in.
 * Start at state 0; a state `s` ends needles `needleAt[s]` and those along `outputLink`.
 */
export function nextState(automaton: Automaton, state: number, unit: number): number {
	let s = state;
	for (;;) {
		const next = childOf(automaton, s, unit);
		if (next !== 0 || s === 0) return next;
		s = automaton.fail[s] as number;
	}
}

/**
 * Calls `onMatch(needle, start, end)` for every occurrence of every needle in `text`
 * (`end` exclusive, in UTF-16 units), in order of `end`.
 */
export function findAll(
	automaton: Automaton,
	text: string,
	onMatch: (needle: number, start: number, end: number) => void,
): void {
	const { outputLink, needleAt, needleLengths } = automaton;
	let state = 0;
	for (let i = 0; i < text.length; i++) {
		state = nextState(automaton, state, text.charCodeAt(i));
		for (let s = state; s !== 0; s = outputLink[s] as number) {
			const needle = needleAt[s] as number;
			if (needle >= 0) onMatch(needle, i + 1 - (needleLengths[needle] as number), i + 1);
		}
	}
}

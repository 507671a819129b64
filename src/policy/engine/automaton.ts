// Aho–Corasick: one pass over a name finds every occurrence of every needle, whatever their number.
//
// Needles are UTF-16 strings. The trie lives in typed arrays, states numbered breadth-first so that the
// children of a state are consecutive (sorted by code unit). What a search reads for each code unit of
// the name (first child, failure link, first needle found) sits together in one record of three
// numbers per state, so a step touches about two cache lines even when a 100,000-needle automaton does
// not fit the cache: 14 bytes per state plus 8 per needle-ending state, built in linear time with no
// object per state or edge. Which needles end where is kept only for the states that end one, as
// chained lists, rather than in two more numbers per state.
// The time of a search should not grow with the number of needles. What does grow is the fan-out of
// the states near the root, where a search spends most of its steps: with 100,000 needles they have
// tens of children, and finding one is a bisection (a handful of unpredictable branches), plus failure
// steps when it is missing. So the first states in breadth-first order, as long as most of them have
// many children, also get a row of the complete transition function over the ASCII code units the
// needles hold (failure links already followed): one read per step there. An ASCII code unit that no
// needle holds sends every state back to the root at once. The rows add at most 4 bytes per state (or
// 16 KiB in all for a small automaton).
// During construction an open-addressing table of (state, code unit) → child, in one typed array, finds
// existing edges.

/** A compiled set of needles. Build it with `buildAutomaton` (automaton-build.ts); search it with {@link findAll}. */
export interface Automaton {
	/** Number of states; state 0 is the root. */
	readonly states: number;
	/**
	 * Three numbers per state s (and a last record holding only the end of the last child list):
	 * - nodes[3s]: its first child; its children are the states nodes[3s] … nodes[3s + 3] - 1;
	 * - nodes[3s + 1]: its failure link;
	 * - nodes[3s + 2]: the first of the needles found on reaching s (its own and those along its failure
	 *   chain), as an index e into outputNeedle/outputNext, or 0 when none.
	 */
	readonly nodes: Int32Array;
	/** The code unit on the edge into each state, children of a state in increasing order. */
	readonly unitInto: Uint16Array;
	/** Child of the root for each ASCII code unit, or 0. */
	readonly rootAscii: Int32Array;
	/** Output list entry e (from 1): a needle found, and the next entry of the same list (0 ends it). */
	readonly outputNeedle: Int32Array;
	readonly outputNext: Int32Array;
	/** Length of each needle in UTF-16 units. */
	readonly needleLengths: Int32Array;
	/** For each ASCII code unit, its column in a row of {@link Automaton.rows} plus 1; 0 when no needle holds it. */
	readonly asciiColumn: Uint8Array;
	/** Columns of a row: the distinct ASCII code units the needles hold. */
	readonly columns: number;
	/** States 0 … rowStates - 1 have a row. */
	readonly rowStates: number;
	/**
	 * Row of state s: rows[s * columns] …, the state after reading each column's code unit in s, failure
	 * links followed.
	 */
	readonly rows: Int32Array;
}

/** Stride of {@link Automaton.nodes}. */
export const NODE = 3;
/** Fan-out up to which a state's children are scanned rather than bisected. */
const LINEAR_FANOUT = 8;

/**
 * The child of `state` along `unit`, or 0 when it has none (the root is nobody's child). State s's
 * children start at firsts[stride * s] and end where state s + 1's start.
 */
export function childOf(
	firsts: Int32Array,
	stride: number,
	unitInto: Uint16Array,
	rootAscii: Int32Array,
	state: number,
	unit: number,
): number {
	if (state === 0 && unit < 0x80) return rootAscii[unit] as number;
	let lo = firsts[stride * state] as number;
	let hi = firsts[stride * (state + 1)] as number;
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
 * Start at state 0; reaching state s finds the needles of the list starting at entry nodes[3s + 2].
 */
export function nextState(automaton: Automaton, state: number, unit: number): number {
	const { nodes, unitInto, rootAscii, asciiColumn, columns, rowStates, rows } = automaton;
	// An ASCII code unit that no needle holds leads every state back to the root.
	const column = unit < 0x80 ? (asciiColumn[unit] as number) - 1 : -1;
	if (column === -1 && unit < 0x80) return 0;
	let s = state;
	for (;;) {
		// A state with a row answers at once: its row already follows the failure links.
		if (s < rowStates && column >= 0) return rows[s * columns + column] as number;
		const next = childOf(nodes, NODE, unitInto, rootAscii, s, unit);
		if (next !== 0 || s === 0) return next;
		s = nodes[NODE * s + 1] as number;
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
	const { nodes, outputNeedle, outputNext, needleLengths } = automaton;
	let state = 0;
	for (let i = 0; i < text.length; i++) {
		state = nextState(automaton, state, text.charCodeAt(i));
		for (let e = nodes[NODE * state + 2] as number; e !== 0; e = outputNext[e] as number) {
			const needle = outputNeedle[e] as number;
			onMatch(needle, i + 1 - (needleLengths[needle] as number), i + 1);
		}
	}
}

// Aho–Corasick: one pass over a name finds every occurrence of every needle, whatever their number.
// Needles are UTF-16 strings; the trie's edges live in one Map keyed by (state, code unit), which
// keeps a 20,000-needle policy to a few hundred thousand numbers instead of a Map per state.

const CODE_UNITS = 0x10000;

/** A compiled set of needles. Build it with {@link buildAutomaton}; search it with {@link findAll}. */
export interface Automaton {
	readonly edges: ReadonlyMap<number, number>;
	/** Failure link of each state. */
	readonly fail: Int32Array;
	/** Nearest state along the failure chain (itself excluded) that ends a needle, or 0. */
	readonly outputLink: Int32Array;
	/** The needle ending at each state, or -1. */
	readonly needleAt: Int32Array;
	readonly needleLengths: readonly number[];
}

/**
 * Builds the automaton of `needles` (each non-empty, distinct); needle `i` is reported as `i`.
 * @example findAll(buildAutomaton(["he", "she"]), "ushers") // calls back (1, 1, 4) and (0, 2, 4)
 */
export function buildAutomaton(needles: readonly string[]): Automaton {
	const edges = new Map<number, number>();
	const needleAtList: number[] = [-1];
	let states = 1;
	needles.forEach((needle, id) => {
		let state = 0;
		for (let i = 0; i < needle.length; i++) {
			const key = state * CODE_UNITS + needle.charCodeAt(i);
			let next = edges.get(key);
			if (next === undefined) {
				next = states++;
				edges.set(key, next);
				needleAtList.push(-1);
			}
			state = next;
		}
		needleAtList[state] = id;
	});
	const children: number[][] = Array.from({ length: states }, () => []);
	for (const [key, child] of edges) children[Math.floor(key / CODE_UNITS)]?.push(key % CODE_UNITS, child);

	const fail = new Int32Array(states);
	const outputLink = new Int32Array(states);
	const needleAt = Int32Array.from(needleAtList);
	// Breadth-first, so a state's failure target is final before its children need it.
	const queue: number[] = [0];
	for (let head = 0; head < queue.length; head++) {
		const state = queue[head] as number;
		const list = children[state] as number[];
		for (let i = 0; i < list.length; i += 2) {
			const unit = list[i] as number;
			const child = list[i + 1] as number;
			let target = 0;
			if (state !== 0) {
				let f = fail[state] as number;
				for (;;) {
					const next = edges.get(f * CODE_UNITS + unit);
					if (next !== undefined) {
						target = next;
						break;
					}
					if (f === 0) break;
					f = fail[f] as number;
				}
			}
			fail[child] = target;
			outputLink[child] = (needleAt[target] as number) >= 0 ? target : (outputLink[target] as number);
			queue.push(child);
		}
	}
	return { edges, fail, outputLink, needleAt, needleLengths: needles.map((n) => n.length) };
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
	const { edges, fail, outputLink, needleAt, needleLengths } = automaton;
	let state = 0;
	for (let i = 0; i < text.length; i++) {
		const unit = text.charCodeAt(i);
		for (;;) {
			const next = edges.get(state * CODE_UNITS + unit);
			if (next !== undefined) {
				state = next;
				break;
			}
			if (state === 0) break;
			state = fail[state] as number;
		}
		for (let s = state; s !== 0; s = outputLink[s] as number) {
			const needle = needleAt[s] as number;
			if (needle >= 0) onMatch(needle, i + 1 - (needleLengths[needle] as number), i + 1);
		}
	}
}

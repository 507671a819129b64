// Building an Aho–Corasick automaton (automaton.ts describes its layout and searches it): a trie in typed
// arrays, renumbered breadth-first, failure and output links, and the transition rows of the widest states.
import { type Automaton, childOf, NODE } from "./automaton";

/** Fan-out from which a state counts as wide, for choosing which states get a row. */
const WIDE_FANOUT = 6;
/** Numbers the rows may hold even when the automaton has fewer states (16 KiB). */
const ROWS_FLOOR = 4096;

/**
 * Builds the automaton of `needles` (each non-empty, distinct); needle `i` is reported as `i`.
 * @example findAll(buildAutomaton(["he", "she"]), "ushers") // calls back (1, 1, 4) and (0, 2, 4)
 */
export function buildAutomaton(needles: readonly string[]): Automaton {
	let units = 0;
	for (const needle of needles) units += needle.length;
	const builder = new AutomatonBuilder(units);
	for (const needle of needles) builder.add(needle);
	return builder.build();
}

/**
 * Collects needles one at a time (a needle added again keeps its first number), then builds their
 * automaton. `expectedUnits`, the needles' total length, only sizes the first allocation.
 */
export class AutomatonBuilder {
	/** Trie states, numbered in order of creation: parent, code unit on the edge in, needle + 1 (0: none). */
	private parentOf: Int32Array;
	private unitOf: Uint16Array;
	private needleOf: Int32Array;
	private created = 1;
	/**
	 * Open addressing, three numbers a slot (state + 1, 0 when free; code unit; child) so that a probe
	 * touches one cache line. Load factor at most 1/2.
	 */
	private table: Int32Array;
	private bits: number;
	private lengths: number[] = [];

	constructor(expectedUnits = 0) {
		// A quarter more than expected: look-alike folding makes some needles longer (`m` → `rn`).
		const capacity = expectedUnits + (expectedUnits >> 2) + 16;
		this.parentOf = new Int32Array(capacity);
		this.unitOf = new Uint16Array(capacity);
		this.needleOf = new Int32Array(capacity);
		this.bits = 5;
		while (1 << this.bits < capacity * 2) this.bits++;
		this.table = new Int32Array(3 << this.bits);
	}

	/** Number of distinct needles added. */
	get size(): number {
		return this.lengths.length;
	}

	/** Adds a non-empty needle; returns its number (the same one for the same text). */
	add(needle: string): number {
		// Room for the needle's states first, so that the loop below is one tight piece of code.
		if (this.created + needle.length >= this.parentOf.length) this.growStates(needle.length);
		while ((this.created + needle.length) * 2 > 1 << this.bits) this.growTable();
		const { table, parentOf, unitOf } = this;
		const shift = 32 - this.bits;
		const mask = (1 << this.bits) - 1;
		let created = this.created;
		let state = 0;
		for (let i = 0; i < needle.length; i++) {
			const unit = needle.charCodeAt(i);
			// Multiplicative hashing: the high bits of the product mix every bit of the key.
			let slot = Math.imul(state ^ Math.imul(unit, 0x85ebca6b), 0x9e3779b1) >>> shift;
			for (;;) {
				const at = slot * 3;
				const occupant = table[at] as number;
				if (occupant === 0) {
					table[at] = state + 1;
					table[at + 1] = unit;
					table[at + 2] = created;
					parentOf[created] = state;
					unitOf[created] = unit;
					state = created++;
					break;
				}
				if (occupant === state + 1 && table[at + 1] === unit) {
					state = table[at + 2] as number;
					break;
				}
				slot = (slot + 1) & mask;
			}
		}
		this.created = created;
		const known = this.needleOf[state] as number;
		if (known !== 0) return known - 1;
		this.lengths.push(needle.length);
		this.needleOf[state] = this.lengths.length;
		return this.lengths.length - 1;
	}

	private insert(state: number, unit: number, child: number): void {
		const { table } = this;
		const mask = (1 << this.bits) - 1;
		let slot = Math.imul(state ^ Math.imul(unit, 0x85ebca6b), 0x9e3779b1) >>> (32 - this.bits);
		while (table[slot * 3] !== 0) slot = (slot + 1) & mask;
		table[slot * 3] = state + 1;
		table[slot * 3 + 1] = unit;
		table[slot * 3 + 2] = child;
	}

	private growStates(needed: number): void {
		const capacity = (this.parentOf.length + needed) * 2;
		const grow = <T extends Int32Array | Uint16Array>(from: T, to: T): T => {
			to.set(from);
			return to;
		};
		this.parentOf = grow(this.parentOf, new Int32Array(capacity));
		this.unitOf = grow(this.unitOf, new Uint16Array(capacity));
		this.needleOf = grow(this.needleOf, new Int32Array(capacity));
	}

	private growTable(): void {
		this.bits++;
		this.table = new Int32Array(3 << this.bits);
		for (let s = 1; s < this.created; s++) {
			this.insert(this.parentOf[s] as number, this.unitOf[s] as number, s);
		}
	}

	/** The automaton of the needles added so far. */
	build(): Automaton {
		// Each phase is its own function: its loop is optimized on its own, without the phases after it
		// (which have not run yet) throwing the optimized code away.
		const states = this.created;
		const children = childrenByParent(this.parentOf, states);
		const { firstChild, unitInto, needleAt } = renumberBreadthFirst(
			children,
			this.unitOf,
			this.needleOf,
			states,
		);
		const rootAscii = new Int32Array(0x80);
		for (let c = firstChild[0] as number; c < (firstChild[1] as number); c++) {
			const unit = unitInto[c] as number;
			if (unit < 0x80) rootAscii[unit] = c;
		}
		const parent = parentsOf(firstChild, children.list, states);
		const { fail, outputLink } = failureLinks(firstChild, unitInto, rootAscii, needleAt, parent, states);
		// One output entry per needle-ending state, numbered in state order: an output link points to a
		// shallower state, whose entry already exists.
		const entryOf = new Int32Array(states);
		const outputNeedle = new Int32Array(this.lengths.length + 1);
		const outputNext = new Int32Array(this.lengths.length + 1);
		let entries = 0;
		for (let s = 0; s < states; s++) {
			const needle = needleAt[s] as number;
			if (needle < 0) continue;
			entryOf[s] = ++entries;
			outputNeedle[entries] = needle;
			outputNext[entries] = entryOf[outputLink[s] as number] as number;
		}
		const nodes = new Int32Array(NODE * (states + 1));
		for (let s = 0; s < states; s++) {
			nodes[NODE * s] = firstChild[s] as number;
			nodes[NODE * s + 1] = fail[s] as number;
			nodes[NODE * s + 2] = entryOf[(needleAt[s] as number) >= 0 ? s : (outputLink[s] as number)] as number;
		}
		nodes[NODE * states] = firstChild[states] as number;
		const needleLengths = Int32Array.from(this.lengths);
		return {
			states,
			nodes,
			unitInto,
			rootAscii,
			outputNeedle,
			outputNext,
			needleLengths,
			...transitionRows(firstChild, unitInto, rootAscii, fail, states),
		};
	}
}

/**
 * The rows of the complete transition function: for the longest run of first states (breadth-first)
 * of which at least half are wide, over the ASCII code units the needles hold. They hold at most as many
 * numbers as there are states (or {@link ROWS_FLOOR}), so they add at most 4 bytes per state.
 */
function transitionRows(
	firstChild: Int32Array,
	unitInto: Uint16Array,
	rootAscii: Int32Array,
	fail: Int32Array,
	states: number,
): Pick<Automaton, "asciiColumn" | "columns" | "rowStates" | "rows"> {
	const asciiColumn = new Uint8Array(0x80);
	const units: number[] = [];
	for (let s = 1; s < states; s++) {
		const unit = unitInto[s] as number;
		if (unit < 0x80 && asciiColumn[unit] === 0) asciiColumn[unit] = units.push(unit);
	}
	const columns = units.length;
	// The rows hold at most one number per state (or ROWS_FLOOR), whatever the needles.
	const most = columns === 0 ? 0 : Math.floor(Math.max(states, ROWS_FLOOR) / columns);
	let rowStates = 0;
	let wide = 0;
	for (let s = 0; s < Math.min(states, most); s++) {
		if ((firstChild[s + 1] as number) - (firstChild[s] as number) >= WIDE_FANOUT) wide++;
		if (2 * wide >= s + 1) rowStates = s + 1;
	}
	const rows = new Int32Array(rowStates * columns);
	for (let s = 0; s < rowStates; s++) {
		for (let column = 0; column < columns; column++) {
			const unit = units[column] as number;
			// A failure target is shallower, so numbered lower: its row is already complete.
			let next = childOf(firstChild, 1, unitInto, rootAscii, s, unit);
			if (next === 0 && s !== 0) next = rows[(fail[s] as number) * columns + column] as number;
			rows[s * columns + column] = next;
		}
	}
	return { asciiColumn, columns, rowStates, rows };
}

/**
 * Items `0 … count - 1` grouped by bucket with a stable counting sort: bucket `b` holds
 * `list[start[b]] … list[start[b + 1] - 1]`, the `valueAt` of its items in item order. Linear time, two
 * flat arrays, no per-bucket allocation.
 *
 * @example
 * groupByBucket(2, 3, (i) => [1, 0, 1][i], (i) => i * 10); // start [0, 1, 3], list [10, 0, 20]
 */
export function groupByBucket(
	buckets: number,
	count: number,
	bucketOf: (item: number) => number,
	valueAt: (item: number) => number,
): { start: Int32Array; list: Int32Array } {
	const start = new Int32Array(buckets + 1);
	for (let i = 0; i < count; i++) {
		const slot = bucketOf(i) + 1;
		start[slot] = (start[slot] as number) + 1;
	}
	for (let b = 0; b < buckets; b++) start[b + 1] = (start[b + 1] as number) + (start[b] as number);
	const list = new Int32Array(count);
	const cursor = start.slice(0, buckets);
	for (let i = 0; i < count; i++) {
		const bucket = bucketOf(i);
		const at = cursor[bucket] as number;
		list[at] = valueAt(i);
		cursor[bucket] = at + 1;
	}
	return { start, list };
}

/** Children of each state, creation numbering: list[start[s]] … list[start[s + 1] - 1]. */
function childrenByParent(parentOf: Int32Array, states: number): { start: Int32Array; list: Int32Array } {
	// State 0 is the root, the only state without a parent.
	return groupByBucket(
		states,
		Math.max(states - 1, 0),
		(i) => parentOf[i + 1] as number,
		(i) => i + 1,
	);
}

/** Breadth-first numbering, each state's children sorted by code unit (they become consecutive). */
function renumberBreadthFirst(
	children: { start: Int32Array; list: Int32Array },
	unitOf: Uint16Array,
	needleOf: Int32Array,
	states: number,
): { firstChild: Int32Array; unitInto: Uint16Array; needleAt: Int32Array } {
	const { start, list } = children;
	const order = new Int32Array(states); // new number → creation number
	const firstChild = new Int32Array(states + 1);
	const unitInto = new Uint16Array(states);
	const needleAt = new Int32Array(states);
	let tail = 1;
	for (let head = 0; head < states; head++) {
		const old = order[head] as number;
		needleAt[head] = (needleOf[old] as number) - 1;
		const first = tail;
		firstChild[head] = first;
		const to = start[old + 1] as number;
		for (let c = start[old] as number; c < to; c++) {
			const child = list[c] as number;
			// Insertion sort by code unit: fan-outs are small except near the root.
			let at = tail;
			const unit = unitOf[child] as number;
			while (at > first && (unitInto[at - 1] as number) > unit) {
				order[at] = order[at - 1] as number;
				unitInto[at] = unitInto[at - 1] as number;
				at--;
			}
			order[at] = child;
			unitInto[at] = unit;
			tail++;
		}
	}
	firstChild[states] = tail;
	return { firstChild, unitInto, needleAt };
}

/** The parent of each state s > 0 (breadth-first numbering) at index s - 1, written over `into`. */
function parentsOf(firstChild: Int32Array, into: Int32Array, states: number): Int32Array {
	for (let head = 0; head < states; head++) {
		const last = firstChild[head + 1] as number;
		for (let c = firstChild[head] as number; c < last; c++) into[c - 1] = head;
	}
	return into;
}

/** Failure and output links, breadth-first so a state's failure target is final before its children need it. */
function failureLinks(
	firstChild: Int32Array,
	unitInto: Uint16Array,
	rootAscii: Int32Array,
	needleAt: Int32Array,
	parent: Int32Array,
	states: number,
): { fail: Int32Array; outputLink: Int32Array } {
	const fail = new Int32Array(states);
	const outputLink = new Int32Array(states);
	for (let s = 1; s < states; s++) {
		const p = parent[s - 1] as number;
		let target = 0;
		if (p !== 0) {
			const unit = unitInto[s] as number;
			let f = fail[p] as number;
			for (;;) {
				const next = childOf(firstChild, 1, unitInto, rootAscii, f, unit);
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
	return { fail, outputLink };
}

// The banned list, compiled once per policy text: whatever the number of entries, deciding a name is one
// Aho–Corasick pass per side (normalized skeleton, raw name), one map look-up per side for exact
// entries, and one RE2 set pass per side for regex entries (linear time, no backtracking).
import { RE2JS, RE2Set } from "re2js";
import { type Automaton, buildAutomaton, findAll } from "./automaton";
import { type BannedEntry, type MatchMode, type Outcome, problem } from "./document";
import { foldText, isWordCharacterAt, nameSkeleton, skeleton } from "./normalize";

/** What a refusal by one banned entry answers. */
export interface BannedRule {
	/** e.g. `names.banned[3] "casino"` or `names.banned[4] word "bet"`. */
	rule: string;
	errorCode: number | undefined;
	errorInfo: string | undefined;
}

const PLAIN = 0;
const WORD = 1;
const PREFIX = 2;
const SUFFIX = 3;
const GLOB = 4;
const ROLES = 8;

interface Glob {
	entry: number;
	/** The value split at `*`: the name starts with the first piece, ends with the last, holds the rest in order. */
	pieces: string[];
}

/** Entries compared with one form of the name (the skeleton, or the raw name for `normalize: false`). */
interface Side {
	automaton: Automaton;
	/** For each needle: entry * ROLES + role, for every entry using it. */
	needleUses: number[][];
	exact: Map<string, number>;
	globs: Glob[];
	/** Globs triggered by needle i (their longest piece), as indices into `globs`. */
	globTriggers: Map<number, number[]>;
	/** Globs without any literal piece (`*`): candidates for every name. */
	globsAlways: number[];
	regexEntries: number[];
	regexSet: RE2Set | null;
	/** Used when the entries do not fit one RE2 set. */
	regexEach: RE2JS[] | null;
}

/** A compiled banned list; decide with {@link findFirstBanned}. */
export interface CompiledBanned {
	rules: BannedRule[];
	normalized: Side;
	raw: Side;
	counts: Record<MatchMode, number>;
}

class SideBuilder {
	needles = new Map<string, number>();
	needleUses: number[][] = [];
	exact = new Map<string, number>();
	globs: Glob[] = [];
	globTriggers = new Map<number, number[]>();
	globsAlways: number[] = [];
	regexEntries: number[] = [];
	regexPatterns: string[] = [];

	constructor(readonly caseInsensitive: boolean) {}

	needle(text: string, entry: number, role: number): number {
		let id = this.needles.get(text);
		if (id === undefined) {
			id = this.needles.size;
			this.needles.set(text, id);
			this.needleUses.push([]);
		}
		this.needleUses[id]?.push(entry * ROLES + role);
		return id;
	}

	build(): Side {
		const flags = this.caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0;
		let regexSet: RE2Set | null = null;
		let regexEach: RE2JS[] | null = null;
		if (this.regexPatterns.length > 0) {
			try {
				regexSet = new RE2Set(RE2Set.UNANCHORED, flags);
				for (const pattern of this.regexPatterns) regexSet.add(pattern);
				regexSet.compile();
			} catch {
				// Too large for one program: match them one by one (each still linear-time).
				regexSet = null;
				regexEach = this.regexPatterns.map((pattern) => RE2JS.compile(pattern, flags));
			}
		}
		return {
			automaton: buildAutomaton([...this.needles.keys()]),
			needleUses: this.needleUses,
			exact: this.exact,
			globs: this.globs,
			globTriggers: this.globTriggers,
			globsAlways: this.globsAlways,
			regexEntries: this.regexEntries,
			regexSet,
			regexEach,
		};
	}
}

/**
 * Compiles `names.banned` (found at `path`, e.g. `names.banned`): validates every pattern and builds the
 * matchers. A pattern that cannot be used is a problem naming the entry.
 */
export function compileBanned(
	entries: readonly BannedEntry[],
	path: string,
	at: (index: number) => { line: number; column: number } | null,
): Outcome<CompiledBanned> {
	const normalized = new SideBuilder(true);
	const raw = new SideBuilder(false);
	const rules: BannedRule[] = [];
	const counts: Record<MatchMode, number> = {
		plain: 0,
		exact: 0,
		word: 0,
		prefix: 0,
		suffix: 0,
		glob: 0,
		regex: 0,
	};
	for (const [index, item] of entries.entries()) {
		const entry = typeof item === "string" ? { value: item } : item;
		const mode: MatchMode = entry.match ?? "plain";
		const doesNormalize = entry.normalize !== false;
		const side = doesNormalize ? normalized : raw;
		const name = `${path}[${index}]`;
		counts[mode]++;
		rules.push({
			rule: `${name} ${mode === "plain" ? "" : `${mode} `}${JSON.stringify(entry.value)}`,
			errorCode: entry.errorCode,
			errorInfo: entry.errorInfo,
		});
		if (mode === "regex") {
			try {
				RE2JS.compile(entry.value, doesNormalize ? RE2JS.CASE_INSENSITIVE : 0);
			} catch (error) {
				const reason = error instanceof Error ? error.message : String(error);
				return problem(
					`${name}: regex ${JSON.stringify(entry.value)} is not valid RE2 syntax (the linear-time engine: ` +
						`no look-around, no back-references): ${reason}`,
					name,
					at(index),
				);
			}
			side.regexEntries.push(index);
			side.regexPatterns.push(entry.value);
			continue;
		}
		if (mode === "glob") {
			const pieces = doesNormalize ? foldText(entry.value).split("*").map(skeleton) : entry.value.split("*");
			const longest = pieces.reduce((a, b) => (b.length > a.length ? b : a), "");
			const glob = side.globs.push({ entry: index, pieces }) - 1;
			if (longest === "") {
				side.globsAlways.push(glob);
			} else {
				const needle = side.needle(longest, index, GLOB);
				const list = side.globTriggers.get(needle) ?? [];
				list.push(glob);
				side.globTriggers.set(needle, list);
			}
			continue;
		}
		const value = doesNormalize ? nameSkeleton(entry.value) : entry.value;
		if (value === "") {
			return problem(`${name}: ${JSON.stringify(entry.value)} is empty once normalized`, name, at(index));
		}
		if (mode === "exact") {
			if (!side.exact.has(value)) side.exact.set(value, index);
		} else {
			side.needle(value, index, { plain: PLAIN, word: WORD, prefix: PREFIX, suffix: SUFFIX }[mode]);
		}
	}
	return { ok: true, value: { rules, normalized: normalized.build(), raw: raw.build(), counts } };
}

/**
 * Index of the first entry (in document order) that refuses the name, or -1.
 * `text` is the name's text form, `nameSkeleton` its skeleton, `rawName` the name as received.
 */
export function findFirstBanned(
	banned: CompiledBanned,
	rawName: string,
	text: string,
	nameSkeleton: string,
): number {
	let best = Number.POSITIVE_INFINITY;
	best = Math.min(best, firstOnSide(banned.normalized, nameSkeleton, text, best));
	best = Math.min(best, firstOnSide(banned.raw, rawName, rawName, best));
	return best === Number.POSITIVE_INFINITY ? -1 : best;
}

function firstOnSide(side: Side, subject: string, regexSubject: string, bestSoFar: number): number {
	let best = bestSoFar;
	const exact = side.exact.get(subject);
	if (exact !== undefined && exact < best) best = exact;
	const globCandidates: number[] = [...side.globsAlways];
	findAll(side.automaton, subject, (needle, start, end) => {
		for (const use of side.needleUses[needle] ?? []) {
			const entry = Math.floor(use / ROLES);
			if (entry >= best) continue;
			switch (use % ROLES) {
				case PLAIN:
					best = entry;
					break;
				case WORD:
					if (!isWordCharacterAt(subject, start - 1) && !isWordCharacterAt(subject, end)) best = entry;
					break;
				case PREFIX:
					if (start === 0) best = entry;
					break;
				case SUFFIX:
					if (end === subject.length) best = entry;
					break;
				case GLOB:
					globCandidates.push(...(side.globTriggers.get(needle) ?? []));
					break;
			}
		}
	});
	for (const candidate of globCandidates) {
		const glob = side.globs[candidate];
		if (glob !== undefined && glob.entry < best && globMatches(glob.pieces, subject)) best = glob.entry;
	}
	if (side.regexSet !== null) {
		for (const matched of side.regexSet.match(regexSubject)) {
			const entry = side.regexEntries[matched];
			if (entry !== undefined && entry < best) best = entry;
		}
	} else if (side.regexEach !== null) {
		side.regexEach.forEach((regex, i) => {
			const entry = side.regexEntries[i];
			if (entry !== undefined && entry < best && regex.matcher(regexSubject).find()) best = entry;
		});
	}
	return best;
}

/** Whether `text` is matched by a glob split at its `*`s: anchored at both ends, pieces in order. */
export function globMatches(pieces: readonly string[], text: string): boolean {
	const first = pieces[0] ?? "";
	if (pieces.length === 1) return text === first;
	const last = pieces[pieces.length - 1] ?? "";
	if (!text.startsWith(first)) return false;
	let position = first.length;
	for (let i = 1; i < pieces.length - 1; i++) {
		const piece = pieces[i] ?? "";
		const found = text.indexOf(piece, position);
		if (found < 0) return false;
		position = found + piece.length;
	}
	return text.length - last.length >= position && text.endsWith(last);
}

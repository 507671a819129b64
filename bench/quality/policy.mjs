// The policy the project is measured with: obscenity's English dataset (the same word list, the same
// patterns, the same whitelist) written as a policy document, plus the benchmark's Chinese words, plus
// exceptions beyond obscenity's whitelist: the project's recommended Scunthorpe exceptions
// (examples/scunthorpe-exceptions.json, written by hand from well-known examples, 54 entries) and two for
// the benchmark's own Chinese list (大麻烦, 大麻袋: 大麻 across a word boundary). Those are part of what
// the project recommends, not of obscenity's list, so the benchmark also judges the project with
// obscenity's whitelist alone (`exceptions` empty) and reports both.
// Each obscenity pattern becomes entries by what it says:
// - bounded on both sides (`|cock|`) → a `word` entry; at the start only (`|ass`) → `word-start`; at the
//   end only (`shit|`) → `word-end`; unbounded (`dick`) → a plain entry; optional letters (`s[s]lut`) are
//   spelled out, one entry per spelling;
// - holding a wildcard (`f[?]ck`) → a `regex` entry with `fold: true` (`f.?ck`);
// - each whitelisted term (`dickens`, `montenegro`) → an `allowed` pattern `{ "match": "contains" }`: a
//   banned match lying wholly inside it is ignored, which is what obscenity's whitelist does.
import { englishDataset, englishRecommendedTransformers, RegExpMatcher } from "obscenity";

// obscenity's pattern syntax tree (SyntaxKind).
const OPTIONAL = 0;
const WILDCARD = 1;
const LITERAL = 2;

const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|]/g;

/** The spellings of a pattern without wildcards: every choice of its optional parts. */
function spellings(nodes) {
	let out = [""];
	for (const node of nodes) {
		const text = node.kind === LITERAL ? String.fromCharCode(...node.chars) : null;
		if (text !== null) out = out.map((s) => s + text);
		else {
			const inner = String.fromCharCode(...node.childNode.chars);
			out = out.flatMap((s) => [s, s + inner]);
		}
	}
	return out;
}

function hasWildcard(nodes) {
	return nodes.some(
		(node) => node.kind === WILDCARD || (node.kind === OPTIONAL && node.childNode.kind === WILDCARD),
	);
}

/** The RE2 pattern of an obscenity pattern, over a folded reading of the name. */
function regexOf(parsed) {
	let body = "";
	for (const node of parsed.nodes) {
		if (node.kind === LITERAL) body += String.fromCharCode(...node.chars).replace(REGEX_SPECIAL, "\\$&");
		else if (node.kind === WILDCARD) body += ".";
		else if (node.childNode.kind === WILDCARD) body += ".?";
		else body += `(?:${String.fromCharCode(...node.childNode.chars).replace(REGEX_SPECIAL, "\\$&")})?`;
	}
	return `${parsed.requireWordBoundaryAtStart ? "\\b" : ""}${body}${parsed.requireWordBoundaryAtEnd ? "\\b" : ""}`;
}

/**
 * The spellings of a pattern that obscenity itself can match: its transformers run before matching, so a
 * spelling they change cannot match (collapsing repeated letters turns `jizz` into `jiz` and `titt` into
 * `tit`, so the patterns `jizz` and `|titt` never match anything). Those are not part of the list obscenity
 * enforces, and are left out of the project's too.
 */
function liveSpellings(parsed) {
	const alone = new RegExpMatcher({
		blacklistedTerms: [{ id: 0, pattern: parsed }],
		...englishRecommendedTransformers,
	});
	const all = spellings(parsed.nodes);
	return {
		live: all.filter((spelling) => alone.hasMatch(spelling)),
		dead: all.filter((s) => !alone.hasMatch(s)),
	};
}

/** The banned entries one obscenity pattern becomes, and the spellings left out (see {@link liveSpellings}). */
export function entriesOfPattern(parsed) {
	const { requireWordBoundaryAtStart: start, requireWordBoundaryAtEnd: end } = parsed;
	if (hasWildcard(parsed.nodes))
		return { entries: [{ match: "regex", value: regexOf(parsed), fold: true }], dead: [] };
	const { live, dead } = liveSpellings(parsed);
	if (live.length === 0) return { entries: [], dead };
	const match = start ? (end ? "word" : "word-start") : end ? "word-end" : null;
	return { entries: live.map((value) => (match === null ? value : { match, value })), dead };
}

/** The source text of a parsed pattern (obscenity keeps only the tree). */
function sourceOf(parsed) {
	let body = "";
	for (const node of parsed.nodes) {
		if (node.kind === LITERAL) body += String.fromCharCode(...node.chars);
		else if (node.kind === WILDCARD) body += "?";
		else body += `[${node.childNode.kind === WILDCARD ? "?" : String.fromCharCode(...node.childNode.chars)}]`;
	}
	return `${parsed.requireWordBoundaryAtStart ? "|" : ""}${body}${parsed.requireWordBoundaryAtEnd ? "|" : ""}`;
}

/**
 * The policy document: obscenity's English dataset as banned entries and allowed patterns, then the
 * Chinese words as plain entries, then the allowed patterns `exceptions`. `foldsToOther(term)` says whether the project folds a whitelisted term
 * into other letters (`45s` → `ass`): such a term would excuse the very word it protects, so it is left out
 * and listed in `skipped`; spellings obscenity cannot match are listed in `dead`.
 */
export function benchmarkPolicy(chineseWords, foldsToOther, exceptions = []) {
	const banned = [];
	const allowed = [];
	const skipped = [];
	const dead = [];
	const seen = new Set();
	for (const phrase of englishDataset.containers) {
		for (const parsed of phrase.patterns) {
			const translated = entriesOfPattern(parsed);
			if (translated.dead.length > 0) dead.push(`${sourceOf(parsed)} (${translated.dead.join(", ")})`);
			for (const entry of translated.entries) {
				const key = JSON.stringify(entry);
				if (seen.has(key)) continue;
				seen.add(key);
				banned.push(entry);
			}
		}
		for (const term of phrase.whitelistedTerms) {
			if (foldsToOther(term)) skipped.push(term);
			else if (!allowed.some((a) => a.value === term)) allowed.push({ match: "contains", value: term });
		}
	}
	banned.push(...chineseWords);
	allowed.push(...exceptions);
	return { document: { version: "quality-benchmark", names: { allowed, banned } }, skipped, dead };
}

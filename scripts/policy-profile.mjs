#!/usr/bin/env node
// Compile time, decision rate and compiled size of generated policies of 10 / 1,000 / 10,000 / 100,000
// banned entries (mixed match modes, a few regexes, a few non-ASCII and `normalize: false` entries).
// Not part of `npm test`. Rerun with Node 22:
//   npx node --expose-gc scripts/policy-profile.mjs [SIZES...]
//   npx node --cpu-prof --cpu-prof-dir=.wrangler/tmp/prof scripts/policy-profile.mjs 100000
//   npx node --expose-gc scripts/policy-profile.mjs --src DIR   (another checkout's src/policy, to compare)
// "first compile" is the first in this process (what a cold isolate pays), "best" the fastest of a few.
import { random } from "../tools/lib/policy-fixture.mjs";
import { loadPolicyModule, root } from "./load-policy-module.mjs";

const args = process.argv.slice(2);
const srcAt = args.indexOf("--src");
const sourceRoot = srcAt >= 0 ? `${args.splice(srcAt, 2)[1]}/` : root;

function loadPolicyCode() {
	return loadPolicyModule(
		"policy-profile",
		`export { compilePolicyText } from "./src/policy/engine/compile";
export { evaluateCreation } from "./src/policy/engine/evaluate";`,
		sourceRoot,
	);
}

const LETTERS = "abcdefghijklmnopqrstuvwxyz";
const NON_ASCII = ["ä", "é", "ß", "ø", "ж", "ü"];

function word(next, min = 4, max = 12) {
	const length = min + Math.floor(next() * (max - min + 1));
	let out = "";
	for (let i = 0; i < length; i++) out += LETTERS[Math.floor(next() * 26)];
	return out;
}

const MODES = ["plain", "plain", "word", "prefix", "suffix", "exact", "glob"];

/** A policy of `size` banned entries; also returns some of its words to build matching names from. */
function generate(size) {
	const next = random(size);
	const banned = [];
	const words = [];
	for (let i = 0; i < size; i++) {
		if (i % 2000 === 1999) {
			banned.push({ match: "regex", value: `^${word(next, 3, 5)}[0-9]{2,}$`, errorCode: 10150 });
			continue;
		}
		let value = word(next);
		if (i % 100 === 7) value = `${value.slice(0, 3)}${NON_ASCII[i % NON_ASCII.length]}${value.slice(3)}`;
		if (i % 50 === 3) value = value.toUpperCase();
		if (i % 37 === 5) value = `${value.slice(0, 2)}4${value.slice(3)}`; // leetspeak in the pattern
		const mode = MODES[i % MODES.length];
		if (i < 200) words.push(value);
		const entry =
			mode === "glob" ? { match: "glob", value: `${value}*${word(next, 3, 6)}` } : { match: mode, value };
		if (i % 400 === 11) entry.normalize = false;
		if (i % 3 === 0) entry.errorCode = 10100 + (i % 100);
		banned.push(mode === "plain" && i % 2 === 0 && entry.normalize === undefined ? value : entry);
	}
	return { text: JSON.stringify({ version: `profile-${size}`, names: { maxLength: 80, banned } }), words };
}

/** Names to decide: mostly harmless (the common case), some refused, some with look-alikes. */
function names(words) {
	const next = random(7);
	const out = [];
	for (let i = 0; i < 64; i++) {
		const w = words[i % Math.max(words.length, 1)] ?? "casino";
		switch (i % 8) {
			case 0:
				out.push(`My topic about ${w} and more`);
				break;
			case 1:
				out.push(`Ｆｕｌｌ ${w.toUpperCase()}`);
				break;
			case 2:
				out.push(`c\u0430${w} n\u200bight`);
				break;
			default:
				out.push(`${word(next)} ${word(next)} ${word(next, 2, 5)}`);
		}
	}
	return out;
}

function heapUsed() {
	globalThis.gc?.();
	globalThis.gc?.();
	const { heapUsed, arrayBuffers } = process.memoryUsage();
	return heapUsed + arrayBuffers;
}

const { compilePolicyText, evaluateCreation } = await loadPolicyCode();
const sizes = args.map(Number).filter(Number.isFinite);
const rows = [];
for (const size of sizes.length > 0 ? sizes : [10, 1_000, 10_000, 100_000]) {
	const { text, words } = generate(size);
	const runs = size >= 100_000 ? 3 : size >= 10_000 ? 5 : 20;
	let best = Number.POSITIVE_INFINITY;
	let first = 0;
	let compiled;
	const before = heapUsed();
	for (let r = 0; r < runs; r++) {
		compiled = undefined;
		const start = performance.now();
		compiled = compilePolicyText(text);
		const ms = performance.now() - start;
		if (r === 0) first = ms;
		best = Math.min(best, ms);
		if (!compiled.ok) throw new Error(compiled.problem.message);
	}
	const retained = globalThis.gc ? heapUsed() - before : Number.NaN;
	const policy = compiled.value;
	const list = names(words);
	let refused = 0;
	for (const name of list) {
		if (!evaluateCreation(policy, "topic", { operatorAccount: "leckie", name }).allowed) refused++;
	}
	// The best of short rounds: the machine is shared, the fastest round is the least disturbed one.
	let bestMicros = Number.POSITIVE_INFINITY;
	for (let round = 0; round < 15; round++) {
		let decisions = 0;
		const start = performance.now();
		let elapsed = 0;
		while (elapsed < 30) {
			for (const name of list) evaluateCreation(policy, "topic", { operatorAccount: "leckie", name });
			decisions += list.length;
			elapsed = performance.now() - start;
		}
		bestMicros = Math.min(bestMicros, (elapsed * 1000) / decisions);
	}
	rows.push({
		entries: size,
		"text KiB": Math.round(text.length / 1024),
		"first compile ms": first.toFixed(1),
		"best compile ms": best.toFixed(1),
		"decisions/s": Math.round(1e6 / bestMicros),
		"µs/decision": bestMicros.toFixed(2),
		"refused/64": refused,
		"retained MiB": Number.isNaN(retained) ? "(--expose-gc)" : (retained / 1048576).toFixed(1),
	});
}
console.log(`node ${process.version}`);
console.table(rows);

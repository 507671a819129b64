#!/usr/bin/env node
// The quality benchmark: how many evasions of a banned word each engine catches (recall by class), how many
// innocent names it refuses (false refusals by set), and how fast it decides, all engines on the same cases
// in one run; then the same per field for notifications (each case in a sentence of about 200 characters,
// judged by the policy's `texts` section), with decisions per second on those texts. The cases are generated from a seed (printed), so every run with the same seed judges the same
// names; only the speed figures move from run to run.
// Usage: npm run bench:quality [-- --seed N] [--no-write] [--speed-names 20000] [--speed-texts 3000] [--rounds 5]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { englishDataset, englishRecommendedTransformers, RegExpMatcher } from "obscenity";
import { benchmarkPolicy } from "../../tools/lib/benchmark-policy.mjs";
import { random } from "../../tools/lib/policy-fixture.mjs";
import { bundleAdapter } from "../lib/build.mjs";
import { writeResultsJson } from "../lib/report.mjs";
import {
	CHINESE_CLASSES,
	CHINESE_EXCEPTIONS,
	CJK_CLASSES,
	DEFAULT_SEED,
	EVASION_CLASSES,
	NOTIFICATION_SAMPLE,
	notificationCases,
	qualityCases,
} from "./cases.mjs";
import {
	mintEngine,
	naiveEngine,
	obscenityEngine,
	obscenitySeparatorEngine,
	projectEngine,
} from "./engines.mjs";
import { SCRIPT_SETS } from "./scripts-cases.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
// obscenity's exports leave out its package.json: read it from the file.
const OBSCENITY_VERSION = JSON.parse(
	readFileSync(join(root, "node_modules", "obscenity", "package.json"), "utf8"),
).version;

const { values: args } = parseArgs({
	options: {
		seed: { type: "string", default: String(DEFAULT_SEED) },
		"no-write": { type: "boolean", default: false },
		"speed-names": { type: "string", default: "20000" },
		"speed-texts": { type: "string", default: "3000" },
		rounds: { type: "string", default: "5" },
	},
});
const seed = Number(args.seed);
const started = Date.now();

/** The policy module, bundled for Node from bench/policy-adapter.ts (as the micro-benchmark does). */
async function loadAdapter() {
	const dir = mkdtempSync(join(tmpdir(), "bench-quality-"));
	try {
		const outfile = join(dir, "adapter.mjs");
		await bundleAdapter(outfile);
		return await import(pathToFileURL(outfile).href);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

const adapter = await loadAdapter();
const plainObscenity = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });
const cases = qualityCases(seed, (word) => plainObscenity.hasMatch(word));
// A whitelisted term with digits or symbols (`45s`) folds to other letters in the project (`ass`): as an
// allowed pattern it would excuse the very word it protects.
const foldsToOther = (term) => /[0-9$@€]/.test(term);
// The project's recommended Scunthorpe exceptions (shipped in examples/) and the Chinese list's own.
const recommended = JSON.parse(
	readFileSync(join(root, "examples", "scunthorpe-exceptions.json"), "utf8"),
).allowed;
const exceptions = [...recommended, ...CHINESE_EXCEPTIONS];
// The Chinese words opt in to pinyin (`"pinyin": true`), as an operator in China would write them.
const cjkWords = {
	chinese: cases.chineseWords,
	pinyin: true,
	japanese: cases.japaneseWords,
	korean: cases.koreanWords,
};
const allCjk = [...cases.chineseWords, ...cases.japaneseWords, ...cases.koreanWords];
const { document, skipped, dead } = benchmarkPolicy(cjkWords, foldsToOther, exceptions);
const { document: whitelistOnly } = benchmarkPolicy(cjkWords, foldsToOther);
const engines = [
	projectEngine(adapter, document),
	projectEngine(
		adapter,
		whitelistOnly,
		"project-whitelist-only",
		"this project, obscenity's whitelist only (no recommended exceptions)",
	),
	obscenityEngine(allCjk),
	obscenitySeparatorEngine(allCjk),
	mintEngine([...cases.words, ...allCjk]),
	naiveEngine([...cases.words, ...allCjk]),
];

console.log(`Quality benchmark, seed ${seed} (rerun with --seed ${seed} for the same cases).`);
console.log(
	`${cases.words.length} English words (obscenity ${OBSCENITY_VERSION}), ` +
		`${cases.chineseWords.length} Chinese, ${cases.japaneseWords.length} Japanese and ${cases.koreanWords.length} Korean words; policy: ${document.names.banned.length} banned entries, ` +
		`${document.names.allowed.length} allowed patterns (${exceptions.length} of them the recommended exceptions).`,
);
console.log(
	`Words obscenity does not enforce (no evasions made of them): ${cases.unenforced.join(", ") || "none"}.`,
);
console.log(
	`Pattern spellings obscenity cannot match (left out of the policy): ${dead.join("; ") || "none"}.`,
);
console.log(`Whitelisted terms left out of the policy's allowed patterns: ${skipped.join(", ") || "none"}.`);

const notifications = notificationCases(cases);
/** How an engine judges a notification: this project by its `texts` section, the others as a name. */
const refusesText = (engine) => engine.refusesText ?? engine.refuses;

// Every frame a word is embedded in must be innocent for every engine, or a "catch" could be the frame's.
for (const engine of engines) {
	const guilty = [
		...cases.frames.filter((name) => name !== "" && engine.refuses(name)),
		...notifications.frames.filter((text) => refusesText(engine)(text)),
	];
	if (guilty.length > 0) throw new Error(`${engine.label} refuses the innocent frames ${guilty.join(", ")}`);
}

const CLASSES = [
	...EVASION_CLASSES.map(({ id, label }) => ({ id, label, chinese: false })),
	...CHINESE_CLASSES.map(({ id, label }) => ({ id, label, chinese: true })),
	...CJK_CLASSES.map(({ id, label }) => ({ id, label, chinese: false, cjk: true })),
];
const SETS = [
	{ id: "dictionary", label: "English dictionary words (an-array-of-english-words)" },
	{ id: "cities", label: "city names (cities-list)" },
	{ id: "scunthorpe", label: "Scunthorpe list (innocent names holding a banned word)" },
	{
		id: "scunthorpeSeen",
		label: "Scunthorpe pool, the half the hand-written exceptions were written from",
	},
	{ id: "scunthorpeHeldOut", label: "Scunthorpe pool, the held-out half (no entry written for it)" },
	{ id: "chinese", label: "innocent Chinese names" },
	...SCRIPT_SETS,
];
const EXAMPLES = 6;

/**
 * Recall by class, control and false refusals by set for one engine, on the names (`field` "name") or on
 * the notifications.
 */
function judge(engine, field = "name") {
	const source = field === "name" ? cases : notifications;
	const refuses = field === "name" ? engine.refuses : refusesText(engine);
	const byClass = Object.fromEntries(CLASSES.map(({ id }) => [id, { caught: 0, total: 0, missed: [] }]));
	for (const { class: id, name } of source.evasions) {
		const tally = byClass[id];
		tally.total++;
		if (refuses(name)) tally.caught++;
		else if (tally.missed.length < EXAMPLES) tally.missed.push(name);
	}
	const control = { caught: 0, total: 0, missed: [] };
	for (const { name } of source.controls) {
		control.total++;
		if (refuses(name)) control.caught++;
		else if (control.missed.length < EXAMPLES) control.missed.push(name);
	}
	const bySet = {};
	for (const { id } of SETS) {
		const names = source.innocent[id];
		const tally = { refused: 0, total: names.length, examples: [] };
		for (const name of names) {
			if (!refuses(name)) continue;
			tally.refused++;
			if (tally.examples.length < EXAMPLES || id.startsWith("scunthorpe")) tally.examples.push(name);
		}
		bySet[id] = tally;
	}
	const sum = (filter) =>
		CLASSES.filter(filter).reduce(
			(all, { id }) => ({ caught: all.caught + byClass[id].caught, total: all.total + byClass[id].total }),
			{ caught: 0, total: 0 },
		);
	return {
		byClass,
		allEnglish: sum((c) => !c.chinese && !c.cjk),
		allChinese: sum((c) => c.chinese),
		allJapaneseKorean: sum((c) => c.cjk === true),
		all: sum(() => true),
		control,
		bySet,
	};
}

/**
 * The same names (or texts) for every engine: a seeded sample of every case and innocent name of `source`
 * (the names, or the notifications), each passed through `shape`.
 */
function speedSample(source, count, salt, shape = (name) => name) {
	const pool = [
		...source.evasions.map((c) => c.name),
		...source.controls.map((c) => c.name),
		...Object.values(source.innocent).flat(),
	];
	const next = random(seed ^ salt);
	return Array.from({ length: count }, () => shape(pool[Math.floor(next() * pool.length)]));
}
const speedNames = (count) => speedSample(cases, count, 0x5eed);
/** Notifications cut or padded to 200 characters. */
const speedTexts = (count) =>
	speedSample(notifications, count, 0x7e475, (text) =>
		text.length >= 200 ? text.slice(0, 200) : text.padEnd(200, " See you there."),
	);

/** Where the timed verdicts go, so that no engine's work can be optimized away. */
const sink = { refused: 0 };

/** Decisions per second of one pass over the names. */
function decisionsPerSecond(engine, names, refuses = engine.refuses) {
	const begin = process.hrtime.bigint();
	for (let i = 0; i < names.length; i++) if (refuses(names[i])) sink.refused++;
	return (names.length * 1e9) / Number(process.hrtime.bigint() - begin);
}

const results = {};
for (const engine of engines) {
	const t0 = Date.now();
	results[engine.id] = judge(engine);
	results[engine.id].notification = judge(engine, "notification");
	console.log(`judged ${engine.label} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
const names = speedNames(Number(args["speed-names"]));
const texts = speedTexts(Number(args["speed-texts"]));
// The engines take turns, one pass each a round, so that a burst of other work on the shared machine
// slows a pass of each rather than every pass of one; each keeps its fastest pass (noise only ever slows a
// pass). Before each timed pass, an untimed one over a tenth of the sample warms the engine up and brings
// its tables back into the caches the other engines' passes used.
const warmNames = names.slice(0, names.length / 10);
const warmTexts = texts.slice(0, texts.length / 10);
for (const engine of engines) {
	results[engine.id].decisionsPerSecond = 0;
	results[engine.id].textDecisionsPerSecond = 0;
}
for (let round = 0; round < Number(args.rounds); round++) {
	for (const engine of engines) {
		const result = results[engine.id];
		decisionsPerSecond(engine, warmNames);
		result.decisionsPerSecond = Math.max(result.decisionsPerSecond, decisionsPerSecond(engine, names));
		decisionsPerSecond(engine, warmTexts, refusesText(engine));
		result.textDecisionsPerSecond = Math.max(
			result.textDecisionsPerSecond,
			decisionsPerSecond(engine, texts, refusesText(engine)),
		);
	}
}

// Figures are cut, never rounded up: recall and speed down, false refusals up (never flattering).
const down = (x, digits) => Math.floor(x * 10 ** digits) / 10 ** digits;
const up = (x, digits) => Math.ceil(x * 10 ** digits) / 10 ** digits;
const recallPercent = ({ caught, total }) => (total === 0 ? null : down((100 * caught) / total, 1));
const refusalPercent = ({ refused, total }) => up((100 * refused) / total, 2);
const fmt = (n) => Math.floor(n).toLocaleString("en-US");

const project = results.project;
const obscenityIds = ["obscenity", "obscenity-separators"];
/** A class obscenity covers: one where either configuration catches anything at all. */
const obscenityCovers = (id) => obscenityIds.some((e) => results[e].byClass[id].caught > 0);
const bestObscenityRecall = (id) =>
	Math.max(...obscenityIds.map((e) => results[e].byClass[id].caught / results[e].byClass[id].total));
const classShortfalls = CLASSES.filter(
	({ id }) => project.byClass[id].total > 0 && obscenityCovers(id),
).filter(({ id }) => project.byClass[id].caught / project.byClass[id].total < bestObscenityRecall(id));
const fewestRefusals = (set) => Math.min(...obscenityIds.map((e) => results[e].bySet[set].refused));
const speedRatio = project.decisionsPerSecond / results.obscenity.decisionsPerSecond;
const textSpeedRatio = project.textDecisionsPerSecond / results.obscenity.textDecisionsPerSecond;
const notified = project.notification;
const allRefused = (bySet) => ({
	refused: SETS.reduce((n, { id }) => n + bySet[id].refused, 0),
	total: SETS.reduce((n, { id }) => n + bySet[id].total, 0),
});
// In a notification, obscenity's separators configuration reads the whole sentence as one word: it finds
// fewer evasions there (see the recall table) and misses a banned word standing alone in a sentence (`shits`,
// `cums`). Texts are compared with its recommended configuration; both are in the tables.
const textRefusals = (set) => results.obscenity.notification.bySet[set].refused;
const cjkClasses = CLASSES.filter((c) => c.chinese || c.cjk);
const cjkShort = cjkClasses.filter(({ id }) => project.byClass[id].caught / project.byClass[id].total < 0.95);
const targets = [
	{
		target: "recall on all evasions",
		wanted: ">= 95%",
		measured: `${recallPercent(project.all)}% (English ${recallPercent(project.allEnglish)}%, Chinese ${recallPercent(project.allChinese)}%, Japanese and Korean ${recallPercent(project.allJapaneseKorean)}%)`,
		pass: project.all.caught / project.all.total >= 0.95,
	},
	{
		target: "recall in every Chinese, Japanese and Korean class",
		wanted: ">= 95%",
		measured:
			cjkShort.length === 0
				? "every class"
				: `below in: ${cjkShort.map(({ id }) => `${id} ${recallPercent(project.byClass[id])}%`).join("; ")}`,
		pass: cjkShort.length === 0,
	},
	{
		target: "recall in every class",
		wanted: ">= obscenity's (the better of its two configurations)",
		measured:
			classShortfalls.length === 0
				? "every class"
				: `below in: ${classShortfalls.map(({ id }) => `${id} ${recallPercent(project.byClass[id])}% < ${down(100 * bestObscenityRecall(id), 1)}%`).join("; ")}`,
		pass: classShortfalls.length === 0,
	},
	...["dictionary", "cities", "russian", "ukrainian", "bulgarian", "greek", "french", "spanish"].map(
		(set) => ({
			target: `false refusals, ${set}`,
			wanted: "<= obscenity's (the fewer of its two configurations)",
			measured: `${fmt(project.bySet[set].refused)} vs ${fmt(fewestRefusals(set))}`,
			pass: project.bySet[set].refused <= fewestRefusals(set),
		}),
	),
	...["chinese", "japanese", "korean"].map((set) => ({
		target: `false refusals, innocent ${set} names`,
		wanted: "0",
		measured: `${project.bySet[set].refused}${project.bySet[set].refused > 0 ? ` (${project.bySet[set].examples.join(", ")})` : ""}`,
		pass: project.bySet[set].refused === 0,
	})),
	{
		target: "false refusals, Scunthorpe list",
		wanted: "0",
		measured:
			`${project.bySet.scunthorpe.refused}${project.bySet.scunthorpe.refused > 0 ? ` (${project.bySet.scunthorpe.examples.join(", ")})` : ""}; ` +
			`${results["project-whitelist-only"].bySet.scunthorpe.refused} with obscenity's whitelist only; ` +
			`held-out half of the pool: ${project.bySet.scunthorpeHeldOut.refused} of ${project.bySet.scunthorpeHeldOut.total} ` +
			`(${results["project-whitelist-only"].bySet.scunthorpeHeldOut.refused} with obscenity's whitelist only)`,
		pass: project.bySet.scunthorpe.refused === 0,
	},
	{
		target: "decisions per second",
		wanted: ">= 10x obscenity's (recommended configuration)",
		measured: `${down(speedRatio, 1)}x (${fmt(project.decisionsPerSecond)} vs ${fmt(results.obscenity.decisionsPerSecond)})`,
		pass: speedRatio >= 10,
	},
	{
		target: "notifications: recall on all evasions",
		wanted: ">= 95%, and >= the name field's",
		measured: `${recallPercent(notified.all)}% (names: ${recallPercent(project.all)}%)`,
		pass:
			notified.all.caught / notified.all.total >= 0.95 &&
			notified.all.caught / notified.all.total >= project.all.caught / project.all.total,
	},
	...["dictionary", "cities", "scunthorpe"].map((set) => ({
		target: `notifications: false refusals, ${set}`,
		wanted: "<= obscenity's (recommended configuration)",
		measured: `${fmt(notified.bySet[set].refused)} vs ${fmt(textRefusals(set))}`,
		pass: notified.bySet[set].refused <= textRefusals(set),
	})),
	{
		target: "decisions per second on 200-character texts",
		wanted: ">= 10x obscenity's (recommended configuration)",
		measured: `${down(textSpeedRatio, 1)}x (${fmt(project.textDecisionsPerSecond)} vs ${fmt(results.obscenity.textDecisionsPerSecond)})`,
		pass: textSpeedRatio >= 10,
	},
];

/** A label or name as a Markdown table cell: a `|` would end the cell. */
const cell = (text) => String(text).replace(/\|/g, "\\|");

function markdown() {
	const lines = [];
	lines.push(
		`Seed ${seed}; ${cases.evasions.length.toLocaleString("en-US")} evasions of ${cases.words.length} English, ${cases.chineseWords.length} Chinese, ${cases.japaneseWords.length} Japanese and ${cases.koreanWords.length} Korean words, ` +
			`${Object.values(cases.innocent)
				.reduce((n, set) => n + set.length, 0)
				.toLocaleString(
					"en-US",
				)} innocent names; Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? "CPU"}, ` +
			`load average ${loadavg()[0].toFixed(2)}. obscenity ${OBSCENITY_VERSION}; ` +
			`the project's policy: ${document.names.banned.length} banned entries and ${whitelistOnly.names.allowed.length} allowed patterns translated from obscenity's dataset, ` +
			`plus ${exceptions.length} recommended exceptions (${recommended.length} of examples/scunthorpe-exceptions.json, ${CHINESE_EXCEPTIONS.length} for the Chinese list); ` +
			"the second column is the project without them.",
		"",
		"### Targets",
		"",
		"| target | wanted | measured | |",
		"| --- | --- | --- | --- |",
		...targets.map(
			(t) => `| ${t.target} | ${t.wanted} | ${cell(t.measured)} | ${t.pass ? "PASS" : "**MISS**"} |`,
		),
		"",
		"### Recall by evasion class (share of evasions refused)",
		"",
		`| evasion class | cases | ${engines.map((e) => e.label).join(" | ")} |`,
		`| --- | ---: | ${engines.map(() => "---:").join(" | ")} |`,
	);
	const row = (label, pick) =>
		`| ${cell(label)} | ${pick(project).total.toLocaleString("en-US")} | ${engines
			.map((e) => `${recallPercent(pick(results[e.id]))}%`)
			.join(" | ")} |`;
	for (const { id, label } of CLASSES) lines.push(row(label, (r) => r.byClass[id]));
	lines.push(
		row("**all English evasions**", (r) => r.allEnglish),
		row("**all Chinese evasions**", (r) => r.allChinese),
		row("**all Japanese and Korean evasions**", (r) => r.allJapaneseKorean),
		row("**all evasions**", (r) => r.all),
		row("control: the word as written, in a frame (not an evasion)", (r) => r.control),
		"",
		"### False refusals by innocent set (share of names refused)",
		"",
		`| innocent set | names | ${engines.map((e) => e.label).join(" | ")} |`,
		`| --- | ---: | ${engines.map(() => "---:").join(" | ")} |`,
	);
	for (const { id, label } of SETS) {
		lines.push(
			`| ${label} | ${cases.innocent[id].length.toLocaleString("en-US")} | ${engines
				.map((e) => `${fmt(results[e.id].bySet[id].refused)} (${refusalPercent(results[e.id].bySet[id])}%)`)
				.join(" | ")} |`,
		);
	}
	const textRow = (label, pick) =>
		`| ${cell(label)} | ${pick(notified).total.toLocaleString("en-US")} | ${engines
			.map((e) => `${recallPercent(pick(results[e.id].notification))}%`)
			.join(" | ")} |`;
	lines.push(
		"",
		"### Per field: names and notifications",
		"",
		`Notifications: each case above in a sentence of about 200 characters (${notifications.frames.length} frames, bench/quality/cases.mjs), ` +
			`judged by this project as a topic's Notification under \`"texts": {"banned": "names"}\` and by the other engines as they judge a name; ` +
			`innocent sets sampled to at most ${NOTIFICATION_SAMPLE.toLocaleString("en-US")} names each (seeded).`,
		"",
		`| field | | ${engines.map((e) => e.label).join(" | ")} |`,
		`| --- | --- | ${engines.map(() => "---:").join(" | ")} |`,
		...[
			["name", (r) => r],
			["notification", (r) => r.notification],
		].flatMap(([field, pick]) => [
			`| ${field} | recall, all evasions | ${engines.map((e) => `${recallPercent(pick(results[e.id]).all)}%`).join(" | ")} |`,
			`| ${field} | false refusals, all innocent sets | ${engines
				.map((e) => {
					const all = allRefused(pick(results[e.id]).bySet);
					return `${fmt(all.refused)} of ${fmt(all.total)} (${refusalPercent(all)}%)`;
				})
				.join(" | ")} |`,
		]),
		"",
		"#### Notifications: recall by evasion class",
		"",
		`| evasion class | cases | ${engines.map((e) => e.label).join(" | ")} |`,
		`| --- | ---: | ${engines.map(() => "---:").join(" | ")} |`,
		...CLASSES.map(({ id, label }) => textRow(label, (r) => r.byClass[id])),
		textRow("**all evasions**", (r) => r.all),
		textRow("control: the word as written, in a frame (not an evasion)", (r) => r.control),
		"",
		"#### Notifications: false refusals by innocent set",
		"",
		`| innocent set | texts | ${engines.map((e) => e.label).join(" | ")} |`,
		`| --- | ---: | ${engines.map(() => "---:").join(" | ")} |`,
		...SETS.map(
			({ id, label }) =>
				`| ${label} | ${notified.bySet[id].total.toLocaleString("en-US")} | ${engines
					.map(
						(e) =>
							`${fmt(results[e.id].notification.bySet[id].refused)} (${refusalPercent(results[e.id].notification.bySet[id])}%)`,
					)
					.join(" | ")} |`,
		),
	);
	lines.push(
		"",
		"### Speed",
		"",
		`| | ${engines.map((e) => e.label).join(" | ")} |`,
		`| --- | ${engines.map(() => "---:").join(" | ")} |`,
		`| decisions/s (${names.length.toLocaleString("en-US")} names, best of ${args.rounds}) | ${engines.map((e) => fmt(results[e.id].decisionsPerSecond)).join(" | ")} |`,
		`| decisions/s (${texts.length.toLocaleString("en-US")} texts of 200 characters, best of ${args.rounds}) | ${engines.map((e) => fmt(results[e.id].textDecisionsPerSecond)).join(" | ")} |`,
		"",
		...SETS.filter(({ id }) => id.startsWith("scunthorpe")).flatMap(({ id, label }) => [
			`${label}, names refused: ` +
				engines
					.map((e) => `${e.label}: ${results[e.id].bySet[id].examples.join(", ") || "none"}`)
					.join("; ") +
				".",
			"",
		]),
		"",
		"Evasions this project missed (first few per class): " +
			(CLASSES.filter(({ id }) => project.byClass[id].missed.length > 0)
				.map(({ id }) => `${id}: ${project.byClass[id].missed.map((n) => JSON.stringify(n)).join(", ")}`)
				.join("; ") || "none") +
			".",
	);
	return lines.join("\n");
}

const report = markdown();
console.log(`\n${report}\n`);
console.log(`${((Date.now() - started) / 1000).toFixed(1)} s in all.`);

if (!args["no-write"]) {
	const json = {
		seed,
		measuredAt: new Date().toISOString(),
		node: process.version,
		obscenity: OBSCENITY_VERSION,
		policy: {
			banned: document.names.banned.length,
			allowed: document.names.allowed.length,
			recommendedExceptions: exceptions.length,
			skippedWhitelist: skipped,
			deadSpellings: dead,
			unenforcedWords: cases.unenforced,
		},
		cases: {
			evasions: cases.evasions.length,
			controls: cases.controls.length,
			innocent: Object.fromEntries(Object.entries(cases.innocent).map(([k, v]) => [k, v.length])),
			speedNames: names.length,
			notifications: {
				evasions: notifications.evasions.length,
				controls: notifications.controls.length,
				innocent: Object.fromEntries(Object.entries(notifications.innocent).map(([k, v]) => [k, v.length])),
				speedTexts: texts.length,
			},
		},
		engines: Object.fromEntries(engines.map((e) => [e.id, { label: e.label, ...results[e.id] }])),
		targets,
	};
	const resultsPath = join(root, "bench", "results", "quality.json");
	writeResultsJson(resultsPath, json, root);
	const docsPath = join(root, "docs", "benchmarks.md");
	const docs = readFileSync(docsPath, "utf8");
	const start = "<!-- quality:results:start -->";
	const end = "<!-- quality:results:end -->";
	const from = docs.indexOf(start);
	const to = docs.indexOf(end);
	if (from < 0 || to < from) throw new Error(`docs/benchmarks.md has no ${start} … ${end} markers`);
	const body = `${start}\n<!-- written by npm run bench:quality; edit outside the markers -->\n\n${report}\n\n${end}`;
	writeFileSync(docsPath, docs.slice(0, from) + body + docs.slice(to + end.length));
	console.log("Wrote bench/results/quality.json and the Quality results in docs/benchmarks.md.");
}

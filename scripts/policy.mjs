#!/usr/bin/env node
// `npm run policy -- <command>`: check, push, pull and diff the topic-creation policy, try names against a
// file offline, and regenerate its JSON Schema. `npm run policy -- <command> --help` explains each one.
// The policy code is the Worker's own TypeScript, bundled once by esbuild into .wrangler/tmp.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { WRANGLER_BIN } from "../tools/lib/wrangler.mjs";
import { loadPolicyModule, root } from "./load-policy-module.mjs";
import { backtest } from "./policy-backtest.mjs";

const schemaPath = `${root}docs/policy.schema.json`;

let policyCode = null;
/** The policy code, bundled once per run (a second bundle would bring classes of its own). */
function loadPolicyCode() {
	policyCode ??= loadPolicyModule(
		"policy-cli",
		`export { compilePolicyText, summarizePolicy } from "./src/policy/engine/compile";
export { policyProblems } from "./src/policy/document/parse";
export { explainCreation } from "./src/policy/engine/evaluate";
export { explainTextBy } from "./src/policy/engine/texts";
export { characterCount } from "./src/policy/engine/folding";
export { policyJsonSchema } from "./src/policy/document/json-schema";
export { compiledCacheKey, COMPILED_CACHE_TTL_SECONDS, encodeCompiledPolicy } from "./src/policy/engine/compiled-cache";
export { refusedTopics } from "./src/enforcement/backtest";`,
	);
	return policyCode;
}

const WHERE = {
	local: { type: "boolean" },
	remote: { type: "boolean" },
	env: { type: "string" },
	"persist-to": { type: "string" },
	app: { type: "string" },
};
const WHERE_HELP = `  --local            npm start's local KV (default)
  --remote           the deployed namespace
  --env NAME         a wrangler.toml environment (staging, production)
  --persist-to DIR   local KV kept in DIR instead of .wrangler/state
  --app SDKAPPID     that app's own policy, the key "policy:SDKAPPID" (default: the shared key "policy",
                     which decides for every app without a key of its own)`;

/** The KV key the options name: "policy", or with --app the app's own "policy:<SdkAppid>". */
function policyKeyOf(values) {
	if (values.app === undefined) return "policy";
	if (!/^[0-9]{1,20}$/.test(values.app))
		usage(`--app must be an SdkAppid (digits), not ${JSON.stringify(values.app)}`);
	return `policy:${values.app}`;
}

/** Each command: its options (node:util parseArgs), positional names, help text and what it does. */
const commands = {
	check: {
		usage: "check FILE [NAME…]",
		help: `Validates FILE as a policy document. Prints every problem at once, each as
FILE:LINE:COLUMN: path: problem, and exits 1; a valid document prints a summary of its rules. With
NAMEs, prints instead how the topic rules decide each name, with the explanation POST
/api/policy/check gives (JSON: normalized form, matched span, entry, exceptions; see docs/policy.md).`,
		options: {},
		run: ({ positionals: [file, ...names] }) => check(file, names),
	},
	push: {
		usage: "push FILE [--local | --remote] [--env NAME] [--persist-to DIR] [--app SDKAPPID]",
		help: `Validates FILE (as check does) and only then puts its compiled form (policy:compiled:…, so no
isolate has to compile it) and the document under the KV key "policy" (with --app, "policy:SDKAPPID")
with wrangler kv key put. An
invalid document is never pushed.\n\n${WHERE_HELP}`,
		options: WHERE,
		run: ({ positionals: [file], values }) => push(file, values),
	},
	pull: {
		usage: "pull [FILE] [--local | --remote] [--env NAME] [--persist-to DIR] [--app SDKAPPID]",
		help: `Writes the live document (the KV key "policy", or "policy:SDKAPPID") to FILE, or prints it without
FILE.\n\n${WHERE_HELP}`,
		options: WHERE,
		run: ({ positionals: [file], values }) => pull(file, values),
	},
	diff: {
		usage: "diff FILE [--local | --remote] [--env NAME] [--persist-to DIR] [--app SDKAPPID]",
		help: `Compares the draft FILE with the live document, rule by rule: + added, - removed, ~ changed
(list entries compare as a set). Exits 0 when they have the same rules, 1 when they differ.\n\n${WHERE_HELP}`,
		options: WHERE,
		run: ({ positionals: [file], values }) => diff(file, values),
	},
	"test-name": {
		usage:
			"test-name NAME [NAME…] [--file FILE] [--operator ID] [--group] [--field Introduction|Notification|FaceUrl]",
		help: `Decides topic names offline, against a policy file, and explains each decision: the name's
text form and folded readings (what the rules compare), the answer Tencent would get, the rule that
decided, the part of the name it matched and any allowed entry that excused a match.

  --file FILE     the policy (default examples/policy.json)
  --operator ID   the Operator_Account creating it (default leckie)
  --group         decide a group creation (groupCreation rules) instead of a topic
  --field F       judge each NAME as a text of a live profile instead (Introduction, Notification or
                  FaceUrl), as enforcement does: the operator's bypass, then the policy's texts section`,
		options: {
			file: { type: "string", default: "examples/policy.json" },
			operator: { type: "string", default: "leckie" },
			group: { type: "boolean" },
			field: { type: "string" },
		},
		run: ({ positionals, values }) => testNames(positionals, values),
	},
	backtest: {
		usage: "backtest FILE [--local | --remote] [--env NAME] [--persist-to DIR] [--app SDKAPPID]",
		help: `Lists the live topics in D1 whose current name the policy in FILE refuses: one line each (topic
ID, name, rule, and the topic's SdkAppid), then a count. Reads topics 5000 at a time with wrangler d1
execute; changes nothing (to enforce, POST /api/policy/backtest with "apply": true).

  --local            npm start's local D1 (default)
  --remote           the deployed database
  --env NAME         a wrangler.toml environment (staging, production)
  --persist-to DIR   local D1 kept in DIR instead of .wrangler/state
  --app SDKAPPID     only that app's topics (default: every app's)`,
		options: WHERE,
		run: async ({ positionals: [file], values }) => {
			const policy = await validate(file, readText(file, "backtest"));
			if (values.local && values.remote) usage("--local and --remote exclude each other", "backtest");
			policyKeyOf(values);
			const { refusedTopics } = await loadPolicyCode();
			backtest(file, policy, refusedTopics, values);
		},
	},
	schema: {
		usage: "schema [--check]",
		help: `Writes docs/policy.schema.json, the JSON Schema editors use, from the valibot schema;
with --check, fails when the committed file is stale (npm test runs that check).`,
		options: { check: { type: "boolean" } },
		run: ({ values }) => schema(values),
	},
};

function overview() {
	return `usage: npm run policy -- <command> [options]   (npm run policy -- <command> --help for one)

${Object.values(commands)
	.map((c) => `  ${c.usage}`)
	.join("\n")}`;
}

/** Prints `message` and the command's usage to stderr and exits 2 (a usage error, not a bad policy). */
function usage(message, name) {
	console.error(message);
	console.error(name ? `usage: npm run policy -- ${commands[name].usage}` : overview());
	process.exit(2);
}

function readText(file, name) {
	if (!file) usage("missing FILE", name);
	try {
		return readFileSync(file, "utf8");
	} catch (error) {
		usage(`cannot read ${file}: ${error.message}`, name);
	}
}

/** Every problem of `text` (schema, then compile: a bad regex), as FILE:LINE:COLUMN lines; exits 1 if any. */
async function validate(file, text) {
	const { compilePolicyText, policyProblems } = await loadPolicyCode();
	let problems = policyProblems(text);
	let compiled = null;
	if (problems.length === 0) {
		compiled = compilePolicyText(text);
		if (!compiled.ok) problems = [compiled.problem];
	}
	if (problems.length > 0) {
		for (const { message, line, column } of problems)
			console.error(`${file}${line === null ? "" : `:${line}:${column}`}: ${message}`);
		console.error(
			`${file}: ${problems.length} problem${problems.length === 1 ? "" : "s"}; not a valid policy`,
		);
		process.exit(1);
	}
	return compiled.value;
}

async function check(file, names) {
	const text = readText(file, "check");
	const policy = await validate(file, text);
	const { summarizePolicy, explainCreation } = await loadPolicyCode();
	console.log(`${file}: valid policy`);
	if (names.length === 0) console.log(JSON.stringify(summarizePolicy(policy), null, 2));
	for (const name of names) {
		const { verdict, explanation } = explainCreation(policy, "topic", { operatorAccount: "", name });
		console.log(JSON.stringify({ name, ...verdict, explanation }, null, 2));
	}
}

/** wrangler kv key get/put at the place the options name. */
function wranglerKv(args, values, options = {}) {
	if (values.local && values.remote) usage("--local and --remote exclude each other");
	const where = [values.remote ? "--remote" : "--local"];
	if (values.env) where.push("--env", values.env);
	if (values["persist-to"]) where.push("--persist-to", values["persist-to"]);
	return spawnSync(WRANGLER_BIN, ["kv", "key", ...args, "--binding", "POLICY", ...where], {
		cwd: root,
		encoding: "utf8",
		env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
		...options,
	});
}

async function push(file, values) {
	const text = readText(file, "push");
	const policy = await validate(file, text);
	const { summarizePolicy, compiledCacheKey, COMPILED_CACHE_TTL_SECONDS, encodeCompiledPolicy } =
		await loadPolicyCode();
	const where = values.remote ? "--remote" : "--local";
	// The compiled form goes first, so that isolates seeing the new document find it and compile nothing.
	// It is keyed by the hash of the text exactly as the Worker will read it back from KV.
	const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
	const hash = Buffer.from(digest).toString("hex");
	const dir = mkdtempSync(join(tmpdir(), "policy-push-"));
	let status;
	try {
		const compiledFile = join(dir, "compiled.bin");
		writeFileSync(compiledFile, await encodeCompiledPolicy(policy, hash));
		console.log(`${file}: putting its compiled form under "${compiledCacheKey(hash)}" (${where})`);
		status = wranglerKv(
			["put", compiledCacheKey(hash), "--path", compiledFile, "--ttl", String(COMPILED_CACHE_TTL_SECONDS)],
			values,
			{ stdio: "inherit" },
		).status;
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
	if (status !== 0) {
		console.error("could not put the compiled form; the policy itself was not changed");
		process.exit(1);
	}
	console.log(
		`${file}: valid (${summarizePolicy(policy).version ?? "no version"}); putting it under "${policyKeyOf(values)}" (${where})`,
	);
	const put = wranglerKv(["put", policyKeyOf(values), "--path", file], values, { stdio: "inherit" });
	process.exit(put.status ?? 1);
}

/** The live document's text, or null when the key is not there. */
function livePolicyText(values) {
	const got = wranglerKv(["get", policyKeyOf(values), "--text"], values);
	const output = `${got.stdout ?? ""}${got.stderr ?? ""}`;
	if (got.status !== 0 || /^Value not found/m.test(got.stdout ?? "")) {
		if (/not found/i.test(output)) return null;
		console.error(`wrangler kv key get failed:\n${output}`);
		process.exit(1);
	}
	// wrangler prints the value with a newline of its own after it.
	return got.stdout.endsWith("\n") ? got.stdout.slice(0, -1) : got.stdout;
}

function pull(file, values) {
	const text = livePolicyText(values);
	if (text === null) {
		console.error(`no policy under the key "${policyKeyOf(values)}" there`);
		process.exit(1);
	}
	if (!file) {
		process.stdout.write(text);
		return;
	}
	writeFileSync(file, text);
	console.error(`wrote the live policy to ${file} (${Buffer.byteLength(text)} bytes)`);
}

/**
 * The document as path → value for leaves and path → set of JSON texts for arrays, so that a diff says
 * which rule changed, and moving a list entry is not a change.
 */
function flatten(value, path = "", out = new Map()) {
	if (Array.isArray(value)) out.set(path, { list: new Set(value.map((item) => JSON.stringify(item))) });
	else if (value !== null && typeof value === "object")
		for (const [key, inner] of Object.entries(value)) flatten(inner, path ? `${path}.${key}` : key, out);
	else out.set(path, { leaf: JSON.stringify(value) });
	return out;
}

/** The rule-by-rule differences between two documents, as `+`/`-`/`~` lines. */
function policyDiff(live, draft) {
	const before = flatten(live);
	const after = flatten(draft);
	const lines = [];
	for (const path of [...new Set([...before.keys(), ...after.keys()])].sort()) {
		if (path === "$schema") continue;
		const a = before.get(path);
		const b = after.get(path);
		if (a?.list || b?.list) {
			const was = a?.list ?? new Set();
			const now = b?.list ?? new Set();
			for (const item of now) if (!was.has(item)) lines.push(`+ ${path}: ${item}`);
			for (const item of was) if (!now.has(item)) lines.push(`- ${path}: ${item}`);
		} else if (!a) lines.push(`+ ${path}: ${b.leaf}`);
		else if (!b) lines.push(`- ${path}: ${a.leaf}`);
		else if (a.leaf !== b.leaf) lines.push(`~ ${path}: ${a.leaf} → ${b.leaf}`);
	}
	return lines;
}

async function diff(file, values) {
	const text = readText(file, "diff");
	await validate(file, text);
	const live = livePolicyText(values);
	const lines = policyDiff(live === null ? {} : JSON.parse(live), JSON.parse(text));
	if (live === null)
		console.log(`(no live policy under the key "${policyKeyOf(values)}": everything in the draft is new)`);
	if (lines.length === 0) {
		console.log(`${file} and the live policy have the same rules`);
		return;
	}
	console.log(`live → ${file}:`);
	for (const line of lines) console.log(line);
	process.exit(1);
}

/** Why a rule decided, in words, from its text (e.g. `names.banned[0] "casino"`). */
function ruleExplanation(rule, name, operator) {
	if (rule === null) return "no rule matched, so the creation is allowed";
	if (rule.startsWith("POLICY_FAIL_MODE")) return "no usable policy: the fail mode decided";
	if (rule.endsWith("operators.deny")) return `${operator} is in operators.deny`;
	if (rule.endsWith("operators.allow")) return `operators.allow is not empty and ${operator} is not in it`;
	if (rule.endsWith("operators.bypass")) return `${operator} is in operators.bypass: name rules are skipped`;
	if (rule.endsWith("names.minLength"))
		return "the name is shorter than names.minLength (in text-form characters)";
	if (rule.endsWith("names.maxLength"))
		return "the name is longer than names.maxLength (in text-form characters)";
	if (rule.includes(".allowed[")) return `the name's text form equals this names.allowed exception`;
	if (rule.includes(".banned["))
		return `this names.banned entry matches ${JSON.stringify(name)} (the first match in document order decides)`;
	return "";
}

async function testNames(names, values) {
	if (names.length === 0) usage("missing NAME", "test-name");
	const text = readText(values.file, "test-name");
	const policy = await validate(values.file, text);
	const { explainCreation, explainTextBy, characterCount } = await loadPolicyCode();
	const kind = values.group ? "group" : "topic";
	const field = { Introduction: "introduction", Notification: "notification", FaceUrl: "face_url" }[
		values.field ?? ""
	];
	if (values.field !== undefined && field === undefined)
		usage(
			`--field must be Introduction, Notification or FaceUrl, not ${JSON.stringify(values.field)}`,
			"test-name",
		);
	console.log(
		`policy: ${values.file}; operator: ${values.operator}; ${field === undefined ? `${kind} creation` : `${kind} ${values.field}`}`,
	);
	for (const name of names) {
		const { verdict, explanation } =
			field === undefined
				? explainCreation(policy, kind, { operatorAccount: values.operator, name })
				: explainTextBy(policy, kind, field, values.operator, name);
		const textForm = explanation?.text ?? name;
		const answer = verdict.allowed
			? "allowed (ErrorCode 0)"
			: `refused (ErrorCode ${verdict.errorCode}${verdict.errorInfo ? `, ${JSON.stringify(verdict.errorInfo)}` : ""})`;
		console.log(
			`\n${JSON.stringify(name)}: ${answer}${verdict.dryRun ? " — dry-run: the callback would answer 0" : ""}`,
		);
		console.log(
			`  text form: ${JSON.stringify(textForm)} (${characterCount(textForm)} character${characterCount(textForm) === 1 ? "" : "s"})`,
		);
		for (const reading of explanation?.readings ?? []) {
			console.log(`  folded:    ${JSON.stringify(reading.folded)} (${reading.reading})`);
		}
		console.log(`  rule:      ${verdict.rule ?? "none"}`);
		const match = explanation?.match;
		if (match) {
			console.log(
				`  matched:   ${JSON.stringify(match.span.text)} at ${match.span.start}–${match.span.end} (${match.reading})`,
			);
		}
		for (const exception of explanation?.exceptions ?? []) {
			console.log(
				`  excused:   ${exception.excused.rule} at ${JSON.stringify(exception.excused.span.text)}, by ${exception.rule}`,
			);
		}
		console.log(`  why:       ${ruleExplanation(verdict.rule, name, values.operator)}`);
	}
}

async function schema(values) {
	const { policyJsonSchema } = await loadPolicyCode();
	const generated = `${JSON.stringify(policyJsonSchema(), null, "\t")}\n`;
	if (values.check) {
		const committed = readFileSync(schemaPath, "utf8");
		if (committed !== generated) {
			console.error("docs/policy.schema.json is stale: run `npm run policy:schema` and commit it");
			process.exit(1);
		}
		console.log("docs/policy.schema.json is current");
	} else {
		writeFileSync(schemaPath, generated);
		console.log("wrote docs/policy.schema.json");
	}
}

const [name, ...rest] = process.argv.slice(2);
if (name === undefined || name === "--help" || name === "-h" || name === "help") {
	console.log(overview());
	process.exit(name === undefined ? 2 : 0);
}
const command = commands[name];
if (!command) usage(`unknown command ${name}`);
let parsed;
try {
	parsed = parseArgs({
		args: rest,
		allowPositionals: true,
		options: { ...command.options, help: { type: "boolean", short: "h" } },
	});
} catch (error) {
	usage(error.message, name);
}
if (parsed.values.help) {
	console.log(`usage: npm run policy -- ${command.usage}\n\n${command.help}`);
	process.exit(0);
}
await command.run(parsed);

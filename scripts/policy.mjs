#!/usr/bin/env node
// `npm run policy -- check FILE`           validate a policy document and print a summary of its rules
// `npm run policy -- push FILE [--remote]` validate, then `wrangler kv key put policy` (local unless --remote)
// `npm run policy -- schema [--check]`     write docs/policy.schema.json from the valibot schema (or check it)
// The policy code is TypeScript written for the Worker; esbuild bundles it once into .wrangler/tmp.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { loadPolicyModule, root } from "./load-policy-module.mjs";

const schemaPath = `${root}docs/policy.schema.json`;

function loadPolicyCode() {
	return loadPolicyModule(
		"policy-cli",
		`export { compilePolicyText, summarizePolicy } from "./src/policy/compile";
export { evaluateCreation } from "./src/policy/evaluate";
export { policyJsonSchema } from "./src/policy/json-schema";`,
	);
}

function usage(message) {
	if (message) console.error(message);
	console.error("usage: npm run policy -- check FILE | push FILE [--remote] | schema [--check]");
	process.exit(2);
}

/** Validates FILE; prints the problem (rule, line, column) and exits 1 when it is not a valid policy. */
async function validate(file) {
	if (!file) usage("missing FILE");
	let text;
	try {
		text = readFileSync(file, "utf8");
	} catch (error) {
		usage(`cannot read ${file}: ${error.message}`);
	}
	const { compilePolicyText, summarizePolicy } = await loadPolicyCode();
	const compiled = compilePolicyText(text);
	if (!compiled.ok) {
		const { message, line, column } = compiled.problem;
		console.error(`${file}${line === null ? "" : `:${line}:${column}`}: ${message}`);
		process.exit(1);
	}
	return { text, summary: summarizePolicy(compiled.value) };
}

const [command, ...rest] = process.argv.slice(2);
const flags = rest.filter((a) => a.startsWith("--"));
const [file] = rest.filter((a) => !a.startsWith("--"));

if (command === "check") {
	const { summary } = await validate(file);
	console.log(`${file}: valid policy`);
	console.log(JSON.stringify(summary, null, 2));
} else if (command === "push") {
	const unknown = flags.filter((f) => f !== "--remote" && f !== "--local");
	if (unknown.length > 0) usage(`unknown option ${unknown.join(" ")}`);
	const { summary } = await validate(file);
	const where = flags.includes("--remote") ? "--remote" : "--local";
	console.log(
		`${file}: valid (${summary.version ?? "no version"}); putting it under the key "policy" (${where})`,
	);
	const put = spawnSync(
		"npx",
		["--no-install", "wrangler", "kv", "key", "put", "policy", "--binding", "POLICY", where, "--path", file],
		{ stdio: "inherit", cwd: root },
	);
	process.exit(put.status ?? 1);
} else if (command === "schema") {
	const { policyJsonSchema } = await loadPolicyCode();
	const generated = `${JSON.stringify(policyJsonSchema(), null, "\t")}\n`;
	if (flags.includes("--check")) {
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
} else {
	usage(command ? `unknown command ${command}` : undefined);
}

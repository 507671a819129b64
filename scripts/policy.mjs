#!/usr/bin/env node
// `npm run policy -- check FILE [NAME…]`  validate a policy document and print a summary of its rules; with
//                                          names, how the topic rules decide each, and why (the explanation)
// `npm run policy -- push FILE [--remote]` validate, then put its compiled form and the document into KV
//                                          (`wrangler kv key put`, local unless --remote)
// `npm run policy -- schema [--check]`     write docs/policy.schema.json from the valibot schema (or check it)
// The policy code is TypeScript written for the Worker; esbuild bundles it once into .wrangler/tmp.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadPolicyModule, root } from "./load-policy-module.mjs";

const schemaPath = `${root}docs/policy.schema.json`;

let policyCode = null;
/** The policy code, bundled once per run (a second bundle would bring classes of its own). */
function loadPolicyCode() {
	policyCode ??= loadPolicyModule(
		"policy-cli",
		`export { compilePolicyText, summarizePolicy } from "./src/policy/compile";
export { explainCreation } from "./src/policy/evaluate";
export { policyJsonSchema } from "./src/policy/json-schema";
export { compiledCacheKey, COMPILED_CACHE_TTL_SECONDS, encodeCompiledPolicy } from "./src/policy/compiled-cache";`,
	);
	return policyCode;
}

function usage(message) {
	if (message) console.error(message);
	console.error("usage: npm run policy -- check FILE [NAME…] | push FILE [--remote] | schema [--check]");
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
	return { text, compiled: compiled.value, summary: summarizePolicy(compiled.value) };
}

const [command, ...rest] = process.argv.slice(2);
const flags = rest.filter((a) => a.startsWith("--"));
const [file, ...names] = rest.filter((a) => !a.startsWith("--"));

if (command === "check") {
	const { summary, compiled: policy } = await validate(file);
	console.log(`${file}: valid policy`);
	if (names.length === 0) console.log(JSON.stringify(summary, null, 2));
	const { explainCreation } = await loadPolicyCode();
	for (const name of names) {
		// The same decision and explanation as POST /api/policy/check (topic rules, any operator).
		const { verdict, explanation } = explainCreation(policy, "topic", { operatorAccount: "", name });
		console.log(JSON.stringify({ name, ...verdict, explanation }, null, 2));
	}
} else if (command === "push") {
	const unknown = flags.filter((f) => f !== "--remote" && f !== "--local");
	if (unknown.length > 0) usage(`unknown option ${unknown.join(" ")}`);
	const { text, compiled, summary } = await validate(file);
	const where = flags.includes("--remote") ? "--remote" : "--local";
	const kvPut = (key, path, extra = []) =>
		spawnSync(
			"npx",
			[
				"--no-install",
				"wrangler",
				"kv",
				"key",
				"put",
				key,
				"--binding",
				"POLICY",
				where,
				"--path",
				path,
				...extra,
			],
			{ stdio: "inherit", cwd: root },
		).status;
	// The compiled form goes first, so that isolates seeing the new document find it and compile nothing.
	// It is keyed by the hash of the text exactly as the Worker will read it back from KV.
	const { compiledCacheKey, COMPILED_CACHE_TTL_SECONDS, encodeCompiledPolicy } = await loadPolicyCode();
	const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
	const hash = Buffer.from(digest).toString("hex");
	const dir = mkdtempSync(join(tmpdir(), "policy-push-"));
	let status;
	try {
		const compiledFile = join(dir, "compiled.bin");
		writeFileSync(compiledFile, await encodeCompiledPolicy(compiled, hash));
		console.log(`${file}: putting its compiled form under "${compiledCacheKey(hash)}" (${where})`);
		status = kvPut(compiledCacheKey(hash), compiledFile, ["--ttl", String(COMPILED_CACHE_TTL_SECONDS)]);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
	if (status !== 0) {
		console.error("could not put the compiled form; the policy itself was not changed");
		process.exit(1);
	}
	console.log(
		`${file}: valid (${summary.version ?? "no version"}); putting it under the key "policy" (${where})`,
	);
	process.exit(kvPut("policy", file) ?? 1);
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

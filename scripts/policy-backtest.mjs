// `npm run policy -- backtest FILE [--remote]`: which live topics in D1 the policy in FILE would refuse by
// name (or, with a `texts` section, by text). Reads `topics` a page at a time (keyset on topic_id) with
// `wrangler d1 execute`, local unless --remote, and judges each name and text with the Worker's own policy
// code, as POST /api/policy/backtest does.
import { spawnSync } from "node:child_process";
import { root } from "./load-policy-module.mjs";

/** Topics read per `wrangler d1 execute`. */
const PAGE = 5_000;

/** A SQL string literal. */
const literal = (text) => `'${text.replaceAll("'", "''")}'`;

function readPage(after, where) {
	const sql = `SELECT topic_id, group_id, name, introduction, notification, face_url, deleted_at FROM topics WHERE topic_id > ${literal(after)} ORDER BY topic_id LIMIT ${PAGE}`;
	const run = spawnSync(
		"npx",
		["--no-install", "wrangler", "d1", "execute", "DB", ...where, "--json", "--command", sql],
		{
			cwd: root,
			encoding: "utf8",
			maxBuffer: 256 * 1024 * 1024,
			env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
		},
	);
	if (run.status !== 0) {
		console.error(run.stderr || run.stdout);
		console.error("could not read topics from D1 (are the migrations applied?)");
		process.exit(1);
	}
	const [result] = JSON.parse(run.stdout);
	return result.results;
}

/**
 * Prints one line per refused live topic (topic ID, name, rule) and a summary. `policy` is the compiled
 * draft, `refusedTopics` the Worker's own function, `values` the --local/--remote/--env/--persist-to options.
 */
export function backtest(file, policy, refusedTopics, values) {
	const where = [values.remote ? "--remote" : "--local"];
	if (values.env) where.push("--env", values.env);
	if (values["persist-to"]) where.push("--persist-to", values["persist-to"]);
	let after = "";
	let scanned = 0;
	let refused = 0;
	for (;;) {
		const rows = readPage(after, where);
		scanned += rows.length;
		for (const hit of refusedTopics(policy, rows)) {
			refused++;
			const field = hit.field === "name" ? "" : `${hit.field}: `;
			console.log(`${hit.topicId}\t${field}${JSON.stringify(hit.name)}\t${hit.rule}`);
		}
		if (rows.length < PAGE) break;
		after = rows.at(-1).topic_id;
		console.error(`… ${scanned} topics read`);
	}
	console.error(
		`${file}: ${refused} live topics would be refused (${scanned} topics read, D1 ${where.join(" ")})`,
	);
}

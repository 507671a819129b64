// `npm run policy -- backtest FILE [--remote] [--app SDKAPPID]`: which live topics in D1 (of one app, or of
// every app) the policy in FILE would refuse by name (or, with a `texts` section, by text). Reads `topics` a
// page at a time (keyset on its key, topic_id and sdk_app_id) with `wrangler d1 execute`, local unless
// --remote, and judges each name and text with the Worker's own policy code, as POST /api/policy/backtest does.
import { spawnSync } from "node:child_process";
import { WRANGLER_BIN } from "../tools/lib/wrangler.mjs";
import { root } from "./load-policy-module.mjs";

/** Topics read per `wrangler d1 execute`. */
const PAGE = 5_000;

/** A SQL string literal. */
const literal = (text) => `'${text.replaceAll("'", "''")}'`;

function readPage(after, app, where) {
	const only = app === undefined ? "" : ` AND sdk_app_id = ${literal(app)}`;
	const sql = `SELECT topic_id, group_id, name, introduction, notification, face_url, deleted_at, sdk_app_id FROM topics
		WHERE (topic_id, sdk_app_id) > (${literal(after.topicId)}, ${literal(after.app)})${only}
		ORDER BY topic_id, sdk_app_id LIMIT ${PAGE}`;
	const run = spawnSync(WRANGLER_BIN, ["d1", "execute", "DB", ...where, "--json", "--command", sql], {
		cwd: root,
		encoding: "utf8",
		maxBuffer: 256 * 1024 * 1024,
		env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
	});
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
 * draft, `refusedTopics` the Worker's own function, `values` the --local/--remote/--env/--persist-to/--app
 * options.
 */
export function backtest(file, policy, refusedTopics, values) {
	const where = [values.remote ? "--remote" : "--local"];
	if (values.env) where.push("--env", values.env);
	if (values["persist-to"]) where.push("--persist-to", values["persist-to"]);
	let after = { topicId: "", app: "" };
	let scanned = 0;
	let refused = 0;
	for (;;) {
		const rows = readPage(after, values.app, where);
		scanned += rows.length;
		// One row at a time: the same topic ID may be in two apps, and each line names its row's app.
		for (const row of rows)
			for (const hit of refusedTopics(policy, [row])) {
				refused++;
				const field = hit.field === "name" ? "" : `${hit.field}: `;
				console.log(`${hit.topicId}\t${field}${JSON.stringify(hit.name)}\t${hit.rule}\t${row.sdk_app_id}`);
			}
		if (rows.length < PAGE) break;
		after = { topicId: rows.at(-1).topic_id, app: rows.at(-1).sdk_app_id };
		console.error(`… ${scanned} topics read`);
	}
	console.error(
		`${file}: ${refused} live topics would be refused (${scanned} topics read, D1 ${where.join(" ")})`,
	);
}

// The deploy planner: what `npm run deploy` has to do for one wrangler.toml target, decided from the target's
// configuration and the account's state, without any I/O. scripts/deploy.mjs reads the state (wrangler's list
// commands) and runs the steps; the tests feed recorded and faked states in (test/node/deploy-plan.test.ts).

/**
 * The secrets the Worker reads (src/config.ts), what each one turns on, and whether a deploy without it
 * is worth a warning. CALLBACK_TOKEN_PREVIOUS is only set while the callback token is being changed.
 */
export const SECRETS = [
	{
		name: "CALLBACK_TOKEN",
		needed: true,
		why: "the Chat console's callback token; without it (and without mutual TLS) every callback is refused (503)",
	},
	{
		name: "ADMIN_TOKEN",
		needed: true,
		why: "turns on /api and the console (/admin); at least 32 characters, e.g. `openssl rand -base64 32`",
	},
	{
		name: "TENCENT_SECRET_KEY",
		needed: true,
		why: "the app's key for Tencent's REST API, which enforcement uses to revert or delete refused names (or TENCENT_SECRET_KEY_<SdkAppid> per app)",
	},
	{
		name: "CALLBACK_TOKEN_PREVIOUS",
		needed: false,
		why: "the previous callback token, only while the console's token is being changed",
	},
];

/** The placeholder ids at wrangler.toml's top level (all zeros): local play and the tests, no real resource. */
export function isPlaceholderId(id) {
	return typeof id === "string" && /^[0-]+$/.test(id);
}

/** A configured id that names a real resource, or null (absent, empty or a placeholder). */
function realId(id) {
	return typeof id === "string" && id.length > 0 && !isPlaceholderId(id) ? id : null;
}

/**
 * The title `npm run deploy` gives a KV namespace it creates: the name wrangler's own automatic provisioning
 * would give it (`<worker>-<binding in lower case, "_" as "-">`), so either way finds the same namespace.
 */
export function kvTitle(workerName, binding) {
	return `${workerName}-${binding.toLowerCase().replaceAll("_", "-")}`;
}

/**
 * The deploy target, from wrangler's resolved configuration of one environment (unstable_readConfig):
 * the Worker's name, its KV, D1 and R2 bindings, every queue it names (producers, consumers and their
 * dead-letter queues) and its SdkAppIDs.
 */
export function targetOf(config, env) {
	const queues = new Set();
	for (const producer of config.queues?.producers ?? []) queues.add(producer.queue);
	for (const consumer of config.queues?.consumers ?? []) {
		queues.add(consumer.queue);
		if (consumer.dead_letter_queue) queues.add(consumer.dead_letter_queue);
	}
	return {
		env: env ?? null,
		worker: config.name,
		kv: (config.kv_namespaces ?? []).map((kv) => ({
			binding: kv.binding,
			id: kv.id ?? null,
			title: kvTitle(config.name, kv.binding),
		})),
		d1: (config.d1_databases ?? []).map((db) => ({
			binding: db.binding,
			name: db.database_name,
			id: db.database_id ?? null,
			migrationsTable: db.migrations_table ?? "d1_migrations",
		})),
		r2: (config.r2_buckets ?? []).map((bucket) => ({ binding: bucket.binding, name: bucket.bucket_name })),
		queues: [...queues],
		sdkAppIds: String(config.vars?.SDKAPPID ?? "")
			.split(",")
			.map((id) => id.trim())
			.filter((id) => id.length > 0),
	};
}

/**
 * The account's KV namespace and D1 database behind each binding of the target: the configured id when it
 * is a real one, else the namespace titled kvTitle() / the database of the configured name. `id` is null
 * when there is none yet; a configured id the account does not have is a problem, never replaced.
 */
export function resolveResources(target, account) {
	const problems = [];
	const where = target.env ? `[env.${target.env}]` : "the top level";
	const kv = target.kv.map((binding) => {
		const configured = realId(binding.id);
		if (configured) {
			const found = account.kvNamespaces.find((ns) => ns.id === configured);
			if (!found)
				problems.push(
					`KV namespace ${configured} (${binding.binding}, ${where} of wrangler.toml) is not in this account`,
				);
			return { ...binding, configured: binding.id, id: configured, exists: Boolean(found) };
		}
		const found = account.kvNamespaces.find((ns) => ns.title === binding.title);
		return { ...binding, configured: binding.id, id: found?.id ?? null, exists: Boolean(found) };
	});
	const d1 = target.d1.map((binding) => {
		const configured = realId(binding.id);
		const byName = account.d1Databases.find((db) => db.name === binding.name);
		if (configured) {
			const found = account.d1Databases.find((db) => db.uuid === configured);
			if (!found)
				problems.push(
					`D1 database ${configured} (${binding.binding}, ${where} of wrangler.toml) is not in this account`,
				);
			else if (found.name !== binding.name)
				problems.push(
					`D1 database ${configured} (${binding.binding}) is named "${found.name}", not "${binding.name}" as wrangler.toml says`,
				);
			return { ...binding, configured: binding.id, id: configured, exists: Boolean(found) };
		}
		return { ...binding, configured: binding.id, id: byName?.uuid ?? null, exists: Boolean(byName) };
	});
	return { kv, d1, problems };
}

/** `npx wrangler …` as one line, for the plan. */
function wrangler(...args) {
	return ["npx", "wrangler", ...args];
}

function envArgs(target) {
	return target.env ? ["--env", target.env] : [];
}

/**
 * The steps that bring the account to what the target needs, in order: create the queues, R2 buckets, D1
 * databases and KV namespaces that do not exist, write the ids of KV and D1 into wrangler.toml where it
 * lacks them, apply the pending D1 migrations, push the example policy to a KV namespace without one,
 * deploy. Each step: `kind`, a sentence (`what`) and the command it runs (`command`, argv).
 *
 * `account`: { kvNamespaces: [{id, title}], d1Databases: [{uuid, name}], r2Buckets: [name], queues: [name],
 * appliedMigrations: {[database name]: [file]}, policyPresent: {[kv id]: boolean}, secrets: [name] | null
 * (null: the Worker does not exist yet) }. `migrations`: the migration files, in order.
 * `policyFile`: the document pushed to a namespace without one.
 */
export function planDeploy(target, account, { migrations, policyFile = "examples/policy.json" }) {
	const { kv, d1, problems } = resolveResources(target, account);
	const steps = [];
	const env = envArgs(target);
	for (const queue of target.queues)
		if (!account.queues.includes(queue))
			steps.push({
				kind: "create",
				what: `create the queue ${queue}`,
				command: wrangler("queues", "create", queue),
			});
	for (const bucket of target.r2)
		if (!account.r2Buckets.includes(bucket.name))
			steps.push({
				kind: "create",
				what: `create the R2 bucket ${bucket.name} (${bucket.binding})`,
				command: wrangler("r2", "bucket", "create", bucket.name),
			});
	for (const db of d1)
		if (!db.exists && !realId(db.id))
			steps.push({
				kind: "create",
				what: `create the D1 database ${db.name} (${db.binding})`,
				command: wrangler("d1", "create", db.name),
			});
	for (const ns of kv)
		if (!ns.exists && !realId(ns.id))
			steps.push({
				kind: "create",
				what: `create the KV namespace ${ns.title} (${ns.binding})`,
				// Without --env: `kv namespace create --env E` would put "E-" before the title.
				command: wrangler("kv", "namespace", "create", ns.title),
			});
	const ids = [
		...kv.map((ns) => ({ section: "kv_namespaces", field: "id", of: ns.title, ...ns })),
		...d1.map((db) => ({ section: "d1_databases", field: "database_id", of: db.name, ...db })),
	]
		.filter((entry) => entry.id === null || entry.id !== entry.configured)
		.map(({ section, binding, field, id, of }) => ({ section, binding, field, id, of }));
	if (ids.length > 0)
		steps.push({
			kind: "write-ids",
			what: `write the ids of ${ids.map((entry) => `${entry.binding} (${entry.of}${entry.id ? ` = ${entry.id}` : ", once created"})`).join(" and ")} into ${target.env ? `[env.${target.env}] of ` : ""}wrangler.toml`,
			ids,
			command: null,
		});
	for (const db of d1) {
		const applied = new Set(db.exists ? (account.appliedMigrations[db.name] ?? []) : []);
		const pending = migrations.filter((file) => !applied.has(file));
		if (pending.length > 0)
			steps.push({
				kind: "migrate",
				what: `apply ${pending.length} migration${pending.length === 1 ? "" : "s"} to ${db.name}: ${pending.join(", ")}`,
				command: wrangler("d1", "migrations", "apply", db.binding, "--remote", ...env),
			});
	}
	for (const ns of kv.filter((binding) => binding.binding === "POLICY"))
		if (!(ns.exists && account.policyPresent[ns.id] === true))
			steps.push({
				kind: "policy",
				what: `push ${policyFile} to ${ns.title} (no policy there yet)`,
				command: ["npm", "run", "policy", "--", "push", policyFile, "--remote", ...env],
			});
	steps.push({
		kind: "deploy",
		what: `deploy the Worker ${target.worker}`,
		command: wrangler("deploy", ...env),
	});
	return { steps, problems, missingSecrets: missingSecrets(target, account.secrets) };
}

/**
 * The needed secrets the Worker does not have. TENCENT_SECRET_KEY counts as set when every SdkAppID has
 * its own TENCENT_SECRET_KEY_<SdkAppid>. `secrets` null (no Worker yet): every needed one is missing.
 */
export function missingSecrets(target, secrets) {
	const set = new Set(secrets ?? []);
	return SECRETS.filter((secret) => {
		if (!secret.needed || set.has(secret.name)) return false;
		if (secret.name === "TENCENT_SECRET_KEY")
			return !(
				target.sdkAppIds.length > 0 && target.sdkAppIds.every((app) => set.has(`TENCENT_SECRET_KEY_${app}`))
			);
		return true;
	});
}

/** The URL to paste into Tencent's console: the deploy's workers.dev address, else its first target. */
export function callbackUrl(targets, workerName) {
	const chosen = targets.find((url) => /\.workers\.dev\/?$/.test(url)) ?? targets[0];
	if (!chosen) return `https://${workerName}.<your-subdomain>.workers.dev/`;
	const url = /^https?:\/\//.test(chosen) ? chosen : `https://${chosen}`;
	return url.endsWith("/") ? url : `${url}/`;
}

/** The plan as the lines `npm run deploy` prints. */
export function formatPlan(target, plan) {
	const lines = [
		`Plan for the Worker ${target.worker} (${target.env ? `--env ${target.env}` : "top level"}):`,
	];
	if (plan.problems.length > 0) {
		lines.push("Cannot deploy:");
		for (const problem of plan.problems) lines.push(`  - ${problem}`);
		return lines;
	}
	const creates = plan.steps.filter((step) => step.kind === "create").length;
	if (creates === 0) lines.push("  Everything the Worker binds exists already.");
	plan.steps.forEach((step, index) => {
		lines.push(`  ${index + 1}. ${step.what}`);
		if (step.command) lines.push(`       ${step.command.join(" ")}`);
	});
	lines.push(
		`After the deploy: the callback URL for Tencent's console, ${callbackUrl([], target.worker)} (printed with your account's subdomain).`,
		...formatSecrets(target, plan.missingSecrets),
	);
	return lines;
}

/** The secrets still to put, with the command for each, or a line saying none is missing. */
export function formatSecrets(target, missing) {
	if (missing.length === 0) return ["Secrets: none missing."];
	return [
		`Secrets still missing (put each with npx wrangler secret put NAME${target.env ? ` --env ${target.env}` : ""}):`,
		...missing.map((secret) => `  ${secret.name}: ${secret.why}`),
	];
}

/**
 * wrangler.toml's text with each id written into its binding's table of the target's section (inserted after
 * `binding = "…"`, or replacing the id there). Comments and everything else stay as they are; a second call
 * with the same ids returns the same text.
 */
export function withIds(toml, env, ids) {
	const lines = toml.split("\n");
	for (const { section, binding, field, id } of ids) {
		const header = `[[${env ? `env.${env}.` : ""}${section}]]`;
		let found = false;
		for (let start = 0; start < lines.length && !found; start++) {
			if (lines[start]?.trim() !== header) continue;
			let end = start + 1;
			while (end < lines.length && !lines[end]?.trim().startsWith("[")) end++;
			const table = lines.slice(start + 1, end);
			const bindingAt = table.findIndex((line) => new RegExp(`^\\s*binding\\s*=\\s*"${binding}"`).test(line));
			if (bindingAt === -1) continue;
			found = true;
			const idAt = table.findIndex((line) => new RegExp(`^\\s*${field}\\s*=`).test(line));
			const line = `${field} = "${id}"`;
			if (idAt === -1) lines.splice(start + 1 + bindingAt + 1, 0, line);
			else lines[start + 1 + idAt] = line;
		}
		if (!found) throw new Error(`wrangler.toml has no ${header} table with binding = "${binding}"`);
	}
	return lines.join("\n");
}

/** The bucket names in `wrangler r2 bucket list`'s output (labelled values: "name:  …"). */
export function parseR2BucketList(text) {
	return stripAnsi(text)
		.split("\n")
		.map((line) => /^name:\s+(\S+)\s*$/.exec(line.trim())?.[1])
		.filter((name) => name !== undefined);
}

/** The queue names in `wrangler queues list`'s table (the "name" column). */
export function parseQueuesTable(text) {
	const rows = stripAnsi(text)
		.split("\n")
		.filter((line) => line.trimStart().startsWith("│"))
		.map((line) =>
			line
				.trim()
				.slice(1, -1)
				.split("│")
				.map((cell) => cell.trim()),
		);
	const [head, ...body] = rows;
	const column = head?.indexOf("name") ?? -1;
	if (column === -1) return [];
	return body.map((row) => row[column]).filter((name) => name !== undefined && name.length > 0);
}

function stripAnsi(text) {
	// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes begin with ESC.
	return text.replace(/\u001b\[[0-9;]*m/g, "");
}

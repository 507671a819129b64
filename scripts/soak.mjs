#!/usr/bin/env node
// `npm run soak`: boots the Worker locally (wrangler dev on 127.0.0.1, local KV/D1/Queues in a fresh
// temporary directory), sends mixed signed callbacks at the highest rate it can for SOAK_SECONDS (default
// 60) with SOAK_CONCURRENCY (default 16) requests in flight, including redeliveries, then stops the Worker
// and checks D1: every accepted after-event stored exactly once, every refused body quarantined once.
// Reports the workerd process's memory (RSS) after warm-up and at the end. Exits non-zero on any loss,
// duplicate or 5xx. Bounded: a watchdog ends everything SOAK_SECONDS + 180 s after the start.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 16);
const TOKEN = "soak-callback-token";
const SDK_APP_ID = "1400000000";
const stateDir = mkdtempSync(join(tmpdir(), "soak-state-"));
let dev = null;

const watchdog = setTimeout(() => finish(2, "watchdog: the soak ran past its bound"), (SECONDS + 180) * 1000);

function wrangler(args, options = {}) {
	return spawnSync("npx", ["--no-install", "wrangler", ...args], {
		encoding: "utf8",
		maxBuffer: 512 * 1024 * 1024,
		env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
		...options,
	});
}

function stopWorker() {
	if (dev && dev.exitCode === null) {
		try {
			process.kill(-dev.pid, "SIGTERM"); // the process group this script started: wrangler and its workerd
		} catch {}
	}
}

function finish(code, message) {
	if (message) console.log(message);
	clearTimeout(watchdog);
	stopWorker();
	rmSync(stateDir, { recursive: true, force: true });
	process.exit(code);
}

function freePort() {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.unref();
		server.on("error", reject);
		server.listen(0, "127.0.0.1", () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}

/** RSS in MiB of the workerd processes descended from the wrangler dev this script started. */
function workerdRssMiB() {
	if (!dev) return null;
	const parents = new Map();
	for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
		try {
			const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
			const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
			parents.set(Number(pid), {
				ppid: Number(fields[1]),
				comm: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")),
			});
		} catch {}
	}
	const descends = (pid) => {
		for (let p = pid, hops = 0; p > 1 && hops < 20; p = parents.get(p)?.ppid ?? 0, hops++)
			if (p === dev.pid) return true;
		return false;
	};
	let kib = 0;
	let found = false;
	for (const [pid, { comm }] of parents) {
		if (!comm.startsWith("workerd") || !descends(pid)) continue;
		const status = readFileSync(`/proc/${pid}/status`, "utf8");
		kib += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
		found = true;
	}
	return found ? Math.round(kib / 1024) : null;
}

const sign = (time) =>
	createHash("sha256")
		.update(TOKEN + time)
		.digest("hex");

function query(command, { badSign = false } = {}) {
	const time = String(Math.floor(Date.now() / 1000));
	const params = new URLSearchParams({
		SdkAppid: SDK_APP_ID,
		CallbackCommand: command,
		contenttype: "json",
		ClientIP: "127.0.0.1",
		OptPlatform: "RESTAPI",
		RequestTime: time,
		Sign: badSign ? sign(`${time}0`) : sign(time),
	});
	return params.toString();
}

let seq = 0;
/** A new after-event with unique IDs; `rows` is what it must add to `events`. */
function newAfterEvent() {
	const n = ++seq;
	const group = `@TGS#_@TGS#soak${n}`;
	const topic = (i) => `${group}@TOPIC#_t${i}`;
	const kinds = [
		() => ({
			CallbackCommand: "Group.CallbackAfterCreateTopic",
			GroupId: group,
			TopicId: topic(0),
			Operator_Account: "leckie",
			Owner_Account: "leckie",
			Type: "Community",
			Name: `topic ${n}`,
		}),
		() => ({
			CallbackCommand: "Group.CallbackAfterTopicInfoChanged",
			GroupId: group,
			TopicId: topic(0),
			Operator_Account: "leckie",
			Name: `renamed ${n}`,
			EventTime: Date.now(),
		}),
		() => ({
			CallbackCommand: "Group.CallbackAfterTopicDestroyed",
			GroupId: group,
			Type: "Community",
			TopicIdList: Array.from({ length: 1 + (n % 5) }, (_, i) => topic(i)),
		}),
		() => ({
			CallbackCommand: "Group.CallbackAfterCreateGroup",
			GroupId: group,
			Operator_Account: "leckie",
			Owner_Account: "leckie",
			Type: "Public",
			Name: "g",
			MemberList: [{ Member_Account: "leckie" }],
			EventTime: String(Date.now()),
		}),
		() => ({
			CallbackCommand: "Group.CallbackAfterGroupDestroyed",
			GroupId: group,
			Type: "Public",
			Owner_Account: "leckie",
			Name: "g",
			EventTime: Date.now(),
		}),
		() => ({
			CallbackCommand: "Group.CallbackAfterGroupInfoChanged",
			GroupId: group,
			Type: "Public",
			Operator_Account: "leckie",
			Notification: `notice ${n}`,
		}),
	];
	const body = { ...kinds[n % kinds.length](), SoakSeq: n };
	return {
		seq: n,
		command: body.CallbackCommand,
		text: JSON.stringify(body),
		rows: body.TopicIdList?.length ?? 1,
		accepted: false,
	};
}

const events = new Map();
const recent = [];
const stats = { requests: 0, byStatus: {}, byKind: {}, invalidSent: 0, fivexx: 0, errors: 0, latencies: [] };

async function post(base, kind, command, body, options) {
	const started = performance.now();
	try {
		const response = await fetch(`${base}/?${query(command, options)}`, {
			method: "POST",
			body,
			headers: { "content-type": "application/json" },
		});
		const text = await response.text();
		stats.latencies.push(performance.now() - started);
		stats.requests++;
		stats.byStatus[response.status] = (stats.byStatus[response.status] ?? 0) + 1;
		stats.byKind[kind] = (stats.byKind[kind] ?? 0) + 1;
		if (response.status >= 500) stats.fivexx++;
		if (!/^application\/json/.test(response.headers.get("content-type") ?? ""))
			throw new Error(`not JSON: ${text.slice(0, 100)}`);
		JSON.parse(text);
		return response.status;
	} catch (error) {
		stats.errors++;
		if (stats.errors <= 5) console.log(`request error: ${error.message}`);
		return 0;
	}
}

async function oneRequest(base) {
	const roll = Math.random();
	if (roll < 0.2 && recent.length > 0) {
		const event = recent[Math.floor(Math.random() * recent.length)];
		if ((await post(base, "redelivery", event.command, event.text)) === 200) event.accepted = true;
	} else if (roll < 0.75) {
		const event = newAfterEvent();
		events.set(event.seq, event);
		recent.push(event);
		if (recent.length > 2000) recent.shift();
		if ((await post(base, "after", event.command, event.text)) === 200) event.accepted = true;
	} else if (roll < 0.87) {
		const command =
			Math.random() < 0.5 ? "Group.CallbackBeforeCreateTopic" : "Group.CallbackBeforeCreateGroup";
		await post(
			base,
			"before",
			command,
			JSON.stringify({
				CallbackCommand: command,
				Operator_Account: "leckie",
				Type: "Community",
				Name: `name ${seq}`,
			}),
		);
	} else if (roll < 0.93) {
		stats.invalidSent++;
		const status = await post(
			base,
			"invalid",
			"Group.CallbackAfterCreateTopic",
			JSON.stringify({ CallbackCommand: "Group.CallbackAfterCreateTopic", GroupId: 7, SoakInvalid: seq }),
		);
		if (status !== 400) console.log(`invalid body answered ${status}`);
	} else if (roll < 0.97) {
		await post(
			base,
			"ignored",
			"C2C.CallbackAfterSendMsg",
			JSON.stringify({ CallbackCommand: "C2C.CallbackAfterSendMsg" }),
		);
	} else {
		const status = await post(
			base,
			"unsigned",
			"Group.CallbackAfterCreateGroup",
			JSON.stringify({ CallbackCommand: "Group.CallbackAfterCreateGroup", GroupId: "@TGS#intruder" }),
			{ badSign: true },
		);
		if (status !== 401) console.log(`bad Sign answered ${status}`);
	}
}

function percentile(values, p) {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted.length
		? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))].toFixed(1)
		: "n/a";
}

function d1(sql) {
	const result = wrangler([
		"d1",
		"execute",
		"DB",
		"--local",
		"--persist-to",
		stateDir,
		"--json",
		"--command",
		sql,
	]);
	if (result.status !== 0) throw new Error(`wrangler d1 execute failed: ${result.stderr || result.stdout}`);
	return JSON.parse(result.stdout)[0].results;
}

async function main() {
	console.log(`soak: ${SECONDS} s, ${CONCURRENCY} in flight, state in ${stateDir}`);
	const migrate = wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", stateDir]);
	if (migrate.status !== 0) return finish(1, `migrations failed:\n${migrate.stderr}`);

	const port = await freePort();
	const base = `http://127.0.0.1:${port}`;
	dev = spawn(
		"npx",
		[
			"--no-install",
			"wrangler",
			"dev",
			"--ip",
			"127.0.0.1",
			"--port",
			String(port),
			"--persist-to",
			stateDir,
			"--var",
			`CALLBACK_TOKEN:${TOKEN}`,
			"--show-interactive-dev-session=false",
			"--log-level",
			"warn",
			"--inspector-port",
			String(await freePort()),
		],
		{
			detached: true,
			stdio: ["ignore", "ignore", "pipe"],
			env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
		},
	);
	let devErrors = "";
	dev.stderr.on("data", (chunk) => {
		devErrors = (devErrors + chunk).slice(-4000);
	});
	dev.on("exit", (code) => {
		if (!stopping) finish(1, `wrangler dev exited early (${code}):\n${devErrors}`);
	});

	const bootDeadline = Date.now() + 90_000;
	for (;;) {
		try {
			const health = await fetch(`${base}/healthz`);
			if (health.ok) break;
		} catch {}
		if (Date.now() > bootDeadline)
			return finish(1, `the Worker did not answer /healthz within 90 s:\n${devErrors}`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	// Warm-up, then the starting memory.
	await Promise.all(Array.from({ length: 200 }, () => oneRequest(base)));
	const rssStart = workerdRssMiB();

	const endAt = Date.now() + SECONDS * 1000;
	const startedAt = Date.now();
	await Promise.all(
		Array.from({ length: CONCURRENCY }, async () => {
			while (Date.now() < endAt) await oneRequest(base);
		}),
	);
	const elapsed = (Date.now() - startedAt) / 1000;
	// Events handed to the queue (none unless D1 refused writes) get a moment to be stored.
	await new Promise((resolve) => setTimeout(resolve, 3000));
	const rssEnd = workerdRssMiB();
	stopping = true;
	stopWorker();
	await new Promise((resolve) => setTimeout(resolve, 1500));

	const stored = new Map(
		d1("SELECT json_extract(payload, '$.SoakSeq') AS seq, count(*) AS n FROM events GROUP BY seq").map(
			(row) => [row.seq, row.n],
		),
	);
	const quarantined = d1("SELECT count(*) AS n FROM quarantine")[0].n;
	let accepted = 0;
	let exactlyOnce = 0;
	let lost = 0;
	let duplicated = 0;
	let storedUnanswered = 0;
	for (const event of events.values()) {
		const rows = stored.get(event.seq) ?? 0;
		if (event.accepted) {
			accepted++;
			if (rows === event.rows) exactlyOnce++;
			else if (rows < event.rows) lost++;
			else duplicated++;
		} else if (rows > 0) {
			storedUnanswered++;
			if (rows > event.rows) duplicated++;
		}
	}
	const rate = (stats.requests / elapsed).toFixed(0);
	console.log(
		`requests: ${stats.requests} in ${elapsed.toFixed(1)} s (${rate}/s), by status ${JSON.stringify(stats.byStatus)}, by kind ${JSON.stringify(stats.byKind)}`,
	);
	console.log(
		`latency ms: p50 ${percentile(stats.latencies, 50)}, p99 ${percentile(stats.latencies, 99)}, max ${percentile(stats.latencies, 100)}`,
	);
	console.log(
		`after-events: ${events.size} sent, ${accepted} accepted, ${exactlyOnce} stored exactly once, lost ${lost}, duplicated ${duplicated}, stored without a 200 ${storedUnanswered}`,
	);
	console.log(`quarantine: ${quarantined} rows for ${stats.invalidSent} invalid bodies sent`);
	console.log(`workerd RSS: ${rssStart ?? "n/a"} MiB after warm-up, ${rssEnd ?? "n/a"} MiB at the end`);
	console.log(`5xx: ${stats.fivexx}, transport errors: ${stats.errors}`);
	const ok =
		lost === 0 &&
		duplicated === 0 &&
		stats.fivexx === 0 &&
		stats.errors === 0 &&
		quarantined === stats.invalidSent;
	finish(ok ? 0 : 1, ok ? "soak: every accepted event stored exactly once" : "soak: FAILED");
}

let stopping = false;
process.on("SIGINT", () => finish(130, "interrupted"));
main().catch((error) => finish(1, `soak failed: ${error.stack ?? error}`));

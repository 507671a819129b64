#!/usr/bin/env node
// `npm run soak`: builds the Worker as `wrangler deploy` would and serves it with Miniflare (the workerd
// runtime of `wrangler dev`) on 127.0.0.1, with the bindings of wrangler.toml backed by local KV/D1/Queues
// in a fresh temporary directory; sends mixed signed callbacks at the highest rate it can for SOAK_SECONDS (default
// 60) with SOAK_CONCURRENCY (default 16) requests in flight, including redeliveries, then stops the Worker
// and checks D1: every accepted after-event stored exactly once, every refused body quarantined once.
// Reports the workerd process's memory (RSS) after warm-up and at the end. Exits non-zero on any loss,
// duplicate or 5xx. Bounded: a watchdog ends everything SOAK_SECONDS + 180 s after the start.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { callbackQuery, callbackSign } from "../tools/lib/tencent-callback.mjs";

const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 16);
const TOKEN = "soak-callback-token";
const SDK_APP_ID = "1400000000";
const stateDir = mkdtempSync(join(tmpdir(), "soak-state-"));
let mf = null;

const watchdog = setTimeout(() => finish(2, "watchdog: the soak ran past its bound"), (SECONDS + 180) * 1000);

function wrangler(args, options = {}) {
	return spawnSync("npx", ["--no-install", "wrangler", ...args], {
		encoding: "utf8",
		maxBuffer: 512 * 1024 * 1024,
		env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
		...options,
	});
}

async function stopWorker() {
	const running = mf;
	mf = null;
	await running?.dispose().catch(() => {});
}

async function finish(code, message) {
	if (message) console.log(message);
	clearTimeout(watchdog);
	await stopWorker();
	rmSync(stateDir, { recursive: true, force: true });
	process.exit(code);
}

/** RSS in MiB of the workerd processes this script started (through Miniflare). */
function workerdRssMiB() {
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
			if (p === process.pid) return true;
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

/**
 * The Worker's own JS heap, in MiB, after a full garbage collection, read through workerd's inspector
 * (DevTools protocol over Node 22's WebSocket). RSS alone cannot tell a leak from V8 not having collected yet.
 */
async function workerHeapMiB(inspectorPort, base) {
	try {
		const targets = await (await fetch(`http://127.0.0.1:${inspectorPort}/json/list`)).json();
		const target = targets.find((t) => String(t.webSocketDebuggerUrl ?? "").includes("soak")) ?? targets[0];
		const socket = new WebSocket(target.webSocketDebuggerUrl);
		await new Promise((resolve, reject) => {
			socket.onopen = resolve;
			socket.onerror = reject;
		});
		let next = 0;
		const call = (method) =>
			new Promise((resolve, reject) => {
				const id = ++next;
				const timer = setTimeout(() => reject(new Error(`${method} timed out`)), 15_000);
				// workerd serves inspector messages when the isolate runs: a request now and then wakes it.
				const poke = setInterval(() => fetch(`${base}/healthz`).catch(() => {}), 200);
				socket.addEventListener("message", function listener(event) {
					const message = JSON.parse(event.data);
					if (message.id !== id) return;
					clearTimeout(timer);
					clearInterval(poke);
					socket.removeEventListener("message", listener);
					resolve(message.result);
				});
				socket.send(JSON.stringify({ id, method }));
			});
		await call("HeapProfiler.enable");
		await call("HeapProfiler.collectGarbage");
		const { usedSize } = await call("Runtime.getHeapUsage");
		socket.close();
		return Math.round((usedSize / 1_048_576) * 10) / 10;
	} catch (error) {
		return `n/a (${error.message})`;
	}
}

function query(command, { badSign = false } = {}) {
	const params = callbackQuery({ command, sdkAppId: SDK_APP_ID, token: TOKEN });
	// A Sign made for another RequestTime: the Worker must refuse it.
	if (badSign) params.set("Sign", callbackSign(TOKEN, `${params.get("RequestTime")}0`));
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

/** Sends `body` signed for now, or with the query string of an earlier delivery (`options.query`). */
async function post(base, kind, command, body, options = {}) {
	const started = performance.now();
	try {
		const response = await fetch(`${base}/?${options.query ?? query(command, options)}`, {
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

/** SOAK_MIX=ignored sends only acknowledged-and-ignored callbacks (no D1): tells the Worker's memory from D1's. */
const ONLY_IGNORED = process.env.SOAK_MIX === "ignored";

async function oneRequest(base) {
	const roll = ONLY_IGNORED ? 0.95 : Math.random();
	const again = recent.length > 0 ? recent[Math.floor(Math.random() * recent.length)] : undefined;
	// A redelivery is Chat retrying the same request: the same URL (RequestTime and Sign) and body, while
	// the RequestTime is still fresh. The same body signed anew is a new delivery, stored again when it has
	// no EventTime (docs/storage-schema.md, "Deduplication").
	if (roll < 0.2 && again && Date.now() - again.sentAt < 50_000) {
		const status = await post(base, "redelivery", again.command, again.text, { query: again.query });
		if (status === 200) again.accepted = true;
	} else if (roll < 0.75) {
		const event = newAfterEvent();
		events.set(event.seq, event);
		recent.push(event);
		if (recent.length > 2000) recent.shift();
		event.query = query(event.command);
		event.sentAt = Date.now();
		if ((await post(base, "after", event.command, event.text, { query: event.query })) === 200)
			event.accepted = true;
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

async function d1(sql) {
	const db = await mf.getD1Database("DB");
	return (await db.prepare(sql).all()).results;
}

async function main() {
	console.log(`soak: ${SECONDS} s, ${CONCURRENCY} in flight, state in ${stateDir}`);
	const migrate = wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", stateDir]);
	if (migrate.status !== 0) return finish(1, `migrations failed:\n${migrate.stderr}`);

	const bundleDir = join(stateDir, "bundle");
	const build = wrangler(["deploy", "--dry-run", "--outdir", bundleDir]);
	if (build.status !== 0) return finish(1, `build failed:\n${build.stderr}`);
	const entry = join(bundleDir, "index.js");
	const { workerOptions } = unstable_getMiniflareWorkerOptions("wrangler.toml");
	let runtimeTail = "";
	const inspectorPort = 20_000 + Math.floor(Math.random() * 20_000);
	mf = new Miniflare({
		host: "127.0.0.1",
		port: 0,
		inspectorPort,
		defaultPersistRoot: join(stateDir, "v3"),
		// The Worker logs a line per request: counted away, not kept (only the last lines, for errors).
		handleRuntimeStdio: (stdout, stderr) => {
			for (const stream of [stdout, stderr])
				stream.on("data", (chunk) => {
					runtimeTail = `${runtimeTail}${chunk}`.slice(-4000);
				});
		},
		workers: [
			{
				...workerOptions,
				bindings: { ...workerOptions.bindings, CALLBACK_TOKEN: TOKEN },
				name: "soak",
				modules: true,
				modulesRoot: dirname(entry),
				scriptPath: entry,
			},
		],
	});
	const base = (await mf.ready).origin;
	const health = await fetch(`${base}/healthz`);
	if (!health.ok) return finish(1, `/healthz answered ${health.status}:\n${runtimeTail}`);
	// Warm-up, then the starting memory.
	await Promise.all(Array.from({ length: 200 }, () => oneRequest(base)));
	const heapStart = await workerHeapMiB(inspectorPort, base);
	const rssStart = workerdRssMiB();

	const endAt = Date.now() + SECONDS * 1000;
	const startedAt = Date.now();
	const rssTimeline = [rssStart];
	const sampler = setInterval(() => rssTimeline.push(workerdRssMiB()), 10_000);
	await Promise.all(
		Array.from({ length: CONCURRENCY }, async () => {
			while (Date.now() < endAt) await oneRequest(base);
		}),
	);
	clearInterval(sampler);
	const elapsed = (Date.now() - startedAt) / 1000;
	// Events handed to the queue (none unless D1 refused writes) get a moment to be stored.
	await new Promise((resolve) => setTimeout(resolve, 3000));
	const rssEnd = workerdRssMiB();
	const heapEnd = await workerHeapMiB(inspectorPort, base);

	const stored = new Map(
		(
			await d1("SELECT json_extract(payload, '$.SoakSeq') AS seq, count(*) AS n FROM events GROUP BY seq")
		).map((row) => [row.seq, row.n]),
	);
	const quarantined = (await d1("SELECT count(*) AS n FROM quarantine"))[0].n;
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
	console.log(
		`workerd RSS: ${rssStart ?? "n/a"} MiB after warm-up, ${rssEnd ?? "n/a"} MiB at the end (every 10 s: ${rssTimeline.join(", ")} MiB)`,
	);
	console.log(`Worker JS heap after a full GC: ${heapStart} MiB after warm-up, ${heapEnd} MiB at the end`);
	console.log(`5xx: ${stats.fivexx}, transport errors: ${stats.errors}`);
	const ok =
		lost === 0 &&
		duplicated === 0 &&
		stats.fivexx === 0 &&
		stats.errors === 0 &&
		quarantined === stats.invalidSent;
	finish(ok ? 0 : 1, ok ? "soak: every accepted event stored exactly once" : "soak: FAILED");
}

process.on("SIGINT", () => finish(130, "interrupted"));
main().catch((error) => finish(1, `soak failed: ${error.stack ?? error}`));

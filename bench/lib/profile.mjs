// CPU profile of a Worker under load, taken through the workerd inspector that Miniflare exposes
// (the same protocol as Chrome DevTools and `wrangler dev`'s inspector), and summarized by function and
// by source module of the bundle.
import { readFileSync } from "node:fs";

/** The profiler's sampling interval, µs. */
const SAMPLING_INTERVAL_US = 200;
/** Most a sample counts for in the capped figures: two intervals (see summarizeProfile). */
const SAMPLE_CAP_US = 2 * SAMPLING_INTERVAL_US;

/** A minimal DevTools-protocol client over the global WebSocket of Node 22. */
async function connect(url) {
	const socket = new WebSocket(url);
	await new Promise((resolve, reject) => {
		socket.addEventListener("open", resolve, { once: true });
		socket.addEventListener("error", () => reject(new Error(`cannot connect to the inspector at ${url}`)), {
			once: true,
		});
	});
	let nextId = 1;
	const pending = new Map();
	const listeners = new Map();
	socket.addEventListener("message", (event) => {
		const message = JSON.parse(String(event.data));
		if (message.method) for (const listener of listeners.get(message.method) ?? []) listener(message.params);
		const waiter = pending.get(message.id);
		if (!waiter) return;
		pending.delete(message.id);
		if (message.error) waiter.reject(new Error(`${message.error.message} (${message.error.code})`));
		else waiter.resolve(message.result);
	});
	return {
		send(method, params = {}) {
			const id = nextId++;
			socket.send(JSON.stringify({ id, method, params }));
			return new Promise((resolve, reject) => {
				pending.set(id, { resolve, reject });
				setTimeout(() => {
					if (pending.delete(id)) reject(new Error(`inspector: ${method} timed out`));
				}, 60_000);
			});
		},
		on(method, listener) {
			listeners.set(method, [...(listeners.get(method) ?? []), listener]);
		},
		close: () => socket.close(),
	};
}

/**
 * Records a CPU profile of worker `name` behind the workerd inspector while `during()` runs. With
 * `countCalls` (function names of the bundle at `bundlePath`), a logpoint at the start of each prints a
 * `__bench_call:<name>` line per call, which the server's output counter (bench/lib/servers.mjs) counts.
 */
export async function profileDuring(inspectorUrl, name, during, { bundlePath, countCalls = [] } = {}) {
	const client = await connect(new URL(`./core:user:${name}`, inspectorUrl).href);
	try {
		if (countCalls.length > 0) await setLogpoints(client, bundlePath, countCalls);
		await client.send("Profiler.enable");
		await client.send("Profiler.setSamplingInterval", { interval: SAMPLING_INTERVAL_US });
		await client.send("Profiler.start");
		const result = await during();
		const { profile } = await client.send("Profiler.stop");
		if (countCalls.length > 0) await client.send("Debugger.disable");
		return { profile, result };
	} finally {
		client.close();
	}
}

/** A never-pausing conditional breakpoint on the first line of each named function's body. */
async function setLogpoints(client, bundlePath, names) {
	const scripts = [];
	client.on("Debugger.scriptParsed", (params) => scripts.push(params));
	await client.send("Debugger.enable");
	// The bundle is the longest script the isolate parsed.
	const bundle = scripts.sort((a, b) => b.endLine - a.endLine)[0];
	const lines = readFileSync(bundlePath, "utf8").split("\n");
	for (const fn of names) {
		// A function declaration or a class method: `function fn(…) {` or `async fn(…) {`.
		const line = lines.findIndex((text) =>
			new RegExp(`^\\s*(?:async )?(?:function\\*? )?${fn}\\(.*\\{$`).test(text),
		);
		if (line < 0 || !bundle) throw new Error(`--calls: no function ${fn} in the bundle`);
		await client.send("Debugger.setBreakpoint", {
			location: { scriptId: bundle.scriptId, lineNumber: line + 1, columnNumber: 0 },
			condition: `console.log("__bench_call:${fn}") && false`,
		});
	}
}

/**
 * Whether a frame's script is the Worker's bundle: the runtime's own modules have a scheme of their own
 * (`node:`, `node-internal:`, `cloudflare-internal:`, …), the bundle a plain name such as `index.js`.
 * Located by line in the bundle, a runtime frame would be charged to whichever module of the bundle sits
 * at that line (workerd's console formatter, `node-internal:internal_inspect`, showed up as re2js).
 */
function isBundleUrl(url) {
	return Boolean(url) && !/^[a-z][\w-]*:(?!\/\/)/i.test(url);
}

/** Which module of the bundle a line belongs to, from esbuild's `// path` comments. */
function moduleLocator(bundlePath) {
	const starts = [];
	readFileSync(bundlePath, "utf8")
		.split("\n")
		.forEach((line, index) => {
			const match = line.match(/^\/\/ (\S+\.(?:[cm]?[jt]s|json))$/);
			if (match) starts.push({ line: index, module: match[1].replace(/^.*node_modules\//, "node_modules/") });
		});
	return (line) => {
		let found = "(bundle prelude)";
		for (const start of starts) {
			if (start.line > line) break;
			found = start.module;
		}
		return found;
	};
}

/**
 * The stage of the answer path a frame of the bundle belongs to, by its module (and, for the callback
 * pipeline's JSON.parse, its function), or null for frames outside the bundle.
 */
const STAGES = [
	[/^src\/auth\//, "auth (Sign check)"],
	[/^src\/crypto\.ts$/, "SHA-256 (Sign check, event key)"],
	[/^src\/deadline\.ts$/, "D1 write (event rows)"],
	[/^src\/http\/body\.ts$/, "body read (and nesting scan)"],
	[/^node_modules\/valibot\//, "valibot"],
	[/^(src\/policy\/normalize\.ts|node_modules\/unhomoglyph\/)/, "normalize"],
	[/^(src\/policy\/(evaluate|banned|automaton)\.ts|node_modules\/re2js\/)/, "evaluate"],
	[/^src\/policy\/decision-log\.ts$/, "decision log"],
	[/^src\/policy\//, "policy loader and the rest of src/policy"],
	[/^src\/store\//, "D1 write (event rows)"],
	[/^src\/http\/envelope\.ts$/, "answer (envelope)"],
	[/^src\/log\.ts$/, "log lines"],
	[/^(src\/http\/router\.ts|src\/routes\.ts|src\/index\.ts|node_modules\/itty-router\/)/, "routing"],
	[/^src\/config\.ts$/, "config"],
	[/^src\/callbacks\//, "callback pipeline (receive, fields)"],
];

function stageOf(module, functionName) {
	if (module === "src/callbacks/receive.ts" && functionName === "parseBody") return "JSON parse";
	for (const [pattern, stage] of STAGES) if (pattern.test(module)) return stage;
	return module;
}

/**
 * Busy time per stage of the answer path: each sample goes to the innermost frame of the bundle on its
 * stack (time in the runtime's own JS or natives called from the Worker counts for the Worker's caller);
 * samples with no frame of the bundle are the runtime's own work (request parsing, I/O, GC). With `capped`,
 * each sample counts for at most two sampling intervals, as busyCappedMs in summarizeProfile.
 */
export function stagesOfProfile(profile, bundlePath, requests, { capped = false } = {}) {
	const locate = moduleLocator(bundlePath);
	const byId = new Map(profile.nodes.map((node) => [node.id, node]));
	const parent = new Map();
	for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
	const stageById = new Map();
	const stageFor = (id) => {
		if (stageById.has(id)) return stageById.get(id);
		const { functionName, url, lineNumber } = byId.get(id).callFrame;
		let stage;
		if (functionName === "(idle)") stage = null;
		else if (functionName === "(garbage collector)") stage = "garbage collection";
		else if (isBundleUrl(url)) stage = stageOf(locate(lineNumber), functionName);
		else if (parent.has(id)) stage = stageFor(parent.get(id));
		else stage = "runtime (outside the Worker's code)";
		if (stage === "(root)") stage = "runtime (outside the Worker's code)";
		stageById.set(id, stage);
		return stage;
	};
	const totals = new Map();
	let busy = 0;
	for (let i = 0; i < profile.samples.length; i++) {
		const delta = Math.min(profile.timeDeltas[i + 1] ?? 0, capped ? SAMPLE_CAP_US : Number.POSITIVE_INFINITY);
		const stage = stageFor(profile.samples[i]);
		if (stage === null) continue;
		busy += delta;
		totals.set(stage, (totals.get(stage) ?? 0) + delta);
	}
	return [...totals.entries()]
		.sort((a, b) => b[1] - a[1])
		.map(([stage, us]) => ({ stage, usPerRequest: us / requests, share: busy > 0 ? us / busy : 0 }));
}

/**
 * The part of `profile` sampled from `fromUs` until `toUs` (µs on V8's monotonic clock, which on Linux is
 * the clock of `process.hrtime`), as a profile of its own.
 */
export function sliceProfile(profile, fromUs, toUs) {
	let at = profile.startTime;
	let first = -1;
	let end = profile.samples.length;
	for (let i = 0; i < profile.samples.length; i++) {
		at += profile.timeDeltas[i];
		if (first === -1 && at >= fromUs) first = i;
		if (at >= toUs) {
			end = i;
			break;
		}
	}
	if (first === -1 || first >= end) return { ...profile, samples: [], timeDeltas: [] };
	// Each sample keeps its duration: the time until the next one (timeDeltas[i + 1]).
	return {
		...profile,
		samples: profile.samples.slice(first, end),
		timeDeltas: profile.timeDeltas.slice(first, end + 1),
	};
}

/**
 * Self time per function and per module, in ms, plus the isolate's busy time: everything sampled that was
 * not idle. `requests` turns busy time into CPU per request.
 */
export function summarizeProfile(profile, bundlePath, requests) {
	const locate = bundlePath ? moduleLocator(bundlePath) : () => "";
	const selfById = new Map();
	const { samples, timeDeltas } = profile;
	for (let i = 0; i < samples.length; i++) {
		const delta = timeDeltas[i + 1] ?? 0;
		selfById.set(samples[i], (selfById.get(samples[i]) ?? 0) + delta);
	}
	const byFunction = new Map();
	const byModule = new Map();
	let total = 0;
	let idle = 0;
	// V8 charges each sample with the wall time since the one before. On a loaded machine the isolate's
	// thread waits for a core between two samples now and then, and that wait (several ms at a time) lands
	// on whatever runs next: busyMs is then well above the CPU used. busyCappedMs counts each busy sample
	// for at most two sampling intervals: an estimate that such waits barely move (it can miss CPU when the
	// sampling thread itself is the one kept waiting); on a quiet machine both agree.
	// busySamplesMs counts each busy sample for one interval, the textbook estimate of a sampling profiler:
	// it misses CPU whenever the sampling thread runs late, so it is a lower bound here.
	let busyCapped = 0;
	let busySamples = 0;
	const idleIds = new Set(
		profile.nodes.filter((node) => node.callFrame.functionName === "(idle)").map((node) => node.id),
	);
	for (let i = 0; i < samples.length; i++) {
		if (idleIds.has(samples[i])) continue;
		busyCapped += Math.min(timeDeltas[i + 1] ?? 0, SAMPLE_CAP_US);
		busySamples++;
	}
	for (const node of profile.nodes) {
		const us = selfById.get(node.id) ?? 0;
		total += us;
		const { functionName, url, lineNumber } = node.callFrame;
		if (functionName === "(idle)") {
			idle += us;
			continue;
		}
		const isBundle = bundlePath && isBundleUrl(url);
		const module = isBundle ? locate(lineNumber) : url ? "(runtime JS)" : functionName || "(native)";
		const key = `${functionName || "(anonymous)"}  ${module}${isBundle ? ` (bundle line ${lineNumber + 1})` : ""}`;
		byFunction.set(key, (byFunction.get(key) ?? 0) + us);
		byModule.set(module, (byModule.get(module) ?? 0) + us);
	}
	const busy = total - idle;
	const top = (map, n) =>
		[...map.entries()]
			.sort((a, b) => b[1] - a[1])
			.slice(0, n)
			.map(([name, us]) => ({ name, ms: us / 1000, share: busy > 0 ? us / busy : 0 }));
	return {
		sampledMs: total / 1000,
		busyMs: busy / 1000,
		busyCappedMs: busyCapped / 1000,
		busySamplesMs: (busySamples * SAMPLING_INTERVAL_US) / 1000,
		busyShare: total > 0 ? busy / total : 0,
		cpuUsPerRequest: requests > 0 ? busy / requests : null,
		functions: top(byFunction, 15),
		modules: top(byModule, 10),
	};
}

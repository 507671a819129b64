// The policy loader against the real local KV, with a clock moved by hand: one read in flight, answers
// that never wait on KV once a policy is loaded, backoff after failures, the last known good at a cold
// start, and the compiled form cached in KV.
import { env } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { sha256Hex } from "../../src/crypto";
import type { Defer } from "../../src/deadline";
import { compiledCacheKey } from "../../src/policy/engine/compiled-cache";
import { evaluateCreation } from "../../src/policy/engine/evaluate";
import {
	BACKOFF_BASE_MS,
	BACKOFF_CAP_MS,
	LAST_KNOWN_GOOD_KEY,
	PolicyLoader,
	REFRESH_EVERY_MS,
} from "../../src/policy/loader";
import { PolicyLoaders } from "../../src/policy/loaders";
import { FakeClock } from "../support/clock";

const V1 = JSON.stringify({
	version: "v1",
	names: { banned: ["casino", { match: "regex", value: "^[0-9]+$" }] },
});
const V2 = JSON.stringify({ version: "v2", names: { banned: ["poker"] } });

/** Calls to the real KV binding, by key; `fail` makes reads of the listed keys reject, `hang` never answer. */
function countingKv(options: { fail?: (key: string) => boolean; hang?: (key: string) => boolean } = {}) {
	const reads: string[] = [];
	const writes: string[] = [];
	const kv = new Proxy(env.POLICY, {
		get(target, property) {
			if (property === "get") {
				return (key: string, type: never) => {
					reads.push(key);
					if (options.hang?.(key)) return new Promise(() => {});
					if (options.fail?.(key)) return Promise.reject(new Error(`injected fault: KV get ${key}`));
					return target.get(key, type);
				};
			}
			if (property === "put") {
				return (key: string, ...rest: never[]) => {
					writes.push(key);
					return (target.put as (...args: unknown[]) => Promise<void>)(key, ...rest);
				};
			}
			const value = Reflect.get(target, property);
			return typeof value === "function" ? value.bind(target) : value;
		},
	});
	return { env: { ...env, POLICY: kv } as Env, reads, writes };
}

/** Background work of the calls, awaited by the test as the runtime would after each answer. */
function backgroundWork() {
	const pending: Promise<unknown>[] = [];
	const defer: Defer = (work) => pending.push(work);
	return { defer, settle: async () => void (await Promise.allSettled(pending.splice(0))) };
}

async function clearKv() {
	for (const { name } of (await env.POLICY.list()).keys) await env.POLICY.delete(name);
}

beforeEach(async () => {
	await clearKv();
	await env.POLICY.put("policy", V1);
});
afterEach(() => vi.restoreAllMocks());

describe("PolicyLoader", () => {
	it("makes one KV read of the policy for twenty cold decisions at once", async () => {
		const kv = countingKv();
		const loader = new PolicyLoader(new FakeClock());
		const work = backgroundWork();
		const states = await Promise.all(Array.from({ length: 20 }, () => loader.current(kv.env, work.defer)));
		await work.settle();
		expect(states.map((state) => state.policy?.label)).toEqual(Array(20).fill("v1"));
		expect(kv.reads.filter((key) => key === "policy")).toHaveLength(1);
	});

	it("answers from its policy without waiting on KV, and refreshes behind the answer once a second", async () => {
		const clock = new FakeClock();
		const loader = new PolicyLoader(clock);
		const work = backgroundWork();
		await loader.current(env, work.defer);
		await work.settle();

		// KV now never answers: a warm loader must still answer (a wait would hang this test).
		const hung = countingKv({ hang: () => true });
		const hungWork = backgroundWork(); // never settled: it waits for the hung read
		await env.POLICY.put("policy", V2);
		expect((await loader.current(hung.env, hungWork.defer)).policy?.label).toBe("v1");
		expect(hung.reads).toEqual([]); // within the second since the last read
		clock.advance(REFRESH_EVERY_MS);
		for (let i = 0; i < 5; i++)
			expect((await loader.current(hung.env, hungWork.defer)).policy?.label).toBe("v1");
		expect(hung.reads).toEqual(["policy"]); // one refresh, shared by the five decisions

		// With KV answering again, the edit is used once the refresh behind an answer has finished.
		const kv = countingKv();
		clock.advance(REFRESH_EVERY_MS * 20); // the hung read counts as lost
		expect((await loader.current(kv.env, work.defer)).policy?.label).toBe("v1");
		await work.settle();
		expect((await loader.current(kv.env, work.defer)).policy?.label).toBe("v2");
	});

	it("backs off after KV errors instead of reading on every decision, and recovers", async () => {
		const clock = new FakeClock();
		const loader = new PolicyLoader(clock);
		const work = backgroundWork();
		await loader.current(env, work.defer);
		await work.settle();

		const failing = countingKv({ fail: (key) => key === "policy" });
		const reads = () => failing.reads.filter((key) => key === "policy").length;
		const decideMany = async (n: number) => {
			for (let i = 0; i < n; i++)
				expect((await loader.current(failing.env, work.defer)).policy?.label).toBe("v1");
			await work.settle();
		};
		clock.advance(REFRESH_EVERY_MS);
		await decideMany(10);
		expect(reads()).toBe(1);
		expect((await loader.current(failing.env, work.defer)).kvError).toContain("injected fault");
		// Backoff: 1 s, then 2 s, then 4 s …, whatever the number of decisions in between.
		clock.advance(BACKOFF_BASE_MS - 1);
		await decideMany(10);
		expect(reads()).toBe(1);
		clock.advance(1);
		await decideMany(10);
		expect(reads()).toBe(2);
		clock.advance(2 * BACKOFF_BASE_MS - 1);
		await decideMany(10);
		expect(reads()).toBe(2);
		clock.advance(1);
		await decideMany(10);
		expect(reads()).toBe(3);
		// Capped.
		for (let i = 0; i < 10; i++) {
			clock.advance(BACKOFF_CAP_MS);
			await decideMany(1);
		}
		expect(reads()).toBe(13);

		// KV back: the next due refresh succeeds and clears the error; reads return to one a second.
		const kv = countingKv();
		clock.advance(BACKOFF_CAP_MS);
		await loader.current(kv.env, work.defer);
		await work.settle();
		expect((await loader.current(kv.env, work.defer)).kvError).toBeNull();
		clock.advance(REFRESH_EVERY_MS);
		await loader.current(kv.env, work.defer);
		await work.settle();
		expect(kv.reads.filter((key) => key === "policy")).toHaveLength(2);
	});

	it("a cold isolate whose live read fails decides with the last known good policy", async () => {
		const warm = new PolicyLoader(new FakeClock());
		const work = backgroundWork();
		await warm.current(env, work.defer);
		await work.settle(); // saves v1 as the last known good
		expect(await env.POLICY.get(LAST_KNOWN_GOOD_KEY)).toBe(V1);
		await env.POLICY.put("policy", V2);

		const failing = countingKv({ fail: (key) => key === "policy" });
		const cold = new PolicyLoader(new FakeClock());
		const state = await cold.current(failing.env, work.defer);
		await work.settle();
		expect(state.policy).toMatchObject({ label: "v1", origin: "last-known-good" });
		expect(state.kvError).toContain("injected fault: KV get policy");
		expect(failing.reads).toContain(LAST_KNOWN_GOOD_KEY);
		const verdict = evaluateCreation(state.policy?.compiled as never, "topic", {
			operatorAccount: "leckie",
			name: "Casino night",
		});
		expect(verdict).toMatchObject({ allowed: false, rule: 'names.banned[0] "casino"' });
	});

	it("a cold isolate with KV hanging gives up after the cold deadline, and the fail mode answers", async () => {
		const clock = new FakeClock();
		const hung = countingKv({ hang: () => true });
		const loader = new PolicyLoader(clock);
		const answer = loader.current(hung.env, () => {});
		let answered = false;
		void answer.then(() => {
			answered = true;
		});
		await Promise.resolve();
		expect(answered).toBe(false);
		clock.advance(1_000);
		expect((await answer).policy).toBeNull();
	});
});

describe("compiled form cached in KV", () => {
	it("is written by the isolate that compiled, and read instead of compiling by the next", async () => {
		const first = countingKv();
		const work = backgroundWork();
		const compiledHere = await new PolicyLoader(new FakeClock()).current(first.env, work.defer);
		await work.settle();
		expect(compiledHere.policy?.from).toBe("compiled");
		const key = compiledCacheKey(await sha256Hex(V1));
		expect(first.writes).toContain(key);

		const second = countingKv();
		const fromCache = await new PolicyLoader(new FakeClock()).current(second.env, work.defer);
		await work.settle();
		expect(fromCache.policy).toMatchObject({ from: "cache", label: "v1", origin: "live" });
		expect(second.writes).not.toContain(key);
		for (const name of ["Casino night", "12345", "Book club", "ｃａｓｉｎｏ"]) {
			const request = { operatorAccount: "leckie", name };
			expect(evaluateCreation(fromCache.policy?.compiled as never, "topic", request)).toEqual(
				evaluateCreation(compiledHere.policy?.compiled as never, "topic", request),
			);
		}
	});

	/** V1's compiled form, written by a loader and then altered near its end (inside the binary part). */
	async function corruptForm() {
		const work = backgroundWork();
		await new PolicyLoader(new FakeClock()).current(env, work.defer);
		await work.settle();
		const key = compiledCacheKey(await sha256Hex(V1));
		const bytes = new Uint8Array((await env.POLICY.get(key, "arrayBuffer")) as ArrayBuffer);
		bytes[bytes.length - 3] = (bytes[bytes.length - 3] as number) ^ 0xff;
		await env.POLICY.put(key, bytes);
		return { work, key, bytes };
	}

	it("is not used when corrupt: the isolate compiles, decides by the document, and rewrites it", async () => {
		const { work, key, bytes } = await corruptForm();

		// A decision waiting for the load goes first; the digest is checked behind it, and the corrupt form is
		// dropped: the next decision compiles the document and the form is written anew.
		const kv = countingKv();
		const loader = new PolicyLoader(new FakeClock());
		const first = await loader.current(kv.env, work.defer);
		expect(first.policy?.from).toBe("cache");
		await work.settle();
		expect(await env.POLICY.get(key, "arrayBuffer")).toBeNull();
		const state = await loader.current(kv.env, work.defer);
		await work.settle();
		expect(state.policy?.from).toBe("compiled");
		expect(kv.writes).toContain(key);
		expect(new Uint8Array((await env.POLICY.get(key, "arrayBuffer")) as ArrayBuffer)).not.toEqual(bytes);
	});

	it("checks the form's digest before use when no decision waits (health)", async () => {
		await corruptForm();
		const state = await new PolicyLoader(new FakeClock()).inspect(env);
		expect(state.policy).toMatchObject({ from: "compiled", label: "v1" });
	});

	it("is not used for another document, even under this document's key", async () => {
		const work = backgroundWork();
		await new PolicyLoader(new FakeClock()).current(env, work.defer);
		await work.settle();
		// The compiled form of V1 placed where V2's would be: V2 must still decide.
		const v1Form = await env.POLICY.get(compiledCacheKey(await sha256Hex(V1)), "arrayBuffer");
		await env.POLICY.put(compiledCacheKey(await sha256Hex(V2)), v1Form as ArrayBuffer);
		await env.POLICY.put("policy", V2);

		const state = await new PolicyLoader(new FakeClock()).current(env, work.defer);
		await work.settle();
		expect(state.policy).toMatchObject({ from: "compiled", label: "v2" });
		const verdict = (name: string) =>
			evaluateCreation(state.policy?.compiled as never, "topic", { operatorAccount: "leckie", name });
		expect(verdict("Poker night").allowed).toBe(false);
		expect(verdict("Casino night").allowed).toBe(true);
	});

	it("logs a cold load after the answer that waited for it, not on its way", async () => {
		const lines: string[] = [];
		vi.spyOn(console, "log").mockImplementation((line: string) => void lines.push(line));
		const loaded = () => lines.filter((line) => line.includes('"event":"policy.loaded"'));
		const work = backgroundWork();
		const state = await new PolicyLoader(new FakeClock()).current(env, work.defer);
		expect(state.policy?.label).toBe("v1");
		expect(loaded()).toEqual([]);
		await work.settle();
		expect(loaded().map((line) => JSON.parse(line))).toEqual([
			{ level: "info", event: "policy.loaded", version: "v1", from: "compiled" },
		]);
	});

	it("is read but nothing is written when /healthz inspects the loader", async () => {
		const kv = countingKv();
		const state = await new PolicyLoader(new FakeClock()).inspect(kv.env);
		expect(state.policy?.label).toBe("v1");
		expect(kv.writes).toEqual([]);
	});
});

describe("PolicyLoaders: a policy per app", () => {
	const APP = "1400000777";
	const OTHER = "1400000888";
	const apps = { ...env, SDKAPPID: `${APP},${OTHER}` } as Env;

	it("decides an app with its own key when it has one, and with the shared key when it has none", async () => {
		await env.POLICY.put(`policy:${APP}`, V2);
		const loaders = new PolicyLoaders(new FakeClock());
		const work = backgroundWork();
		expect((await loaders.current(apps, work.defer, APP)).policy?.label).toBe("v2");
		expect((await loaders.current(apps, work.defer, OTHER)).policy?.label).toBe("v1");
		// Several apps and none named: the shared key.
		expect((await loaders.current(apps, work.defer)).policy?.label).toBe("v1");
		await work.settle();
		// Each app's last known good copy is its own.
		expect(await env.POLICY.get(`${LAST_KNOWN_GOOD_KEY}:${APP}`)).toBe(V2);
		expect(await env.POLICY.get(`${LAST_KNOWN_GOOD_KEY}:${OTHER}`)).toBeNull();
	});

	it("never decides an app whose own key is broken with the shared rules: its last known good, else none", async () => {
		await env.POLICY.put(`policy:${APP}`, "{ not json");
		const cold = new PolicyLoaders(new FakeClock());
		const work = backgroundWork();
		const broken = await cold.current(apps, work.defer, APP);
		expect(broken.policy).toBeNull();
		expect(broken.liveProblem?.message).toBeTruthy();

		await env.POLICY.put(`${LAST_KNOWN_GOOD_KEY}:${APP}`, V2);
		const restarted = await new PolicyLoaders(new FakeClock()).current(apps, work.defer, APP);
		expect(restarted.policy).toMatchObject({ label: "v2", origin: "last-known-good" });
		await work.settle();
	});

	it("reads an app's empty key once every ten seconds, the shared key it falls back to every second", async () => {
		const clock = new FakeClock();
		const loaders = new PolicyLoaders(clock);
		const kv = countingKv();
		const counted = { ...kv.env, SDKAPPID: apps.SDKAPPID } as Env;
		const work = backgroundWork();
		const reads = (key: string) => kv.reads.filter((read) => read === key).length;
		for (let second = 0; second < 10; second++) {
			expect((await loaders.current(counted, work.defer, APP)).policy?.label).toBe("v1");
			await work.settle();
			clock.advance(REFRESH_EVERY_MS);
		}
		expect(reads(`policy:${APP}`)).toBe(1);
		expect(reads("policy")).toBe(10);
		await loaders.current(counted, work.defer, APP);
		await work.settle();
		expect(reads(`policy:${APP}`)).toBe(2);
	});

	it("holds nothing for an app whose key it never read, without reading KV for it", async () => {
		const loaders = new PolicyLoaders(new FakeClock());
		const work = backgroundWork();
		await loaders.current(apps, work.defer, OTHER);
		await work.settle();
		const kv = countingKv();
		const env2 = { ...kv.env, SDKAPPID: apps.SDKAPPID } as Env;
		expect(loaders.held(env2, work.defer, APP)).toBeNull();
		expect(loaders.held(env2, work.defer, OTHER)?.label).toBe("v1");
		expect(kv.reads).toEqual([]);
	});
});

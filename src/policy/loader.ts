// The loader: the only part of the policy that does I/O. It keeps the compiled policy of this isolate,
// refreshes it from KV in the background, and persists every valid policy it loads as the last known
// good one (KV key `policy:last-known-good`), which it falls back to when the live value is broken.
import { type CompiledPolicy, compilePolicyText } from "./compile";
import { POLICY_KEY, type PolicyProblem } from "./document";

/** KV key of the last valid policy any isolate loaded; value: its text, metadata: {@link LastKnownGoodMeta}. */
export const LAST_KNOWN_GOOD_KEY = "policy:last-known-good";

/** KV's own propagation bound: a policy older than this is refreshed before deciding (with a deadline). */
const FRESH_FOR_MS = 60_000;
/** How long a decision with a stale cached policy waits for KV before deciding with the cached one. */
const STALE_REFRESH_DEADLINE_MS = 250;
/** A background refresh older than this is assumed lost (its request ended) and may be started again. */
const REFRESH_LOST_AFTER_MS = 10_000;

interface LastKnownGoodMeta {
	hash: string;
	version: string | null;
	savedAt: string;
}

/** A compiled policy and where it came from. */
export interface LoadedPolicy {
	compiled: CompiledPolicy;
	text: string;
	hash: string;
	/** The document's `version`, else `sha256:` and the first 12 hex digits of its text's hash. */
	label: string;
	/** Where this isolate got it: the live key, or the last-known-good copy (at a cold start). */
	origin: "live" | "last-known-good";
	loadedAt: number;
}

/** What this isolate knows about the policy. */
export interface PolicyState {
	policy: LoadedPolicy | null;
	/** Why the live value is not in use (broken or missing); null when the live value is the policy. */
	liveProblem: PolicyProblem | null;
	/** The last KV error, when KV could not be read. */
	kvError: string | null;
	/** When KV last answered (ms), 0 before the first read. */
	fetchedAt: number;
}

let state: PolicyState = { policy: null, liveProblem: null, kvError: null, fetchedAt: 0 };
let lastBrokenText: string | null = null;
let refreshStartedAt = 0;
let savedLastKnownGoodHash: string | null = null;

/**
 * Forgets everything this isolate knows, as a restart would. For tests (a new isolate), never called
 * by the Worker itself.
 */
export function resetPolicyCacheForTests(): void {
	state = { policy: null, liveProblem: null, kvError: null, fetchedAt: 0 };
	lastBrokenText = null;
	refreshStartedAt = 0;
	savedLastKnownGoodHash = null;
}

/** Runs work after the answer, where there is a request to attach it to. */
type Defer = (work: Promise<unknown>) => void;

/**
 * The policy to decide with now. The first call in an isolate waits for KV; later calls answer from
 * the cache and refresh it in the background, so an edit is used from the next decision after KV
 * delivers it. A cache older than KV's own 60 s bound is refreshed first, waiting at most 250 ms.
 */
export async function currentPolicyState(env: Env, defer: Defer): Promise<PolicyState> {
	const now = Date.now();
	if (state.fetchedAt === 0 && state.policy === null) {
		await refresh(env, defer);
	} else if (now - state.fetchedAt > FRESH_FOR_MS) {
		const refreshing = refresh(env, defer);
		defer(refreshing);
		await Promise.race([refreshing, sleep(STALE_REFRESH_DEADLINE_MS)]);
	} else if (now - refreshStartedAt > REFRESH_LOST_AFTER_MS || refreshStartedAt === 0) {
		defer(refresh(env, defer));
	}
	return state;
}

/** What this isolate knows, loading the policy first if it never has. For /healthz. */
export async function inspectPolicyState(env: Env): Promise<PolicyState> {
	if (state.fetchedAt === 0 && state.policy === null) {
		const pending: Promise<unknown>[] = [];
		await refresh(env, (work) => pending.push(work));
		await Promise.allSettled(pending);
	}
	return state;
}

async function refresh(env: Env, defer: Defer): Promise<void> {
	refreshStartedAt = Date.now();
	try {
		let text: string | null;
		try {
			text = await env.POLICY.get(POLICY_KEY, "text");
		} catch (error) {
			state = { ...state, kvError: describe(error) };
			console.error(`policy: KV read failed, keeping what this isolate has: ${state.kvError}`);
			if (state.policy === null) await loadLastKnownGood(env);
			return;
		}
		state = { ...state, kvError: null, fetchedAt: Date.now() };
		if (text === null) {
			noteLiveProblem({
				message: `no value under the KV key "${POLICY_KEY}"`,
				rule: null,
				line: null,
				column: null,
			});
		} else if (state.policy?.origin === "live" && state.policy.text === text) {
			state = { ...state, liveProblem: null };
		} else if (text === lastBrokenText) {
			// Same broken value as before: already logged.
		} else {
			const compiled = compilePolicyText(text);
			if (compiled.ok) {
				const policy = await loaded(compiled.value, text, "live");
				state = { ...state, policy, liveProblem: null };
				lastBrokenText = null;
				console.log(`policy: loaded ${policy.label}`);
				if (savedLastKnownGoodHash !== policy.hash) defer(saveLastKnownGood(env, policy));
			} else {
				lastBrokenText = text;
				noteLiveProblem(compiled.problem);
			}
		}
		if (state.liveProblem !== null && state.policy === null) await loadLastKnownGood(env);
	} catch (error) {
		console.error(`policy: refresh failed: ${describe(error)}`);
	} finally {
		refreshStartedAt = 0;
	}
}

function noteLiveProblem(problem: PolicyProblem): void {
	const where = problem.line === null ? "" : ` (line ${problem.line}, column ${problem.column})`;
	const keeping =
		state.policy === null ? "no good policy in this isolate yet" : `keeping ${state.policy.label}`;
	console.error(`policy: the live policy is unusable${where}: ${problem.message}; ${keeping}`);
	state = { ...state, liveProblem: problem };
}

async function loadLastKnownGood(env: Env): Promise<void> {
	try {
		const text = await env.POLICY.get(LAST_KNOWN_GOOD_KEY, "text");
		if (text === null) {
			console.error("policy: no last known good policy either; POLICY_FAIL_MODE applies");
			return;
		}
		const compiled = compilePolicyText(text);
		if (!compiled.ok) {
			console.error(`policy: the last known good policy no longer compiles: ${compiled.problem.message}`);
			return;
		}
		const policy = await loaded(compiled.value, text, "last-known-good");
		savedLastKnownGoodHash = policy.hash;
		state = { ...state, policy };
		console.error(`policy: deciding with the last known good policy ${policy.label}`);
	} catch (error) {
		console.error(`policy: cannot read the last known good policy: ${describe(error)}`);
	}
}

async function saveLastKnownGood(env: Env, policy: LoadedPolicy): Promise<void> {
	try {
		const stored = await env.POLICY.getWithMetadata<LastKnownGoodMeta>(LAST_KNOWN_GOOD_KEY, "stream");
		await stored.value?.cancel();
		if (stored.metadata?.hash !== policy.hash) {
			const metadata: LastKnownGoodMeta = {
				hash: policy.hash,
				version: policy.compiled.version,
				savedAt: new Date().toISOString(),
			};
			await env.POLICY.put(LAST_KNOWN_GOOD_KEY, policy.text, { metadata });
			console.log(`policy: saved ${policy.label} as the last known good policy`);
		}
		savedLastKnownGoodHash = policy.hash;
	} catch (error) {
		console.error(`policy: could not save the last known good policy: ${describe(error)}`);
	}
}

async function loaded(
	compiled: CompiledPolicy,
	text: string,
	origin: LoadedPolicy["origin"],
): Promise<LoadedPolicy> {
	const hash = await sha256Hex(text);
	return {
		compiled,
		text,
		hash,
		label: compiled.version ?? `sha256:${hash.slice(0, 12)}`,
		origin,
		loadedAt: Date.now(),
	};
}

/** Lower-case hex SHA-256 of a text. */
export async function sha256Hex(text: string): Promise<string> {
	const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
	return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function describe(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

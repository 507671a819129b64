// GET /healthz: can this Worker do its job right now? Anyone gets the verdict and the version; the admin
// token (or a console session) also gets the details. Reading only: a health check writes nothing.
import packageJson from "../package.json";
import { adminRefusalResponse, authenticateAdmin, presentsCredential } from "./auth/admin-auth";
import { attemptSource } from "./auth/attempt-limit";
import { callbackAuthMode } from "./auth/callback-auth";
import { ignoredCommands } from "./callbacks/receive";
import { handledCommands } from "./commands";
import { type Config, configProblem, readConfig, tencentSecretKey } from "./config";
import { withinDeadline } from "./deadline";
import { jsonResponse } from "./http/envelope";
import { isolateSlot, isolateState } from "./isolate";
import { errorMessage } from "./log";
import { policyHealth } from "./policy";
import { databaseAnswers } from "./store/events";

/** How long /healthz waits for each binding: a hung binding is reported, not waited on. */
const PROBE_DEADLINE_MS = 1_500;

/**
 * How long an isolate answers anonymous /healthz from its last look, so that anyone polling it costs no KV
 * or D1 read per request. The admin's details always look afresh.
 */
export const PUBLIC_HEALTH_TTL_MS = 5_000;

/**
 * The verdict: `ok`; `degraded` (the live policy is broken or missing, D1 does not answer, or the events
 * queue is not bound: the Worker still answers, with less); `down` (nothing usable: no policy to decide
 * with and nowhere to keep events, or an invalid var that makes every callback refused).
 */
export type HealthStatus = "ok" | "degraded" | "down";

/** The HTTP status of each verdict: monitors that read only the status see `down` as a failure. */
export const HEALTH_HTTP_STATUS: Record<HealthStatus, 200 | 503> = { ok: 200, degraded: 200, down: 503 };

interface Probe {
	ok: boolean;
	ms: number;
	error?: string;
}

/** Whether a binding answered, and how long it took. */
async function probe(check: () => Promise<unknown>): Promise<Probe> {
	const started = Date.now();
	try {
		await withinDeadline(check(), PROBE_DEADLINE_MS, "the probe");
		return { ok: true, ms: Date.now() - started };
	} catch (error) {
		return { ok: false, ms: Date.now() - started, error: errorMessage(error) };
	}
}

/**
 * Whether the Worker can act through Tencent's REST API: where, as whom, which SdkAppids have a key, and
 * whether callbacks are accepted unsigned (then enforcement records what they would make it do, and calls
 * nothing for them).
 */
function enforcementHealth(config: Config): Record<string, unknown> {
	const { apiBase, identifier } = config.tencent;
	const withoutKey = config.sdkAppIds.filter((id) => tencentSecretKey(config, id) === null);
	const warnings = [
		...(withoutKey.length === 0
			? []
			: [
					`no TENCENT_SECRET_KEY for SdkAppid ${withoutKey.join(", ")}: enforcement stays "log" (refused names are recorded, never changed)`,
				]),
		...(callbackAuthMode(config) === "unsigned"
			? [
					"callbacks are accepted unsigned (ALLOW_UNSIGNED_CALLBACKS): enforcement records what they would make it do and calls nothing for them (a moderator's backtest apply or resume still acts, once Tencent confirms)",
				]
			: []),
	];
	return {
		apiBase,
		adminIdentifier: identifier,
		restApi: withoutKey.length === 0 ? "on" : "off",
		...(warnings.length === 0 ? {} : { warning: warnings.join("; ") }),
	};
}

/** What the verdict is drawn from. */
interface HealthFacts {
	d1: Probe;
	queueBound: boolean;
	/** A policy decides (live or last known good). */
	policyLoaded: boolean;
	/** The live policy is there and usable (not broken, not missing, KV read). */
	policyLive: boolean;
	/** An invalid var refuses every callback. */
	callbacksRefused: boolean;
}

/** The verdict from the facts (see {@link HealthStatus}); pure, so every case is tested directly. */
export function healthStatus(facts: HealthFacts): HealthStatus {
	const eventsKept = facts.d1.ok || facts.queueBound;
	if (facts.callbacksRefused || (!facts.policyLoaded && !eventsKept)) return "down";
	return facts.policyLive && facts.d1.ok && facts.queueBound ? "ok" : "degraded";
}

/** Everything /healthz knows: the verdict and the details shown to the admin. */
async function inspect(env: Env): Promise<{ status: HealthStatus; details: Record<string, unknown> }> {
	const config = readConfig(env);
	const [kv, d1, policy] = await Promise.all([
		probe(() => env.POLICY.get("policy")),
		probe(() => databaseAnswers(env.DB)),
		withinDeadline(policyHealth(env), PROBE_DEADLINE_MS, "the policy status").catch(
			(error: unknown): Record<string, unknown> => ({
				loaded: false,
				source: "none",
				error: errorMessage(error),
			}),
		),
	]);
	const queueBound = Boolean((env as { EVENTS_QUEUE?: Queue }).EVENTS_QUEUE);
	// Several apps: the policy is whole when every app's is (an app's own key, or the shared one for it).
	const apps = policy.apps as Record<string, { source: string }> | undefined;
	const sources = apps === undefined ? [String(policy.source)] : Object.values(apps).map((app) => app.source);
	const status = healthStatus({
		d1,
		queueBound,
		policyLoaded: apps === undefined ? policy.loaded === true : sources.every((source) => source !== "none"),
		policyLive: sources.every((source) => source === "live") && !policy.kvError,
		callbacksRefused: configProblem(config, "callbacks") !== null,
	});
	const authMode = callbackAuthMode(config);
	return {
		status,
		details: {
			status,
			version: packageJson.version,
			kv,
			d1,
			queue: { bound: queueBound },
			auth:
				authMode === "token"
					? {
							mode: authMode,
							tokens: config.callbackTokens.length,
							...(Object.keys(config.callbackTokensByApp).length > 0
								? { appTokens: Object.keys(config.callbackTokensByApp) }
								: {}),
							mutualTls: config.mutualTls.required,
						}
					: authMode === "mutual-tls"
						? { mode: authMode, mutualTls: true }
						: {
								mode: "none",
								mutualTls: false,
								warning: "CALLBACK_TOKEN is not set: callbacks are not signature-checked",
							},
			sdkAppIds: config.sdkAppIds,
			api: config.adminToken ? "on" : "off",
			config: {
				problems: config.problems.map(({ variable, message, uses }) => ({ variable, message, uses })),
			},
			enforcement: enforcementHealth(config),
			policy,
			handledCommands,
			ignoredCommands: Object.fromEntries(ignoredCommands(env)),
		},
	};
}

/**
 * An isolate's anonymous verdict, from one look every PUBLIC_HEALTH_TTL_MS: the look's time and its promise
 * (requests arriving during a look share it), or null before the first look.
 */
const publicVerdictSlot = isolateSlot(
	"public-health",
	(): { last: { at: number; status: Promise<HealthStatus> } | null } => ({ last: null }),
);

/** The verdict anonymous /healthz answers: the last look's when it is recent enough, else a new look. */
function publicStatus(env: Env, now: number): Promise<HealthStatus> {
	const verdict = isolateState(env, publicVerdictSlot);
	const known = verdict.last;
	if (known !== null && now - known.at < PUBLIC_HEALTH_TTL_MS) return known.status;
	const status = inspect(env).then((found) => found.status);
	verdict.last = { at: now, status };
	// A look that throws is not kept: the next request looks again.
	status.catch(() => {
		if (verdict.last?.status === status) verdict.last = null;
	});
	return status;
}

/**
 * GET /healthz. Without credentials: `{"status", "version"}` only (200 for ok and degraded, 503 for down),
 * from a look at most PUBLIC_HEALTH_TTL_MS old. With `Authorization: Bearer <ADMIN_TOKEN>` or a console
 * session: the details too, looked at afresh. Credentials that do not pass are answered like any /api
 * refusal (401, 429, 503) and count as failed attempts.
 */
export async function health(request: Request, env: Env): Promise<Response> {
	if (!presentsCredential(request)) {
		const status = await publicStatus(env, Date.now());
		return jsonResponse({ status, version: packageJson.version }, HEALTH_HTTP_STATUS[status], NO_STORE);
	}
	const auth = await authenticateAdmin(request, readConfig(env), attemptSource(request, env));
	if (!auth.ok) return adminRefusalResponse(auth.problem);
	const { status, details } = await inspect(env);
	return jsonResponse(details, HEALTH_HTTP_STATUS[status], NO_STORE);
}

const NO_STORE = { "cache-control": "no-store" };

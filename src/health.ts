// GET /healthz: can this Worker do its job right now, and how is it configured?
import packageJson from "../package.json";
import { mutualTlsRequired } from "./auth/client-certificate";
import { ignoredCommands } from "./callbacks/receive";
import { handledCommands } from "./callbacks/registry";
import { callbackTokens, sdkAppIds } from "./config";
import { withinDeadline } from "./deadline";
import { jsonResponse } from "./http/envelope";
import { errorMessage } from "./log";
import { policyHealth } from "./policy";

/** How long /healthz waits for each binding: a hung binding is reported, not waited on. */
const PROBE_DEADLINE_MS = 1_500;

/** Whether a binding answered, and how long it took. */
async function probe(check: () => Promise<unknown>): Promise<{ ok: boolean; ms: number; error?: string }> {
	const started = Date.now();
	try {
		await withinDeadline(check(), PROBE_DEADLINE_MS, "the probe");
		return { ok: true, ms: Date.now() - started };
	} catch (error) {
		return { ok: false, ms: Date.now() - started, error: errorMessage(error) };
	}
}

/** The /healthz body: version, KV and D1 reachability, auth mode, policy status. Always 200. */
export async function health(env: Env): Promise<Response> {
	const [kv, d1, policy] = await Promise.all([
		probe(() => env.POLICY.get("policy")),
		probe(() => env.DB.prepare("SELECT 1").first()),
		withinDeadline(policyHealth(env), PROBE_DEADLINE_MS, "the policy status").catch((error: unknown) => ({
			error: errorMessage(error),
		})),
	]);
	const signed = callbackTokens(env).length > 0;
	return jsonResponse({
		ok: kv.ok && d1.ok,
		version: packageJson.version,
		kv,
		d1,
		auth: signed
			? { mode: "token", tokens: callbackTokens(env).length, mutualTls: mutualTlsRequired(env) }
			: {
					mode: "none",
					mutualTls: mutualTlsRequired(env),
					warning: "CALLBACK_TOKEN is not set: callbacks are not signature-checked",
				},
		sdkAppIds: sdkAppIds(env),
		api: env.ADMIN_TOKEN ? "on" : "off",
		policy,
		handledCommands,
		ignoredCommands: Object.fromEntries(ignoredCommands),
	});
}

// Property-based fuzzing of POST /: generated bodies for every handled command and generated query strings.
// A fixed seed keeps `npm test` reproducible; `npm run fuzz:sweep` runs many more seeds and cases.
import { env } from "cloudflare:test";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { tencentSign } from "../../src/auth/callback-auth";
import { callbackUrl, SDK_APP_ID, samples } from "../support/tencent";
import {
	bodyText,
	COMMAND_MODELS,
	generatedCallback,
	type QueryPart,
	queryParts,
	queryString,
} from "./arbitraries";
import { expectConsistentTables, fetchChecked, isEnvelope, rowsForCase } from "./support";

/** A positive whole number from the test env, or `fallback`. */
function positiveIntVar(value: string | undefined, fallback: number): number {
	const parsed = Number(value);
	return Number.isSafeInteger(parsed) && parsed > 0 ? parsed : fallback;
}

/** Seeds and sizes come from the test env (vitest.config.ts), so the sweep can change them. */
const firstSeed = positiveIntVar(env.FUZZ_SEED, 20_261_117);
const seeds = positiveIntVar(env.FUZZ_SEEDS, 1);
const numRuns = positiveIntVar(env.FUZZ_RUNS, 40);
const cases = { bodies: 0, queries: 0, redeliveries: 0 };
/** Generous: the sweep runs many seeds in one test; a hang still fails. */
const timeout = 60_000 * seeds * Math.max(1, numRuns / 40);

/** Runs `property` once per seed of the sweep (one seed in `npm test`). */
async function forEachSeed<T>(
	arbitrary: fc.Arbitrary<T>,
	predicate: (value: T) => Promise<void>,
	runs = numRuns,
): Promise<void> {
	for (let seed = firstSeed; seed < firstSeed + seeds; seed++) {
		try {
			await fc.assert(fc.asyncProperty(arbitrary, predicate), { seed, numRuns: runs, endOnFailure: false });
		} catch (error) {
			// fast-check's report has the seed and path too; this line says how to replay the whole run.
			throw new Error(`fuzz failed with seed ${seed} (replay: FUZZ_SEED=${seed}): ${String(error)}`, {
				cause: error,
			});
		}
	}
}

/** A fresh numeric SdkAppid (like Tencent's) for one case. */
function caseAppId(): string {
	return `9${crypto.getRandomValues(new Uint32Array(2)).join("").padEnd(15, "0").slice(0, 15)}`;
}

/** `events` and `quarantine` rows of one SdkAppid. */
async function countsForApp(appId: string): Promise<{ events: number; quarantine: number }> {
	const row = await env.DB.prepare(
		"SELECT (SELECT count(*) FROM events WHERE sdk_app_id = ?1) AS events, (SELECT count(*) FROM quarantine WHERE sdk_app_id = ?1) AS quarantine",
	)
		.bind(appId)
		.first<{ events: number; quarantine: number }>();
	return { events: row?.events ?? -1, quarantine: row?.quarantine ?? -1 };
}

/** Rows an accepted after-event adds: one per distinct topic it names, or one group-level row. */
function expectedRows(body: Record<string, unknown>): number {
	if (Array.isArray(body.TopicIdList)) return new Set(body.TopicIdList).size;
	return 1;
}

describe("POST / with generated bodies", () => {
	for (const model of COMMAND_MODELS) {
		it(
			`${model.command}: never a 5xx, always the envelope, stored iff valid`,
			async () => {
				// The marker and the redelivery choice come from the seeded generator, so a failing case replays.
				const arbitrary = fc.tuple(generatedCallback(model), fc.uuid(), fc.boolean());
				await forEachSeed(arbitrary, async ([generated, marker, redeliver]) => {
					cases.bodies += 1;
					const text = bodyText(generated, marker);
					// Each case speaks for an SdkAppid of its own, so its events and quarantine rows are easy to count.
					const appId = caseAppId();
					const caseEnv: Env = { ...env, SDKAPPID: `${SDK_APP_ID},${appId}` };
					const send = () =>
						fetchChecked(
							new Request(callbackUrl(model.command, { SdkAppid: appId }), {
								method: "POST",
								body: text,
								headers: { "content-type": "application/json" },
							}),
							caseEnv,
						);
					const answer = await send();
					expect(isEnvelope(answer.json), JSON.stringify(answer.json)).toBe(true);
					const mismatched =
						typeof generated.body === "object" &&
						generated.body !== null &&
						!Array.isArray(generated.body) &&
						"CallbackCommand" in generated.body &&
						generated.body.CallbackCommand !== model.command;

					if (model.kind === "before") {
						// Tencent counts any non-200 as a failed callback: bad input still gets the policy's 200.
						expect(answer.status, generated.why).toBe(200);
						expect(answer.json.ActionStatus).toBe("OK");
					} else if (mismatched) {
						expect(answer.status).toBe(400);
					} else if (generated.valid) {
						expect(answer, generated.why).toEqual({
							status: 200,
							json: { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" },
						});
					} else if (new TextEncoder().encode(text).byteLength > 1_048_576) {
						expect(answer.status, generated.why).toBe(413);
					} else {
						expect(answer.status, `${generated.why}: ${JSON.stringify(answer.json).slice(0, 300)}`).toBe(400);
						expect(answer.json.ActionStatus).toBe("FAIL");
						expect(String(answer.json.ErrorInfo).length).toBeGreaterThan(0);
					}

					const shouldStore = model.kind === "after" && generated.valid && !mismatched;
					const rows = shouldStore ? expectedRows(generated.body as Record<string, unknown>) : 0;
					const counts = await countsForApp(appId);
					// Authenticated, read and refused: kept in quarantine (before-callbacks too, after the answer).
					const quarantined = !generated.valid || mismatched ? (answer.status === 413 ? 0 : 1) : 0;
					expect(counts, generated.why).toEqual({ events: rows, quarantine: quarantined });

					if (shouldStore && redeliver) {
						// A redelivery of the same body is answered the same way and adds nothing.
						cases.redeliveries += 1;
						expect((await send()).status).toBe(200);
						expect(await countsForApp(appId)).toEqual({ events: rows, quarantine: 0 });
					}
				});
				await expectConsistentTables();
			},
			timeout,
		);
	}
});

/** What the Worker must decide about a query string: the oracle, written from Tencent's callback documentation, not from src/. */
async function expectedAuth(
	params: URLSearchParams,
	token: string | undefined,
	nowSeconds: number,
): Promise<boolean> {
	const only = (name: string) =>
		params.getAll(name).length === 1 ? (params.get(name) as string) : undefined;
	if (only("SdkAppid") !== SDK_APP_ID) return false;
	if (!token) return true;
	const time = only("RequestTime");
	const sign = only("Sign");
	if (time === undefined || sign === undefined || !/^[0-9]+$/.test(time) || time.length > 12) return false;
	if (Math.abs(Number(time) - nowSeconds) > 60) return false;
	return sign.toLowerCase() === (await tencentSign(token, time));
}

/**
 * The status a callback whose body is `bodyCommand`'s sample gets, from the query string alone: 401
 * unauthenticated; 400 without exactly one non-empty CallbackCommand; 200 for an unhandled command (ignored),
 * for the body's own command (stored) and for a before-command (Tencent-shaped fail mode even when the body
 * names another command); 400 for another after-command (the body names a different one).
 */
function expectedStatus(allowed: boolean, commands: readonly string[], bodyCommand: string): number {
	if (!allowed) return 401;
	const [command] = commands;
	if (commands.length !== 1 || !command) return 400;
	const model = COMMAND_MODELS.find((known) => known.command === command);
	if (model === undefined || command === bodyCommand || model.kind === "before") return 200;
	return 400;
}

describe("POST / with generated query strings", () => {
	const token = "fuzz-token";
	const withSign = fc
		.tuple(queryParts, fc.boolean(), fc.integer({ min: -90, max: 90 }), fc.boolean())
		.chain(([parts, addSign, offset, upper]) => fc.constant({ parts, addSign, offset, upper }));

	for (const signed of [false, true]) {
		it(
			`${signed ? "with" : "without"} CALLBACK_TOKEN: 401 unless SdkAppid${signed ? " and Sign" : ""} are right, stored only then`,
			async () => {
				await forEachSeed(
					withSign,
					async ({ parts, addSign, offset, upper }) => {
						cases.queries += 1;
						const nowSeconds = Math.floor(Date.now() / 1000);
						const all: QueryPart[] = [...parts];
						if (addSign) {
							const time = String(nowSeconds + offset);
							const sign = await tencentSign(token, time);
							all.push(["RequestTime", time, true], ["Sign", upper ? sign.toUpperCase() : sign, true]);
						}
						// Half the cases carry the right SdkAppid and command, so the later checks are reached.
						if (offset % 2 === 0)
							all.unshift(
								["SdkAppid", SDK_APP_ID, true],
								["CallbackCommand", "Group.CallbackAfterCreateGroup", true],
							);
						let request: Request;
						try {
							request = new Request(`https://webhooks.example.com/?${queryString(all)}`, {
								method: "POST",
								body: "",
							});
						} catch {
							return; // Not a URL at all: nothing reaches the Worker.
						}
						const marker = crypto.randomUUID();
						const body = JSON.stringify({
							...samples.afterCreateGroup(`@TGS#q${marker}`),
							BatteryCase: marker,
						});
						request = new Request(request.url, { method: "POST", body });
						const params = new URL(request.url).searchParams;
						const envWithToken: Env = signed ? { ...env, CALLBACK_TOKEN: token } : env;
						// Within a second of the boundary the oracle and the Worker may read different clocks.
						if (signed && addSign && Math.abs(Math.abs(offset) - 60) <= 1) return;
						const allowed = await expectedAuth(params, signed ? token : undefined, nowSeconds);
						const answer = await fetchChecked(request, envWithToken);
						expect(isEnvelope(answer.json)).toBe(true);
						if (!allowed) expect(answer.status, JSON.stringify(answer.json)).toBe(401);
						else expect(answer.status).not.toBe(401);
						const commands = params.getAll("CallbackCommand");
						const stores =
							allowed && commands.length === 1 && commands[0] === "Group.CallbackAfterCreateGroup";
						expect(answer.status, JSON.stringify(answer.json)).toBe(
							expectedStatus(allowed, commands, "Group.CallbackAfterCreateGroup"),
						);
						expect(await rowsForCase(marker)).toBe(stores ? 1 : 0);
					},
					numRuns * 2,
				);
			},
			timeout * 2,
		);
	}

	it(
		"any method and path: JSON, never a 5xx",
		async () => {
			await forEachSeed(
				fc.tuple(
					fc.constantFrom("GET", "PUT", "DELETE", "PATCH", "OPTIONS", "POST", "HEAD"),
					fc.oneof(
						fc.constantFrom(
							"/",
							"//",
							"/healthz",
							"/api",
							"/api/",
							"/api/policy/check",
							"/%2e%2e/",
							"/index.html",
						),
						fc.webPath(),
					),
					queryParts,
				),
				async ([method, path, parts]) => {
					cases.queries += 1;
					let request: Request;
					try {
						request = new Request(
							`https://webhooks.example.com${path.startsWith("/") ? path : `/${path}`}?${queryString(parts)}`,
							{ method },
						);
					} catch {
						return;
					}
					const answer = await fetchChecked(request, {
						...env,
						CALLBACK_TOKEN: "t",
						ADMIN_TOKEN: "admin-token-for-fuzzing-0123456789",
					});
					if (method !== "HEAD") expect(answer.json).toBeTypeOf("object");
				},
			);
		},
		timeout,
	);
});

afterAll(() => {
	console.log(JSON.stringify({ event: "battery.fuzz", seeds, firstSeed, numRuns, ...cases }));
});

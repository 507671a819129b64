// Query parameters and JSON bodies of the API, checked with valibot: an unknown, repeated or malformed parameter is a
// 400 that names it, never a 5xx and never silently ignored.
import * as v from "valibot";
import { readConfig } from "../config";
import type { ApiProblem } from "../http/api-error";
import { ok, type Result, refused } from "../result";

/** A parameter's schema: it receives the raw string, or undefined when the parameter is absent. */
type ParamSchema = v.GenericSchema<string | undefined, unknown>;

/** The parsed parameters, or the 400 problem naming the bad one (answer it with `apiError`). */
export type QueryResult<T> = Result<T, ApiProblem>;

/** The 400 problem of one parameter: `field` names it, and so does the message. */
export function badParameter(parameter: string, message: string): ApiProblem {
	return { status: 400, message: `${parameter}: ${message}`, field: parameter };
}

function wholeNumberIn(min: number, max: number) {
	const message = `must be a whole number from ${min} to ${max}`;
	return v.pipe(
		v.string(),
		v.regex(/^\d{1,16}$/, message),
		v.transform(Number),
		v.minValue(min, message),
		v.maxValue(max, message),
	);
}

/**
 * A whole-number parameter in `[min, max]`, `fallback` when absent.
 *
 * @example
 * readQuery(url, { limit: wholeNumber(1, 1000, 100) }) // ?limit=50 → { limit: 50 }; no limit → { limit: 100 }
 */
export function wholeNumber(min: number, max: number, fallback: number) {
	return v.optional(wholeNumberIn(min, max), String(fallback));
}

/** A whole-number parameter in `[min, max]`; absent means no filter. */
export function optionalWholeNumber(min: number, max: number) {
	return v.optional(wholeNumberIn(min, max));
}

/** `true` or `false`, absent means no filter. */
export const flag = v.optional(
	v.pipe(
		v.picklist(["true", "false"], "must be true or false"),
		v.transform((value) => value === "true"),
	),
);

/** A non-empty text of at most `max` characters, absent means no filter. */
export function text(max = 1024) {
	return v.optional(
		v.pipe(
			v.string(),
			v.minLength(1, "must not be empty"),
			v.maxLength(max, `must be at most ${max} characters`),
		),
	);
}

/** The `app` parameter (or body field): an SdkAppid; absent means every app, or the default one. */
export const appParam = v.optional(
	v.pipe(v.string(), v.regex(/^[0-9]{1,20}$/, "must be an SdkAppid (digits)")),
);

/** `app` when it is one of this Worker's SdkAppids (`SDKAPPID`) or absent; else the 400 naming it. */
export function configuredApp(env: Env, app: string | undefined): QueryResult<string | undefined> {
	if (app === undefined) return ok(undefined);
	const apps = readConfig(env).sdkAppIds;
	return apps.includes(app)
		? ok(app)
		: refused(badParameter("app", `is not one of this Worker's SdkAppids (${apps.join(", ") || "none"})`));
}

/** Reads the URL's query parameters against `shape`; every other parameter is refused. */
export function readQuery<S extends Record<string, ParamSchema>>(
	url: URL,
	shape: S,
): QueryResult<v.InferOutput<v.ObjectSchema<S, undefined>>> {
	const raw: Record<string, string> = {};
	for (const [name, value] of url.searchParams) {
		if (!Object.hasOwn(shape, name)) {
			const known = Object.keys(shape).join(", ") || "none";
			return refused(badParameter(name, `unknown parameter (known: ${known})`));
		}
		if (Object.hasOwn(raw, name)) return refused(badParameter(name, "is repeated"));
		raw[name] = value;
	}
	const parsed = v.safeParse(v.object(shape), raw);
	if (parsed.success) return ok(parsed.output);
	const issue = parsed.issues[0];
	const parameter = String(issue.path?.[0]?.key ?? "query");
	return refused(badParameter(parameter, issue.message));
}

/** A path segment as the client meant it (`%40TGS%23…` → `@TGS#…`), or the 400 answer naming it. */
export function pathSegment(parameter: string, raw: string | undefined): QueryResult<string> {
	let decoded: string;
	try {
		decoded = decodeURIComponent(raw ?? "");
	} catch {
		return refused(badParameter(parameter, "is not valid percent-encoding"));
	}
	if (decoded.length === 0) return refused(badParameter(parameter, "must not be empty"));
	if (decoded.length > 1024) return refused(badParameter(parameter, "is longer than 1024 characters"));
	return ok(decoded);
}

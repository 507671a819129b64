// Every 200 answer of an /api route in the workerd suite, checked against the response schema the route
// declares (src/api/index.ts, the source of the OpenAPI document): it must pass the schema and hold no field
// the schema does not name. `fetchWith` runs it on every call, so each existing API test checks the answers
// it gets; a route that grows a field, or a schema that loses one, fails the test that saw it.
import type * as v from "valibot";
import { safeParse } from "valibot";
import { API_ROUTES, type ApiRoute } from "../../src/api";

type Schema = v.GenericSchema & {
	entries?: Record<string, Schema>;
	wrapped?: Schema;
	item?: Schema;
	options?: Schema[];
};

/** Paths of the fields in `value` that `schema` does not name (objects are walked, records are open). */
export function undocumented(schema: Schema, value: unknown, at = "$"): string[] {
	if (value === null || value === undefined) return [];
	switch (schema.type) {
		case "nullable":
		case "optional":
			return undocumented(schema.wrapped as Schema, value, at);
		case "array":
			return (value as unknown[]).flatMap((item, i) =>
				undocumented(schema.item as Schema, item, `${at}[${i}]`),
			);
		case "variant":
		case "union": {
			const fitting = (schema.options ?? []).find((option) => safeParse(option, value).success);
			return fitting ? undocumented(fitting, value, at) : [at];
		}
		case "object":
			return Object.entries(value as Record<string, unknown>).flatMap(([key, field]) => {
				const entry = schema.entries?.[key];
				return entry ? undocumented(entry, field, `${at}.${key}`) : [`${at}.${key}`];
			});
		default:
			return [];
	}
}

/** The route that answers `method` on `pathname`, matching `{name}` to one path segment. */
export function routeOf(method: string, pathname: string): ApiRoute | undefined {
	const wanted = method.toLowerCase();
	return API_ROUTES.find(
		(route) =>
			route.method === wanted &&
			new RegExp(`^${route.path.replace(/\{\w+\}/g, "[^/]+").replaceAll(".", "\\.")}$`).test(pathname),
	);
}

/**
 * Why `json`, the 200 answer of `method` on `pathname`, does not match its route's documented schema: the
 * schema's issues and the undocumented fields; [] when it matches or the route documents no JSON schema.
 */
export function documentationProblems(method: string, pathname: string, json: unknown): string[] {
	const schema = routeOf(method, pathname)?.responses[200]?.schema as Schema | undefined;
	if (schema === undefined) return [];
	const parsed = safeParse(schema, json);
	return [
		...(parsed.issues ?? []).map(
			(issue) => `${issue.message} at ${JSON.stringify(issue.path?.map((p) => p.key))}`,
		),
		...undocumented(schema, json).map((path) => `${path} is not in the documented schema`),
	];
}

/** Throws when `response` (to `request`) is a 200 /api answer that does not match its documented schema. */
export async function expectAsDocumented(request: Request, response: Response): Promise<void> {
	const { pathname } = new URL(request.url);
	if (!pathname.startsWith("/api/") || response.status !== 200 || request.method === "HEAD") return;
	if (!(response.headers.get("content-type") ?? "").startsWith("application/json")) return;
	const json = await response.clone().json();
	const problems = documentationProblems(request.method, pathname, json);
	if (problems.length > 0)
		throw new Error(
			`${request.method} ${pathname} answered outside its documented schema: ${problems.join("; ")}\n${JSON.stringify(json).slice(0, 2000)}`,
		);
}

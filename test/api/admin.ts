// Calls the read API the way an operator's script does: GET with `Authorization: Bearer <ADMIN_TOKEN>`.
import { fetchWith } from "../support/tencent";

export const ADMIN_TOKEN = "admin-token-for-tests-0123456789abcdef";

/** GET `path` (already percent-encoded) with the admin token, against the real local D1. */
export function apiGet<T = Record<string, unknown>>(
	path: string,
	options: { token?: string | null; env?: Partial<Env> } = {},
): Promise<{ status: number; json: T; headers: Headers }> {
	return apiCall<T>("GET", path, options);
}

/** `method` on `path` (already percent-encoded) with the admin token, against the real local D1. */
export async function apiCall<T = Record<string, unknown>>(
	method: string,
	path: string,
	options: { token?: string | null; env?: Partial<Env> } = {},
): Promise<{ status: number; json: T; headers: Headers }> {
	const token = options.token === undefined ? ADMIN_TOKEN : options.token;
	const headers: HeadersInit = token === null ? {} : { authorization: `Bearer ${token}` };
	const request = new Request(`https://webhooks.example.com${path}`, { method, headers });
	const response = await fetchWith(request, {
		ADMIN_TOKEN,
		...options.env,
	});
	return { status: response.status, json: await response.json<T>(), headers: response.headers };
}

/** POST `body` as JSON to `path` with the admin token, against the real local D1. */
export async function apiPost<T = Record<string, unknown>>(
	path: string,
	body: unknown,
): Promise<{ status: number; json: T }> {
	const request = new Request(`https://webhooks.example.com${path}`, {
		method: "POST",
		headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
		body: JSON.stringify(body),
	});
	const response = await fetchWith(request, { ADMIN_TOKEN });
	return { status: response.status, json: await response.json<T>() };
}

/** Tencent-shaped IDs for one test: a community and its topics. */
export function community(): { groupId: string; topic: (name: string) => string } {
	const groupId = `@TGS#_@TGS#${crypto.randomUUID().slice(0, 8)}`;
	return { groupId, topic: (name: string) => `${groupId}@TOPIC#_${name}` };
}

/** GET /healthz with the admin token: the details, with `overrides` on the env. */
export async function healthDetails<T = Record<string, unknown>>(
	overrides: Partial<Env> = {},
): Promise<{ status: number; json: T }> {
	const request = new Request("https://webhooks.example.com/healthz", {
		headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
	});
	const response = await fetchWith(request, { ADMIN_TOKEN, ...overrides });
	return { status: response.status, json: await response.json<T>() };
}

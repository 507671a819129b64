// Refusals must reach the client over a real socket: a body the Worker will not read (too large, or sent
// without valid credentials) still gets its status line and JSON answer, not a connection reset.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callbackQuery } from "../../tools/lib/tencent-callback.mjs";
import { type RunningWorker, startWorker } from "./support/worker";

const MiB = 1024 * 1024;
const CALLBACK_TOKEN = "callback-token-for-socket-tests";
const ADMIN_TOKEN = "admin-token-for-socket-tests-0123456789";
let worker: RunningWorker;

beforeAll(async () => {
	worker = await startWorker({ secrets: { CALLBACK_TOKEN, ADMIN_TOKEN } });
});
afterAll(async () => {
	await worker?.stop();
});

const AFTER_INFO_CHANGED = "Group.CallbackAfterGroupInfoChanged";

/** A JSON after-callback body of about `size` bytes. */
function afterEvent(size: number): string {
	return JSON.stringify({ CallbackCommand: AFTER_INFO_CHANGED, GroupId: "g", Padding: "x".repeat(size) });
}

/** The same bytes as a stream, so fetch sends them chunked (no content-length). */
function chunked(text: string): ReadableStream<Uint8Array> {
	const bytes = new TextEncoder().encode(text);
	let offset = 0;
	return new ReadableStream({
		pull(controller) {
			if (offset >= bytes.length) return controller.close();
			controller.enqueue(bytes.subarray(offset, offset + 64 * 1024));
			offset += 64 * 1024;
		},
	});
}

function signedQuery(command: string): string {
	return `/?${callbackQuery({ command, sdkAppId: "1400000000", token: CALLBACK_TOKEN })}`;
}

describe("refusals of large bodies reach the client over a real socket", () => {
	for (const size of [5 * MiB, 8 * MiB]) {
		it(`answers an unsigned ${size / MiB} MiB callback 401 with its reason`, async () => {
			const response = await worker.fetch(`/?SdkAppid=1400000000&CallbackCommand=${AFTER_INFO_CHANGED}`, {
				method: "POST",
				body: afterEvent(size),
			});
			expect(response.status).toBe(401);
			expect(await response.json()).toEqual({
				ActionStatus: "FAIL",
				ErrorCode: 401,
				ErrorInfo: "RequestTime is missing",
			});
		});

		it(`answers a signed ${size / MiB} MiB after-callback 413`, async () => {
			const response = await worker.fetch(signedQuery(AFTER_INFO_CHANGED), {
				method: "POST",
				body: afterEvent(size),
			});
			expect(response.status).toBe(413);
			expect(await response.json()).toMatchObject({ ActionStatus: "FAIL", ErrorCode: 413 });
		});

		it(`answers a chunked signed ${size / MiB} MiB after-callback 413`, async () => {
			const response = await worker.fetch(signedQuery(AFTER_INFO_CHANGED), {
				method: "POST",
				body: chunked(afterEvent(size)),
				duplex: "half",
			} as RequestInit);
			expect(response.status).toBe(413);
			expect(await response.json()).toMatchObject({ ActionStatus: "FAIL", ErrorCode: 413 });
		});

		it(`answers an /api request of ${size / MiB} MiB without a token 401`, async () => {
			const response = await worker.fetch("/api/policy/check", { method: "POST", body: afterEvent(size) });
			expect(response.status).toBe(401);
			expect(response.headers.get("www-authenticate")).toBe("Bearer");
		});
	}
});

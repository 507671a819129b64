// The recording stand-in for Tencent's REST API (test/support/fake-tencent.mjs) on its own loopback port, for
// a Worker started by wrangler: TENCENT_API_BASE points at `base`. Tests drive it through `control`.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { FAKE_TENCENT_ORIGIN, fakeTencent } from "../../support/fake-tencent.mjs";

/** A running stand-in: its base URL, its control paths, and how to stop it. */
export interface FakeTencentServer {
	/** `http://127.0.0.1:<port>`, for TENCENT_API_BASE. */
	base: string;
	/** POSTs `body` to the stand-in's control path `path` (e.g. "topics", "calls") and answers its JSON. */
	control<T>(path: string, body: unknown): Promise<T>;
	close(): Promise<void>;
}

/** A call the stand-in recorded. */
export interface RecordedCall {
	at: number;
	command: string;
	body: Record<string, unknown>;
	query: Record<string, string>;
	userSigProblem: string | null;
}

/** Starts the stand-in on 127.0.0.1 and a free port. */
export async function startFakeTencent(): Promise<FakeTencentServer> {
	const server = createServer(async (req, res) => {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const answer = await fakeTencent(
			new Request(`${FAKE_TENCENT_ORIGIN}${req.url}`, { method: req.method, body: Buffer.concat(chunks) }),
		);
		res.writeHead(answer.status, { "content-type": "application/json" });
		res.end(await answer.text());
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const { port } = server.address() as AddressInfo;
	return {
		base: `http://127.0.0.1:${port}`,
		control: async <T>(path: string, body: unknown) => {
			const response = await fakeTencent(
				new Request(`${FAKE_TENCENT_ORIGIN}/__control/${path}`, {
					method: "POST",
					body: JSON.stringify(body),
				}),
			);
			return (await response.json()) as T;
		},
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

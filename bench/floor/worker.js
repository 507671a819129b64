// The floor: the least a Worker can do for a callback (read the body, answer Tencent's OK envelope).
// The benchmark compares the real Worker with this one, booted the same way on the same runtime.
const OK = JSON.stringify({ ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" });

export default {
	async fetch(request) {
		await request.text();
		return new Response(OK, { headers: { "content-type": "application/json; charset=utf-8" } });
	},
};

// The Worker: Tencent Cloud Chat group and topic callbacks in, policy answers and event history out.
import { router } from "./http/router";

export default {
	fetch: (request, env, ctx) => router.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;

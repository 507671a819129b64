// Serves the moderator's console: the static files under src/console/public/admin/ (Workers Static
// Assets), each with strict headers. The page talks to the Worker only through the documented /api routes.

/**
 * The console's Content-Security-Policy: scripts, styles and calls from this origin only (no inline script,
 * no eval), no framing, no plugins, forms and base URLs pinned to this origin.
 */
export const CONSOLE_CSP = [
	"default-src 'none'",
	"script-src 'self'",
	"style-src 'self'",
	"img-src 'self' data:",
	"connect-src 'self'",
	"form-action 'self'",
	"base-uri 'none'",
	"frame-ancestors 'none'",
].join("; ");

/** Headers every console answer carries. */
export const CONSOLE_HEADERS: Record<string, string> = {
	"content-security-policy": CONSOLE_CSP,
	"x-frame-options": "DENY",
	"x-content-type-options": "nosniff",
	"referrer-policy": "no-referrer",
	"cross-origin-opener-policy": "same-origin",
	"cross-origin-resource-policy": "same-origin",
	"permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
	"strict-transport-security": "max-age=31536000",
	"cache-control": "no-cache",
};

/** The file a console path names: `/admin` and `/admin/` are the page, `/admin/x.js` its script. */
function assetPath(pathname: string): string | null {
	if (pathname === "/admin" || pathname === "/admin/") return "/admin/index.html";
	return /^\/admin\/[a-z0-9-]+\.(?:js|css|svg)$/.test(pathname) ? pathname : null;
}

/** GET /admin and its files, with {@link CONSOLE_HEADERS}; 404 for anything else under /admin. */
export async function serveConsole(request: Request, env: Env): Promise<Response> {
	const url = new URL(request.url);
	const path = assetPath(url.pathname);
	const asset = path === null ? null : await env.ASSETS.fetch(new URL(path, url.origin), { method: "GET" });
	const response = asset?.ok
		? new Response(request.method === "HEAD" ? null : asset.body, { status: 200, headers: asset.headers })
		: new Response("not found\n", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
	for (const [name, value] of Object.entries(CONSOLE_HEADERS)) response.headers.set(name, value);
	return response;
}

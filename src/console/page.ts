// Serves the moderator's console: the files under src/console/public/admin/, built into the Worker as strings
// (files.generated.ts), each with strict headers. The page talks to the Worker only through the documented
// /api routes.
import { CONSOLE_FILES } from "./files.generated";

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
function consoleFile(pathname: string) {
	if (pathname === "/admin" || pathname === "/admin/") return CONSOLE_FILES["/admin/index.html"];
	// The page has one address: /admin/index.html itself is not one.
	if (pathname.endsWith(".html") || !Object.hasOwn(CONSOLE_FILES, pathname)) return undefined;
	return CONSOLE_FILES[pathname];
}

/**
 * GET /admin and its files, with {@link CONSOLE_HEADERS} and an ETag (304 when the browser holds the same
 * file); 404 for anything else under /admin. HEAD is GET without the body, done by the route table.
 */
export function serveConsole(request: Request): Response {
	const file = consoleFile(new URL(request.url).pathname);
	const response = !file
		? new Response("not found\n", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } })
		: request.headers.get("if-none-match") === file.etag
			? new Response(null, { status: 304, headers: { etag: file.etag } })
			: new Response(file.body, {
					headers: { "content-type": file.contentType, etag: file.etag },
				});
	for (const [name, value] of Object.entries(CONSOLE_HEADERS)) response.headers.set(name, value);
	return response;
}

// Optional mutual TLS: Tencent Chat can present a client certificate issued by its CA (TencentQQAuthCA).
// Cloudflare's edge verifies it when the zone has mTLS set up with that CA and reports the outcome in
// `request.cf.tlsClientAuth`; this module only reads that verdict, it never sees the certificate itself.
import { ok, type Result, refused } from "../result";

/** The outcome of the client-certificate check. */
export type ClientCertificateResult = Result<null>;

/** Whether `MTLS_REQUIRED` turns the check on (`"true"`, any case); off by default. */
export function mutualTlsRequired(env: Env): boolean {
	return (env.MTLS_REQUIRED ?? "").trim().toLowerCase() === "true";
}

let cachedPattern: { source: string; regex: RegExp | null } | undefined;

/** `MTLS_ISSUER_PATTERN` compiled once per isolate; `null` when it is not a valid regular expression. */
function issuerPattern(source: string): RegExp | null {
	if (cachedPattern?.source !== source) {
		let regex: RegExp | null;
		try {
			regex = new RegExp(source);
		} catch {
			regex = null;
		}
		cachedPattern = { source, regex };
	}
	return cachedPattern.regex;
}

/**
 * With `MTLS_REQUIRED="true"`, requires `request.cf.tlsClientAuth.certVerified === "SUCCESS"` and, when
 * `MTLS_ISSUER_PATTERN` is set, an issuer DN matching that regular expression. An invalid pattern refuses
 * every request: a broken security setting fails closed. Off, every request passes.
 *
 * @example
 * const cert = checkClientCertificate(request, env);
 * if (!cert.ok) return failEnvelope(401, cert.problem);
 */
export function checkClientCertificate(request: Request, env: Env): ClientCertificateResult {
	if (!mutualTlsRequired(env)) return ok(null);
	const cf = request.cf as { tlsClientAuth?: { certVerified?: unknown; certIssuerDN?: unknown } } | undefined;
	const clientAuth = cf?.tlsClientAuth;
	if (!clientAuth || clientAuth.certVerified === "NONE" || clientAuth.certVerified === undefined)
		return refused("a client certificate is required");
	if (clientAuth.certVerified !== "SUCCESS") return refused("the client certificate did not verify");
	const source = env.MTLS_ISSUER_PATTERN ?? "";
	if (source === "") return ok(null);
	const pattern = issuerPattern(source);
	if (!pattern) return refused("MTLS_ISSUER_PATTERN is not a valid regular expression");
	const issuer = typeof clientAuth.certIssuerDN === "string" ? clientAuth.certIssuerDN : "";
	return pattern.test(issuer) ? ok(null) : refused("the client certificate's issuer is not the expected CA");
}

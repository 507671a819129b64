// Optional mutual TLS: Tencent Chat can present a client certificate issued by its CA (TencentQQAuthCA).
// Cloudflare's edge verifies it when the zone has mTLS set up with that CA and reports the outcome in
// `request.cf.tlsClientAuth`; this module only reads that verdict, it never sees the certificate itself.
import type { Config } from "../config";
import { ok, type Result, refused } from "../result";

/** The outcome of the client-certificate check. */
export type ClientCertificateResult = Result<null>;

/**
 * With `MTLS_REQUIRED="true"`, requires `request.cf.tlsClientAuth.certVerified === "SUCCESS"` and, when
 * `MTLS_ISSUER_PATTERN` is set, an issuer DN matching that regular expression. Off, every request passes.
 * (An invalid pattern is a configuration problem: callbacks are then refused before this runs.)
 *
 * @example
 * const cert = checkClientCertificate(request, readConfig(env));
 * if (!cert.ok) return failEnvelope(401, cert.problem);
 */
export function checkClientCertificate(request: Request, config: Config): ClientCertificateResult {
	if (!config.mutualTls.required) return ok(null);
	const cf = request.cf as { tlsClientAuth?: { certVerified?: unknown; certIssuerDN?: unknown } } | undefined;
	const clientAuth = cf?.tlsClientAuth;
	if (!clientAuth || clientAuth.certVerified === "NONE" || clientAuth.certVerified === undefined)
		return refused("a client certificate is required");
	if (clientAuth.certVerified !== "SUCCESS") return refused("the client certificate did not verify");
	const pattern = config.mutualTls.issuerPattern;
	if (pattern === null) return ok(null);
	const issuer = typeof clientAuth.certIssuerDN === "string" ? clientAuth.certIssuerDN : "";
	return pattern.test(issuer) ? ok(null) : refused("the client certificate's issuer is not the expected CA");
}

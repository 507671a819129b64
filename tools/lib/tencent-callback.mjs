// What a Tencent Chat callback looks like on the wire, for Node scripts: the query string Chat appends to
// the callback URL, signed the way Chat signs it (PROTOCOL: Sign = hex sha256(token + RequestTime)).
import { createHash } from "node:crypto";

/** `Sign` for `requestTime` (Unix seconds, as text): lowercase hex SHA-256 of token + RequestTime. */
export function callbackSign(token, requestTime) {
	return createHash("sha256").update(`${token}${requestTime}`).digest("hex");
}

/**
 * The query string Chat appends to the callback URL for `command`; with a `token`, `RequestTime` (now, or
 * `requestTime`) and its `Sign` too.
 * @example callbackQuery({ command: "Group.CallbackBeforeCreateTopic", sdkAppId: "1400000000", token: "t" })
 */
export function callbackQuery({ command, sdkAppId, token, requestTime, clientIp = "127.0.0.1" }) {
	const params = new URLSearchParams({
		SdkAppid: sdkAppId,
		CallbackCommand: command,
		contenttype: "json",
		ClientIP: clientIp,
		OptPlatform: "RESTAPI",
	});
	if (token) {
		const time = String(requestTime ?? Math.floor(Date.now() / 1000));
		params.set("RequestTime", time);
		params.set("Sign", callbackSign(token, time));
	}
	return params;
}

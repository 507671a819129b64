// Types of tencent-callback.mjs, for the Node-side tests that sign callbacks as Chat does.
/** `Sign` for `requestTime` (Unix seconds, as text): lowercase hex SHA-256 of token + RequestTime. */
export declare function callbackSign(token: string, requestTime: string): string;
/** The query string Chat appends to the callback URL for `command`; signed when a `token` is given. */
export declare function callbackQuery(options: {
	command: string;
	sdkAppId: string;
	token?: string;
	requestTime?: number | string;
	clientIp?: string;
}): URLSearchParams;

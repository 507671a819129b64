// Types of the recording stand-in for Tencent's REST API (fake-tencent.mjs), for the Node-side tests.
export declare const FAKE_TENCENT_ORIGIN: string;
export declare const FAKE_SECRET_KEY: string;
export declare const FAKE_ADMIN_IDENTIFIER: string;
/** Null when the UserSig is what tls-sig-api-v2 issues for the same time; otherwise why not. */
export declare function userSigProblem(userSig: string, sdkAppId: string, identifier: string): string | null;
/** Answers one request as Tencent's REST API (or a control path) would, and records it. */
export declare function fakeTencent(request: Request): Promise<Response>;

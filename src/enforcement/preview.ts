// A backtest's preview token: what an apply of the same page would do, bound to the live policy's hash, to
// the counts of its actions and to the very topics and names it showed, signed with the admin token so that only this Worker issues one. Apply
// takes nothing else, so every sweep that renames or destroys topics follows a preview a person has seen.
import { base64UrlDecode, base64UrlEncode, hmacSha256, timingSafeEqualStrings } from "../crypto";
import { ok, type Result, refused } from "../result";

/** How long a preview may be applied: after this, run the backtest again. */
export const PREVIEW_TTL_MS = 10 * 60 * 1000;

/** Actions an apply would record, by kind. */
export type ActionCounts = Record<"revert" | "rename" | "destroy" | "log" | "clear", number>;

/** What a preview token stands for. */
export interface Preview {
	/** SHA-256 of the live policy's text when the preview was made. */
	policyHash: string;
	/** The page: `after` and `limit` as the backtest read them. */
	after: string;
	limit: number;
	counts: ActionCounts;
	/** SHA-256 of the refused topics' IDs, names and texts: the very topics the preview showed. */
	hits: string;
	issuedAt: number;
}

/** Why a token cannot be applied: `invalid` is a 400 (not ours, malformed), `stale` a 409. */
export interface PreviewProblem {
	kind: "invalid" | "stale";
	message: string;
}

const signed = (secret: string, payload: string) =>
	hmacSha256(secret, `backtest-preview\n${payload}`).then((mac) => base64UrlEncode(mac));

/** Issues the token of a preview. */
export async function issuePreview(secret: string, preview: Preview): Promise<string> {
	const payload = base64UrlEncode(JSON.stringify(preview));
	return `${payload}.${await signed(secret, payload)}`;
}

/**
 * Checks a token against what an apply finds now: signed by this Worker, for the same page, younger than
 * {@link PREVIEW_TTL_MS}, made with the policy now live and with the same counts of actions.
 */
export async function checkPreview(
	secret: string,
	token: string,
	now: Omit<Preview, "issuedAt">,
	nowMs: number,
): Promise<Result<Preview, PreviewProblem>> {
	const [payload = "", mac = "", ...rest] = token.split(".");
	const bytes = base64UrlDecode(payload);
	if (
		rest.length > 0 ||
		bytes === null ||
		!(await timingSafeEqualStrings(mac, await signed(secret, payload)))
	)
		return refused({
			kind: "invalid",
			message: "is not a preview token this Worker issued: run the backtest first",
		});
	const preview = JSON.parse(new TextDecoder().decode(bytes)) as Preview;
	if (preview.after !== now.after || preview.limit !== now.limit)
		return refused({
			kind: "invalid",
			message: "was issued for another page: send the same after and limit",
		});
	if (nowMs - preview.issuedAt > PREVIEW_TTL_MS)
		return refused({ kind: "stale", message: "is older than 10 minutes: run the backtest again" });
	if (preview.policyHash !== now.policyHash)
		return refused({
			kind: "stale",
			message: "was issued for another policy: the live policy changed since",
		});
	if (JSON.stringify(preview.counts) !== JSON.stringify(now.counts))
		return refused({
			kind: "stale",
			message: `counted ${JSON.stringify(preview.counts)}, and the same page now gives ${JSON.stringify(now.counts)}: run the backtest again`,
		});
	if (preview.hits !== now.hits)
		return refused({
			kind: "stale",
			message: "the page's refused topics or their names changed since the preview: run the backtest again",
		});
	return ok(preview);
}

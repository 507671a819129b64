// The one result shape of the Worker, for every function that can refuse instead of throwing.

/**
 * `{ ok: true, value }` when the work succeeded, `{ ok: false, problem }` when it did not. Callers branch on
 * `ok`; `problem` says why (a sentence, or a structured problem such as a `PolicyProblem` or an `ApiProblem`)
 * and is meant to be shown or logged as it is. Expected refusals (bad input, a wrong token) come back as a
 * `Result`; only the unexpected throws.
 *
 * @example
 * const auth = await authenticateCallback(params, config, Date.now());
 * if (!auth.ok) return failEnvelope(401, auth.problem);
 * auth.value; // the SDKAppID
 */
export type Result<T, P = string> = { ok: true; value: T } | { ok: false; problem: P };

/** A success carrying `value`. */
export function ok<T>(value: T): { ok: true; value: T } {
	return { ok: true, value };
}

/** A refusal carrying `problem`. */
export function refused<P>(problem: P): { ok: false; problem: P } {
	return { ok: false, problem };
}

// JSON text checked before it is parsed: one scan, no recursion, whoever wrote it. Below every layer that
// reads JSON (callbacks, /api bodies, the policy document).

/**
 * Whether JSON `text` nests arrays and objects more than `limit` levels deep. Scans the text once without
 * parsing it (brackets inside strings do not count), so a hostile body costs no recursion.
 *
 * @example
 * jsonDepthExceeds('{"a":[[1]]}', 2); // true
 */
export function jsonDepthExceeds(text: string, limit: number): boolean {
	let depth = 0;
	let inString = false;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (inString) {
			if (c === 0x5c)
				i++; // backslash: skip the escaped character
			else if (c === 0x22) inString = false;
		} else if (c === 0x22) inString = true;
		else if (c === 0x5b || c === 0x7b) {
			if (++depth > limit) return true;
		} else if (c === 0x5d || c === 0x7d) depth--;
	}
	return false;
}

// Turns valibot issues into one message that names every offending field.
import * as v from "valibot";

/**
 * `"GroupId: Invalid type: Expected string but received 7; TopicIdList.0: must not be empty"`.
 * At most `limit` issues are listed, so a hostile body cannot produce a huge answer.
 */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[], limit = 10): string {
	const parts = issues.slice(0, limit).map((issue) => `${v.getDotPath(issue) ?? "body"}: ${issue.message}`);
	if (issues.length > limit) parts.push(`and ${issues.length - limit} more`);
	return parts.join("; ");
}

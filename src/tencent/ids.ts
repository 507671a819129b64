// Tencent Chat's IDs: a topic ID is its community's group ID followed by `@TOPIC#_…`.

/**
 * The community of a topic ID in Tencent's form, or null for any other ID.
 * @example communityOfTopicId("@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic") // "@TGS#_@TGS#cQVLVHIM62CJ"
 */
export function communityOfTopicId(id: string): string | null {
	const at = id.indexOf("@TOPIC#");
	return at > 0 ? id.slice(0, at) : null;
}

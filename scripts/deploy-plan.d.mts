// Types of the deploy planner, for its tests (the planner itself is plain JavaScript run by Node).
export interface Secret {
	name: string;
	needed: boolean;
	why: string;
}
export interface Target {
	env: string | null;
	worker: string;
	kv: { binding: string; id: string | null; title: string }[];
	d1: { binding: string; name: string; id: string | null; migrationsTable: string }[];
	r2: { binding: string; name: string }[];
	queues: string[];
	sdkAppIds: string[];
}
export interface Account {
	kvNamespaces: { id: string; title: string }[];
	d1Databases: { uuid: string; name: string }[];
	r2Buckets: string[];
	queues: string[];
	appliedMigrations: Record<string, string[]>;
	policyPresent: Record<string, boolean>;
	secrets: string[] | null;
}
export interface IdEntry {
	section: "kv_namespaces" | "d1_databases";
	binding: string;
	field: "id" | "database_id";
	id: string | null;
	of: string;
}
export interface Step {
	kind: "create" | "write-ids" | "migrate" | "policy" | "deploy";
	what: string;
	command: string[] | null;
	ids?: IdEntry[];
}
export interface Plan {
	steps: Step[];
	problems: string[];
	missingSecrets: Secret[];
}
export const SECRETS: Secret[];
export function isPlaceholderId(id: unknown): boolean;
export function kvTitle(workerName: string, binding: string): string;
// biome-ignore lint/suspicious/noExplicitAny: wrangler's resolved configuration object.
export function targetOf(config: any, env: string | undefined): Target;
export function resolveResources(
	target: Target,
	account: Account,
): {
	kv: (Target["kv"][number] & { configured: string | null; exists: boolean })[];
	d1: (Target["d1"][number] & { configured: string | null; exists: boolean })[];
	problems: string[];
};
export function planDeploy(
	target: Target,
	account: Account,
	options: { migrations: string[]; policyFile?: string },
): Plan;
export function missingSecrets(target: Target, secrets: string[] | null): Secret[];
export function callbackUrl(targets: string[], workerName: string): string;
export function formatPlan(target: Target, plan: Plan): string[];
export function formatSecrets(target: Target, missing: Secret[]): string[];
export function withIds(
	toml: string,
	env: string | null | undefined,
	ids: { section: string; binding: string; field: string; id: string }[],
): string;
export function parseR2BucketList(text: string): string[];
export function parseQueuesTable(text: string): string[];

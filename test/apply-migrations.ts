// Applies migrations/ to the test's local D1 before any test runs (idempotent across files).
import { applyD1Migrations, env } from "cloudflare:test";

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);

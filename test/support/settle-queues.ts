// Every after-callback a test sends also queues a re-check on the real local enforcement queue, whose
// consumer (this Worker, in the background) may still be running, and logging, when a file's last test
// ends. Waiting out the queue's batch timeout (1 s) and the consumer's work lets it finish before the
// file's environment is torn down.
import { afterAll } from "vitest";

afterAll(() => new Promise((resolve) => setTimeout(resolve, 2_500)));

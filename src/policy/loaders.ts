// The policies of one isolate, one loader per KV key: the shared `policy` and each app's own
// `policy:<SdkAppid>` (src/policy/loader.ts is one key's loader).
import { readConfig, soleApp } from "../config";
import type { Defer } from "../deadline";
import { isolateSlot, isolateState } from "../isolate";
import { type Clock, type LoadedPolicy, PolicyLoader, type PolicyState, systemClock } from "./loader";

/**
 * The policies of one isolate, per app: the shared key's loader and one loader per app that was asked
 * for. An app's policy is its own key's while that key holds a value (valid, or broken: then its last
 * known good copy or the fail mode decides, never another app's rules), else the shared policy. Every
 * method takes the app; left out, it is the only configured SdkAppid, or the shared policy when several
 * are configured. One app with no key of its own therefore decides exactly as before apps had keys.
 */
export class PolicyLoaders {
	private readonly state: { clock: Clock; shared: PolicyLoader; byApp: Map<string, PolicyLoader> };

	constructor(clock: Clock = systemClock) {
		this.state = { clock, shared: new PolicyLoader(clock), byApp: new Map() };
	}

	/** The app meant by `app`: itself, or (undefined) the only configured one; null is the shared policy. */
	private appOf(env: Env, app: string | null | undefined): string | null {
		return app === undefined ? soleApp(readConfig(env)) : app;
	}

	/** The loader of an app's own key (made on first use), or the shared key's loader for null. */
	loaderOf(app: string | null): PolicyLoader {
		if (app === null) return this.state.shared;
		let loader = this.state.byApp.get(app);
		if (loader === undefined) {
			loader = new PolicyLoader(this.state.clock, app);
			this.state.byApp.set(app, loader);
		}
		return loader;
	}

	/** The policy to decide the app's callbacks with now (see {@link PolicyLoader.current}). */
	async current(env: Env, defer: Defer, app?: string | null): Promise<PolicyState> {
		const key = this.appOf(env, app);
		if (key === null) return this.state.shared.current(env, defer);
		const own = this.loaderOf(key);
		// At a cold start both keys are read side by side: one after the other could take both deadlines.
		const shared = own.tried() ? null : this.state.shared.current(env, defer);
		const state = await own.current(env, defer);
		if (own.hasOwn()) return state;
		return shared ?? this.state.shared.current(env, defer);
	}

	/**
	 * The policy this isolate already holds for the app, or null (see {@link PolicyLoader.held}). An app
	 * whose own key this isolate never read gets null: whether it has one is not known without a read.
	 */
	held(env: Env, defer: Defer, app?: string | null): LoadedPolicy | null {
		const key = this.appOf(env, app);
		if (key === null) return this.state.shared.held(env, defer);
		const own = this.loaderOf(key);
		if (own.hasOwn()) return own.held(env, defer);
		if (!own.tried()) return null;
		own.held(env, defer);
		return this.state.shared.held(env, defer);
	}

	/** What this isolate knows about the app's policy, loading it first if it never has (for /healthz). */
	async inspect(env: Env, app?: string | null): Promise<PolicyState> {
		const key = this.appOf(env, app);
		if (key === null) return this.state.shared.inspect(env);
		const own = this.loaderOf(key);
		const state = await own.inspect(env);
		return own.hasOwn() ? state : this.state.shared.inspect(env);
	}
}

/** The loaders of an isolate: made on first use with the runtime's clock, unless provided before. */
export const policyLoadersSlot = isolateSlot("policy-loaders", () => new PolicyLoaders());

/** This isolate's loaders (one per env object, see src/isolate.ts). */
export function policyLoaders(env: Env): PolicyLoaders {
	return isolateState(env, policyLoadersSlot);
}

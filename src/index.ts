export default {
	async fetch() {
		return Response.json({ ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" });
	},
} satisfies ExportedHandler<Env>;

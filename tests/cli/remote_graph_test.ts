import assert from "node:assert/strict";
import { vendorScript } from "../../src/cli/remote_graph.ts";
import { tempDir } from "../_support/home.ts";

const TS = { "content-type": "application/typescript" };

function serve(routes: Record<string, () => Response>): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const route = routes[new URL(req.url).pathname];
    return route ? route() : new Response("not found", { status: 404 });
  });
}

Deno.test("remote graph: URLs redirected to one module share one copy (one instance, as in Deno)", async () => {
  await using server = serve({
    "/deploy.ts": () =>
      new Response(
        `import * as a from "./lib";\nimport * as b from "./lib@1/mod.ts";\n` +
          `export const same = a.token === b.token;\nexport { helper } from "./lib@1/helper";\n`,
        { headers: TS },
      ),
    "/lib": () =>
      Response.redirect(`http://${server.addr.hostname}:${server.addr.port}/lib@1/mod.ts`),
    "/lib@1/mod.ts": () => new Response(`export const token = {};\n`, { headers: TS }),
    "/lib@1/helper": () => new Response(`export const helper = "h";\n`, { headers: TS }),
  });
  await using scratch = await tempDir("deployer_graph_test_");
  const dir = scratch.path;
  const url = `http://127.0.0.1:${server.addr.port}/deploy.ts`;
  const script = await vendorScript(url, dir, { signal: AbortSignal.timeout(10_000) });
  const module = await import(script.entry);
  assert.equal(module.same, true);
  assert.equal(module.helper, "h", "a URL without extension is stored with the kind's extension");
  assert.deepEqual(
    [...script.origins.values()].sort(),
    [url, `${new URL(url).origin}/lib@1/helper`, `${new URL(url).origin}/lib@1/mod.ts`],
  );
});

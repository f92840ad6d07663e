import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SERVER_COMMANDS } from "../src/ids";
import { displayName, parseViewUri, RefreshScheduler, renderEmitResult, renderGraphResult, viewContent, viewUri } from "../src/views";

const source = "file:///home/u/shapes/main.ml";

describe("view URIs", () => {
  it("round-trip the source URI, also with characters that need escaping", () => {
    for (const src of [source, "file:///home/u/my%20project/caf%C3%A9.ml", "untitled:Untitled-1"]) {
      const parts = viewUri("python", src, "/home/u/shapes/main.ml");
      assert.deepEqual(parseViewUri(parts.scheme, parts.query), { kind: "python", source: src });
    }
  });

  it("name the Python view like the emitted file", () => {
    assert.equal(viewUri("python", source, "/home/u/shapes/main.ml").path, "/home/u/shapes/main.py");
    assert.equal(viewUri("python", source, "/home/u/shapes/main.ml").scheme, "mlpy-python");
    assert.equal(viewUri("graph", source, "/home/u/shapes/main.ml").path, "/home/u/shapes/main.ml (module graph)");
    assert.equal(viewUri("graph", source, "/home/u/shapes/main.ml").scheme, "mlpy-graph");
  });

  it("reject other documents", () => {
    assert.equal(parseViewUri("file", "source=x"), undefined);
    assert.equal(parseViewUri("mlpy-python", ""), undefined);
  });
});

describe("rendering", () => {
  it("shows emitted Python as is", () => {
    assert.deepEqual(renderEmitResult({ python: "print(1)\n" }, source), { text: "print(1)\n", ok: true });
  });

  it("shows errors as Python comments with file:line:col", () => {
    const { text, ok } = renderEmitResult(
      {
        errors: [
          {
            uri: "file:///home/u/shapes/lib/geo.ml",
            range: { start: { line: 2, character: 7 }, end: { line: 2, character: 9 } },
            message: "Module 'nosuch' not found\nsearched: lib/nosuch.ml",
            code: "unresolved-import",
          },
          { uri: null, message: "something" },
        ],
      },
      source,
    );
    assert.equal(ok, false);
    const lines = text.trimEnd().split("\n");
    assert.ok(lines.every((l) => l.startsWith("#")), text);
    assert.ok(lines.includes("# lib/geo.ml:3:8: error [unresolved-import]: Module 'nosuch' not found"), text);
    assert.ok(lines.includes("#     searched: lib/nosuch.ml"), text);
    assert.ok(lines.includes("# ?: error: something"), text);
  });

  it("names files outside the source's folder by their path", () => {
    assert.equal(displayName("file:///other/x.ml", source), "/other/x.ml");
    assert.equal(displayName("file:///home/u/shapes/a%20b.ml", source), "a b.ml");
  });

  it("shows the graph's tree, or its JSON", () => {
    assert.equal(renderGraphResult({ tree: "main\n└── a", graph: {} }), "main\n└── a\n");
    assert.equal(renderGraphResult({ graph: { entry: "main" } }), '{\n  "entry": "main"\n}\n');
  });
});

describe("viewContent", () => {
  it("asks the server the right command with the source URI", async () => {
    const calls: [string, unknown[]][] = [];
    const execute = async (command: string, args: unknown[]) => {
      calls.push([command, args]);
      return command === SERVER_COMMANDS.emitPython ? { python: "x = 1\n" } : { tree: "main" };
    };
    assert.equal(await viewContent("python", source, execute), "x = 1\n");
    assert.equal(await viewContent("graph", source, execute), "main\n");
    assert.deepEqual(calls, [
      ["mlpy.emitPython", [source]],
      ["mlpy.showModuleGraph", [source]],
    ]);
  });

  it("turns a failed request into text", async () => {
    const execute = async () => {
      throw new Error("'x' is not a file");
    };
    assert.equal(await viewContent("python", source, execute), "# mlpy: mlpy.emitPython failed: 'x' is not a file\n");
  });
});

describe("RefreshScheduler", () => {
  function fakeTimers() {
    const pending = new Map<number, () => void>();
    let next = 1;
    return {
      pending,
      timers: {
        set: (f: () => void) => {
          pending.set(next, f);
          return next++ as unknown as ReturnType<typeof setTimeout>;
        },
        clear: (t: ReturnType<typeof setTimeout>) => {
          pending.delete(t as unknown as number);
        },
      },
      fire() {
        const fs = [...pending.values()];
        pending.clear();
        fs.forEach((f) => f());
      },
    };
  }

  it("refreshes once after a burst of ML changes, never for other documents", () => {
    const t = fakeTimers();
    let refreshes = 0;
    const s = new RefreshScheduler(() => 300, () => refreshes++, t.timers);
    s.changed(false);
    assert.equal(t.pending.size, 0);
    s.changed(true);
    s.changed(true);
    s.changed(true);
    assert.equal(t.pending.size, 1, "one timer for the burst");
    t.fire();
    assert.equal(refreshes, 1);
    s.changed(true);
    s.dispose();
    assert.equal(t.pending.size, 0, "dispose cancels");
  });

  it("really waits the delay", async () => {
    let refreshed = 0;
    const s = new RefreshScheduler(() => 20, () => refreshed++);
    s.changed(true);
    assert.equal(refreshed, 0);
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(refreshed, 1);
  });
});

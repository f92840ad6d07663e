import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { initializationOptions, readSettings, serverCommand, serverProblem } from "../src/settings";

function getter(values: Record<string, unknown>) {
  return <T>(key: string): T | undefined => values[key] as T | undefined;
}

describe("settings", () => {
  it("defaults", () => {
    const s = readSettings(getter({}));
    assert.deepEqual(s, {
      serverPath: "",
      serverExtraArgs: [],
      importPaths: null,
      allowCurrentDir: false,
      associateMlFiles: "auto",
      refreshDelayMs: 300,
      trace: "off",
    });
    assert.deepEqual(initializationOptions(s), { allowCurrentDir: false });
    assert.deepEqual(serverCommand(s, "/ws"), { command: "mlpy", args: ["lsp", "--stdio"] });
  });

  it("values from the configuration, bad ones replaced by defaults", () => {
    const s = readSettings(
      getter({
        "server.path": " ./bin/mlpy ",
        "server.extraArgs": ["--x", 3],
        importPaths: ["lib", "/abs/vendor", null],
        allowCurrentDir: true,
        associateMlFiles: "sometimes",
        "emitPython.refreshDelayMs": -5,
        "trace.server": "verbose",
      }),
    );
    assert.equal(s.serverPath, "./bin/mlpy");
    assert.deepEqual(s.serverExtraArgs, ["--x"]);
    assert.equal(s.associateMlFiles, "auto");
    assert.equal(s.refreshDelayMs, 300);
    assert.equal(s.trace, "verbose");
    // The keys the server reads in `initializationOptions` (server/src/backend.rs, settings_from).
    assert.deepEqual(initializationOptions(s), { importPaths: ["lib", "/abs/vendor"], allowCurrentDir: true });
    assert.deepEqual(serverCommand(s, "/ws"), { command: "/ws/bin/mlpy", args: ["lsp", "--stdio", "--x"] });
  });

  it("an empty importPaths list is passed on (it means: no import paths)", () => {
    const s = readSettings(getter({ importPaths: [] }));
    assert.deepEqual(initializationOptions(s), { importPaths: [], allowCurrentDir: false });
  });

  it("explains a server that cannot be started", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlpy-settings-"));
    try {
      const exe = path.join(dir, "mlpy");
      fs.writeFileSync(exe, "#!/bin/sh\n", { mode: 0o755 });
      const plain = path.join(dir, "notes.txt");
      fs.writeFileSync(plain, "", { mode: 0o644 });
      assert.equal(serverProblem(exe, ""), undefined);
      assert.match(serverProblem(plain, "") ?? "", /not executable/);
      assert.match(serverProblem(path.join(dir, "missing"), "") ?? "", /does not exist/);
      assert.equal(serverProblem("mlpy", `/nonexistent${path.delimiter}${dir}`), undefined);
      assert.match(serverProblem("mlpy", "/nonexistent") ?? "", /not found on PATH/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

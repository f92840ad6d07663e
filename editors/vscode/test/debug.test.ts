// The debugger's configuration provider and its manifest contribution.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import {
  adapterCommand,
  adapterProblem,
  DEBUG_TYPE,
  initialConfiguration,
  resolveConfiguration,
} from "../src/debugConfig";
import { LANGUAGE_ID } from "../src/ids";
import { readSettings } from "../src/settings";

const root = path.join(__dirname, "..", "..");
const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
const ml = { path: "/work/app/main.ml", languageId: LANGUAGE_ID };

function resolved(result: ReturnType<typeof resolveConfiguration>) {
  assert.ok("config" in result, JSON.stringify(result));
  return result.config;
}

describe("resolveConfiguration", () => {
  it("debugs the ML file in the editor when there is no launch.json", () => {
    const config = resolved(resolveConfiguration({}, ml, "/work"));
    assert.deepEqual(config, {
      type: DEBUG_TYPE,
      request: "launch",
      name: "Debug main.ml",
      program: "/work/app/main.ml",
      cwd: "/work",
    });
    // No workspace folder: the program's own folder.
    assert.equal(resolved(resolveConfiguration({}, ml, undefined)).cwd, "/work/app");
  });

  it("keeps what launch.json says and fills in only what is missing", () => {
    const given = {
      type: DEBUG_TYPE,
      request: "launch",
      name: "tests",
      program: "${workspaceFolder}/tests/run.ml",
      args: ["-v"],
      allow: ["file.read"],
      stopOnEntry: true,
    };
    const config = resolved(resolveConfiguration(given, ml, "/work"));
    assert.equal(config.program, given.program);
    assert.deepEqual(config.args, ["-v"]);
    assert.deepEqual(config.allow, ["file.read"]);
    assert.equal(config.stopOnEntry, true);
    assert.equal(config.cwd, "/work");
    assert.equal(
      resolved(resolveConfiguration({ type: DEBUG_TYPE, request: "launch", name: "x" }, ml, "/work")).program,
      ml.path,
    );
  });

  it("says what is wrong instead of starting nothing useful", () => {
    const ocaml = { path: "/work/lib.ml", languageId: "ocaml" };
    for (const [config, active] of [
      [{}, undefined],
      [{}, ocaml],
      [{ type: DEBUG_TYPE, request: "launch", name: "x" }, undefined],
      [{ type: DEBUG_TYPE, request: "attach", name: "x", program: "main.ml" }, ml],
    ] as const) {
      const result = resolveConfiguration({ ...config }, active, "/work");
      assert.ok("problem" in result, JSON.stringify(config));
    }
  });

  it("never changes the configuration it is given", () => {
    const given = { type: DEBUG_TYPE, request: "launch", name: "x" };
    resolveConfiguration(given, ml, "/work");
    assert.deepEqual(given, { type: DEBUG_TYPE, request: "launch", name: "x" });
  });
});

describe("the adapter", () => {
  it("is `mlpy dap` with the executable the language server uses", () => {
    const settings = (serverPath: string) =>
      readSettings(<T>(key: string) => (key === "server.path" ? serverPath : undefined) as T | undefined);
    assert.deepEqual(adapterCommand(settings(""), "/work"), { command: "mlpy", args: ["dap"] });
    assert.deepEqual(adapterCommand(settings("bin/mlpy"), "/work"), {
      command: path.join("/work", "bin/mlpy"),
      args: ["dap"],
    });
  });

  it("says why it cannot start: the mlpy of mlpy.server.path, or of PATH, is missing", () => {
    const settings = (serverPath: string) =>
      readSettings(<T>(key: string) => (key === "server.path" ? serverPath : undefined) as T | undefined);
    const executables = new Set(["/work/bin/mlpy", "/usr/bin/mlpy"]);
    const isExecutable = (file: string) => executables.has(file);
    assert.equal(adapterProblem(settings("bin/mlpy"), "/work", "", isExecutable), undefined);
    assert.equal(adapterProblem(settings(""), "/work", "/usr/bin", isExecutable), undefined);
    assert.match(
      adapterProblem(settings("/opt/mlpy"), "/work", "/usr/bin", isExecutable) ?? "",
      /'\/opt\/mlpy' \(setting mlpy.server.path\) does not exist/,
    );
    assert.match(adapterProblem(settings(""), "/work", "/bin", isExecutable) ?? "", /'mlpy' was not found on PATH/);
  });
});

describe("package.json's debugger", () => {
  const [debuggerEntry] = manifest.contributes.debuggers;

  it("is the type the provider registers, for ML files, with breakpoints in them", () => {
    assert.equal(debuggerEntry.type, DEBUG_TYPE);
    assert.deepEqual(debuggerEntry.languages, [LANGUAGE_ID]);
    assert.deepEqual(manifest.contributes.breakpoints, [{ language: LANGUAGE_ID }]);
    assert.ok(manifest.activationEvents.includes(`onDebugResolve:${DEBUG_TYPE}`));
  });

  it("offers the initial configuration the provider does, and a snippet", () => {
    assert.deepEqual(debuggerEntry.initialConfigurations, [initialConfiguration()]);
    const [snippet] = debuggerEntry.configurationSnippets;
    assert.equal(snippet.body.type, DEBUG_TYPE);
    assert.equal(snippet.body.request, "launch");
    assert.ok(snippet.body.program.includes("main.ml"));
  });

  it("documents every launch setting `mlpy dap` reads", () => {
    const properties = Object.keys(debuggerEntry.configurationAttributes.launch.properties).sort();
    // dap/src/launch.rs: LaunchArgs::parse.
    const read = [
      "allow", "allowCurrentDir", "allowPythonModules", "args", "cachedOnly", "config", "console", "cwd",
      "env", "frozen", "importPaths", "mlpyArgs", "program", "python", "stdlibMode", "stopOnEntry",
    ];
    assert.deepEqual(properties, read.sort());
    assert.deepEqual(debuggerEntry.configurationAttributes.launch.required, ["program"]);
  });
});

// The packaged extension: unpacks mlpy.vsix, loads its `main` (the esbuild bundle, which
// carries vscode-languageclient; the .vsix has no node_modules), and activates it. The
// `vscode` module exists only inside VS Code, so this is the one place with a fake of it:
// just enough to record what the extension registers and does. (The server side of these code paths is tested against the real
// server in server.test.ts.)
//
// Run by `npm run package` after `vsce package` (kept out of test/, which `npm test`
// runs before there is a .vsix).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import Module from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";

const root = path.resolve(__dirname, "..", "..");
const vsix = path.join(root, "mlpy.vsix");
const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));

type Listener = (value: unknown) => void;

interface FakeDoc {
  uri: FakeUri;
  fileName: string;
  languageId: string;
  lineCount: number;
  lineAt(n: number): { text: string };
}

class FakeUri {
  constructor(
    readonly scheme: string,
    readonly path: string,
    readonly query = "",
  ) {}
  get fsPath(): string {
    return this.path;
  }
  toString(): string {
    return `${this.scheme}://${this.path}${this.query ? "?" + this.query : ""}`;
  }
  static file(p: string): FakeUri {
    return new FakeUri("file", p);
  }
  static from(parts: { scheme: string; path: string; query?: string }): FakeUri {
    return new FakeUri(parts.scheme, parts.path, parts.query);
  }
  static parse(s: string): FakeUri {
    const u = new URL(s);
    return new FakeUri(u.protocol.slice(0, -1), u.pathname, u.search.slice(1));
  }
}

function doc(file: string, languageId: string, firstLine: string): FakeDoc {
  return {
    uri: FakeUri.file(file),
    fileName: file,
    languageId,
    lineCount: 1,
    lineAt: () => ({ text: firstLine }),
  };
}

/** What the extension did to the fake VS Code. */
const record = {
  commands: new Map<string, (...args: unknown[]) => unknown>(),
  providers: [] as string[],
  debugTypes: [] as string[],
  debugProviders: [] as { resolveDebugConfiguration(folder: unknown, config: unknown): unknown }[],
  languageChanges: [] as [string, string][],
  errors: [] as string[],
  warnings: [] as string[],
  listeners: new Map<string, Listener[]>(),
  config: {} as Record<string, unknown>,
  textDocuments: [] as FakeDoc[],
};

function event(name: string) {
  return (listener: Listener) => {
    const list = record.listeners.get(name) ?? [];
    list.push(listener);
    record.listeners.set(name, list);
    return { dispose() {} };
  };
}

function fire(name: string, value: unknown): void {
  for (const l of record.listeners.get(name) ?? []) {
    l(value);
  }
}

class Disposable {
  constructor(private readonly f?: () => void) {}
  dispose() {
    this.f?.();
  }
  static from() {
    return new Disposable();
  }
}

class EventEmitter {
  private listeners: Listener[] = [];
  event = (l: Listener) => {
    this.listeners.push(l);
    return new Disposable();
  };
  fire(v: unknown) {
    this.listeners.forEach((l) => l(v));
  }
  dispose() {}
}

/** Anything else: a class (vscode-languageclient extends a few at load time). */
const generic = new Proxy(class {}, {});

const fakeVscode = new Proxy(
  {
    Uri: FakeUri,
    EventEmitter,
    Disposable,
    ViewColumn: { Beside: -2, Active: -1, One: 1 },
    window: {
      createOutputChannel: () => ({ appendLine() {}, append() {}, show() {}, dispose() {}, name: "mlpy" }),
      showErrorMessage: (m: string) => {
        record.errors.push(m);
        return Promise.resolve(undefined);
      },
      showWarningMessage: (m: string) => {
        record.warnings.push(m);
        return Promise.resolve(undefined);
      },
      setStatusBarMessage: () => new Disposable(),
      activeTextEditor: undefined as unknown,
    },
    workspace: {
      getConfiguration: () => ({ get: (key: string) => record.config[key] }),
      registerTextDocumentContentProvider: (scheme: string) => {
        record.providers.push(scheme);
        return new Disposable();
      },
      onDidOpenTextDocument: event("open"),
      onDidCloseTextDocument: event("close"),
      onDidChangeTextDocument: event("change"),
      onDidSaveTextDocument: event("save"),
      onDidChangeConfiguration: event("configuration"),
      get textDocuments() {
        return record.textDocuments;
      },
      workspaceFolders: undefined,
    },
    languages: {
      setTextDocumentLanguage: (d: FakeDoc, language: string) => {
        record.languageChanges.push([d.fileName, language]);
        return Promise.resolve({ ...d, languageId: language });
      },
    },
    // The debugger contribution registers a configuration provider and an adapter factory.
    debug: {
      registerDebugConfigurationProvider: (
        type: string,
        provider: { resolveDebugConfiguration(folder: unknown, config: unknown): unknown },
      ) => {
        record.debugTypes.push(`provider:${type}`);
        record.debugProviders.push(provider);
        return new Disposable();
      },
      registerDebugAdapterDescriptorFactory: (type: string) => {
        record.debugTypes.push(`adapter:${type}`);
        return new Disposable();
      },
    },
    commands: {
      registerCommand: (name: string, f: (...args: unknown[]) => unknown) => {
        assert.ok(!record.commands.has(name), `command ${name} registered twice`);
        record.commands.set(name, f);
        return new Disposable();
      },
      executeCommand: () => Promise.resolve(undefined),
    },
  } as Record<string | symbol, unknown>,
  {
    get(target, prop) {
      if (prop in target) {
        return target[prop];
      }
      return typeof prop === "string" && /^[A-Z]/.test(prop) ? generic : undefined;
    },
  },
);

let unpacked: string;
let extension: { activate(ctx: unknown): void; deactivate(): Promise<void> | undefined };
const context = { subscriptions: [] as { dispose(): void }[] };
let project: string;

before(() => {
  assert.ok(fs.existsSync(vsix), `${vsix} is missing: run vsce package first`);
  unpacked = fs.mkdtempSync(path.join(os.tmpdir(), "mlpy-vsix-"));
  const r = spawnSync("python3", ["-m", "zipfile", "-e", vsix, unpacked], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  project = fs.mkdtempSync(path.join(os.tmpdir(), "mlpy-vsix-project-"));
  fs.writeFileSync(path.join(project, "mlpy.json"), "{}\n");

  // `require("vscode")` from inside the unpacked extension gets the fake.
  const M = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const load = M._load;
  M._load = function (request: string, ...rest: unknown[]) {
    return request === "vscode" ? fakeVscode : load.call(this, request, ...rest);
  };
  const main = path.join(unpacked, "extension", manifest.main);
  assert.ok(fs.existsSync(main), `${manifest.main} is not in the .vsix`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loads the unpacked extension at run time
  extension = require(main);
});

after(async () => {
  await extension?.deactivate();
  context.subscriptions.forEach((d) => d.dispose());
  for (const dir of [unpacked, project]) {
    if (dir) {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
});

describe("the packaged .vsix", () => {
  it("carries the bundled extension, manifest, grammar and language configuration, and no sources or node_modules", () => {
    const ext = path.join(unpacked, "extension");
    for (const file of [manifest.main, "package.json", "syntaxes/ml.tmLanguage.json", "language-configuration.json"]) {
      assert.ok(fs.existsSync(path.join(ext, file)), file);
    }
    const files = (fs.readdirSync(ext, { recursive: true }) as string[]).map((f) => f.split(path.sep).join("/"));
    const javascript = files.filter((f) => f.endsWith(".js"));
    // esbuild put vscode-languageclient into the one file: `before` loaded it without node_modules.
    assert.deepEqual(javascript, [path.posix.normalize(manifest.main)], "one JavaScript file, the bundle");
    for (const unwanted of ["node_modules", "src", "out", "test", "test-vsix", "e2e", "scripts"]) {
      assert.ok(!fs.existsSync(path.join(ext, unwanted)), `${unwanted}/ is not in the .vsix`);
    }
    assert.deepEqual(files.filter((f) => f.endsWith(".ts") || f.endsWith(".map")), [], "no TypeScript, no source maps");
  });

  it("activates: registers its commands and views, adopts only mlpy's .ml files", () => {
    const mine = path.join(project, "main.ml");
    const ocaml = path.join(os.tmpdir(), "not-mlpy-" + process.pid, "main.ml");
    const marked = path.join(os.tmpdir(), "script-" + process.pid + ".ml");
    record.textDocuments = [doc(mine, "ocaml", "import math;"), doc(ocaml, "ocaml", "let x = 1")];
    extension.activate(context);
    assert.deepEqual([...record.commands.keys()].sort(), manifest.contributes.commands.map((c: { command: string }) => c.command).sort());
    assert.deepEqual(record.providers.sort(), ["mlpy-graph", "mlpy-python"]);
    assert.deepEqual(record.debugTypes.sort(), ["adapter:mlpy", "provider:mlpy"]);
    assert.deepEqual(record.languageChanges, [[mine, "ml"]]);

    fire("open", doc(marked, "plaintext", "// mlpy"));
    assert.deepEqual(record.languageChanges.at(-1), [marked, "ml"]);
  });

  it("explains a missing server instead of failing silently", async () => {
    record.config["server.path"] = "/nonexistent/mlpy";
    fire("open", doc(path.join(project, "main.ml"), "ml", "import math;"));
    for (let i = 0; i < 50 && record.errors.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.match(record.errors[0] ?? "", /\/nonexistent\/mlpy.*does not exist/);
  });

  it("changing mlpy.server.path after a failed start starts the server for the open ML documents", async () => {
    record.config["server.path"] = "/still/missing/mlpy";
    record.textDocuments = [doc(path.join(project, "main.ml"), "ml", "import math;")];
    const before = record.errors.length;
    fire("configuration", { affectsConfiguration: (key: string) => key === "mlpy.server.path" });
    for (let i = 0; i < 50 && record.errors.length === before; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.match(record.errors.at(-1) ?? "", /\/still\/missing\/mlpy.*does not exist/);
  });

  it("debugging with a missing mlpy says so and starts no session", async () => {
    const [provider] = record.debugProviders;
    const fakeWindow = fakeVscode.window as { activeTextEditor: unknown };
    fakeWindow.activeTextEditor = { document: doc(path.join(project, "main.ml"), "ml", "import math;") };
    const before = record.errors.length;
    const result = await provider.resolveDebugConfiguration(undefined, {});
    fakeWindow.activeTextEditor = undefined;
    assert.equal(result, undefined, "no session");
    assert.equal(record.errors.length, before + 1);
    assert.match(record.errors.at(-1) ?? "", /\/still\/missing\/mlpy.*does not exist/);
  });

  it("mlpy.associateMlFiles = always claims the .ml files already open", () => {
    const ocaml = path.join(os.tmpdir(), "not-mlpy-" + process.pid, "other.ml");
    record.textDocuments = [doc(ocaml, "ocaml", "let x = 1")];
    fire("open", record.textDocuments[0]);
    assert.notDeepEqual(record.languageChanges.at(-1), [ocaml, "ml"], "auto leaves OCaml alone");
    record.config["associateMlFiles"] = "always";
    fire("configuration", { affectsConfiguration: (key: string) => key === "mlpy.associateMlFiles" });
    assert.deepEqual(record.languageChanges.at(-1), [ocaml, "ml"]);
    record.config["associateMlFiles"] = undefined;
  });

  it("Emit Python outside an ML editor asks for one", async () => {
    await record.commands.get("mlpy.client.emitPython")!();
    assert.match(record.warnings.at(-1) ?? "", /open an ML/);
  });
});

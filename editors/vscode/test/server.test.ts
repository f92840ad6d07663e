// The language-client wiring against the real `mlpy lsp`, over stdio, with the JSON-RPC
// and protocol libraries vscode-languageclient is built on. The command line, the
// initializationOptions and the view logic are the extension's own (settings.ts,
// views.ts).
//
// The binary: $MLPY_SERVER, else target/debug/mlpy of this repository (`cargo xtask test`
// builds it first).

import assert from "node:assert/strict";
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import {
  ConfigurationRequest,
  createProtocolConnection,
  DefinitionRequest,
  Diagnostic,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExecuteCommandRequest,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  InitializeResult,
  Location,
  LocationLink,
  ProtocolConnection,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
} from "vscode-languageserver-protocol/node";
import { keepDiagnostics } from "../src/association";
import { SERVER_COMMANDS } from "../src/ids";
import { initializationOptions, readSettings, serverCommand, Settings } from "../src/settings";
import { fetchSummary, firstProgramLine, renderEmitResult, viewContent } from "../src/views";

const repo = path.resolve(__dirname, "..", "..", "..", "..");
const fixture = path.join(repo, "tests", "testdata", "editor_project");
const WAIT_MS = 20_000;

function serverBinary(): string {
  const binary = process.env.MLPY_SERVER || path.join(repo, "target", "debug", "mlpy");
  assert.ok(
    fs.existsSync(binary),
    `the mlpy binary ${binary} does not exist: run \`cargo build --bin mlpy\` or set MLPY_SERVER`,
  );
  return binary;
}

/** A copy of the fixture project in a temporary folder (tests never touch the repository). */
function copyFixture(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlpy-vscode-"));
  fs.cpSync(fixture, dir, { recursive: true });
  return fs.realpathSync(dir);
}

const uriOf = (file: string) => pathToFileURL(file).toString();

/**
 * Every server started and not stopped yet: a test that fails before its `stop()` would
 * leave its process running, and the test file would never end. They go when every test
 * has run (a `describe` may share one server between its tests).
 */
const running = new Set<Session>();

after(() => {
  for (const session of running) {
    session.proc.kill("SIGKILL");
    session.connection.dispose();
  }
  running.clear();
});

/** One `mlpy lsp` process and a client connection to it, as VS Code would start it. */
class Session {
  readonly proc: ChildProcess;
  readonly connection: ProtocolConnection;
  readonly diagnostics = new Map<string, Diagnostic[]>();
  readonly stderr: string[] = [];
  private readonly waiters: (() => void)[] = [];
  initialize!: InitializeResult;

  /**
   * `section`: what VS Code answers for the `mlpy` section (`workspace/configuration`);
   * undefined: the request fails, as with a client without it.
   */
  constructor(
    readonly root: string,
    readonly settings: Settings,
    section?: Record<string, unknown>,
  ) {
    const { command, args } = serverCommand(settings, root);
    this.proc = spawn(command, args, { cwd: root, stdio: ["pipe", "pipe", "pipe"] });
    running.add(this);
    this.proc.once("exit", () => running.delete(this));
    this.proc.stderr!.on("data", (d) => this.stderr.push(String(d)));
    this.connection = createProtocolConnection(
      new StreamMessageReader(this.proc.stdout!),
      new StreamMessageWriter(this.proc.stdin!),
    );
    this.connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
      this.diagnostics.set(p.uri, p.diagnostics);
      this.waiters.splice(0).forEach((w) => w());
    });
    // VS Code grants the file watchers the server registers.
    this.connection.onRequest(RegistrationRequest.type, () => null);
    if (section) {
      this.connection.onRequest(ConfigurationRequest.type, (params) =>
        params.items.map((item) => (item.section === "mlpy" ? section : null)),
      );
    }
    this.connection.listen();
  }

  async start(): Promise<void> {
    this.initialize = await this.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: uriOf(this.root),
      workspaceFolders: [{ uri: uriOf(this.root), name: path.basename(this.root) }],
      initializationOptions: initializationOptions(this.settings),
      capabilities: {
        general: { positionEncodings: ["utf-16"] },
        textDocument: {
          synchronization: { dynamicRegistration: true, didSave: true },
          publishDiagnostics: { relatedInformation: true, versionSupport: true },
          definition: { linkSupport: true },
        },
        workspace: {
          workspaceFolders: true,
          configuration: true,
          didChangeWatchedFiles: { dynamicRegistration: true },
          executeCommand: { dynamicRegistration: true },
          workspaceEdit: { documentChanges: true, resourceOperations: ["create", "rename", "delete"] },
        },
      },
    });
    await this.connection.sendNotification(InitializedNotification.type, {});
  }

  open(relative: string): { uri: string; text: string } {
    const file = path.join(this.root, relative);
    const text = fs.readFileSync(file, "utf8");
    const uri = uriOf(file);
    void this.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: "ml", version: 1, text },
    });
    return { uri, text };
  }

  /** Resolves with the diagnostics of `uri` once `ok` accepts them. */
  async diagnosticsOf(uri: string, ok: (d: Diagnostic[]) => boolean): Promise<Diagnostic[]> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const current = this.diagnostics.get(uri);
      if (current && ok(current)) {
        return current;
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        assert.fail(
          `no matching diagnostics for ${uri} within ${WAIT_MS} ms; last: ${JSON.stringify(current)}\n` +
            `server log:\n${this.stderr.join("")}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  execute = (command: string, args: unknown[]): Promise<unknown> =>
    this.connection.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });

  /** Shuts the server down as VS Code does and resolves with its exit code. */
  async stop(): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => {
      if (this.proc.exitCode !== null) {
        resolve(this.proc.exitCode);
      } else {
        this.proc.once("exit", (code) => resolve(code));
      }
    });
    const timer = setTimeout(() => this.proc.kill("SIGKILL"), WAIT_MS);
    try {
      await this.connection.sendRequest(ShutdownRequest.type);
      await this.connection.sendNotification(ExitNotification.type);
      return await exited;
    } finally {
      clearTimeout(timer);
      this.connection.dispose();
    }
  }
}

/**
 * The `mlpy` section as VS Code answers `workspace/configuration` for it: every setting
 * package.json declares, at its default unless `values` (keys below `mlpy.`) sets it,
 * nested at the dots (`inlayHints.parameterNames` → `{inlayHints: {parameterNames}}`).
 */
function vscodeSection(values: Record<string, unknown> = {}): Record<string, unknown> {
  const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8"));
  const properties: Record<string, { default?: unknown }> = manifest.contributes.configuration.properties;
  const section: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(properties)) {
    const key = name.slice("mlpy.".length);
    const parts = key.split(".");
    let node = section;
    for (const part of parts.slice(0, -1)) {
      node = (node[part] ??= {}) as Record<string, unknown>;
    }
    node[parts.at(-1)!] = key in values ? values[key] : property.default;
  }
  return section;
}

function settingsWith(overrides: Record<string, unknown>): Settings {
  const values: Record<string, unknown> = { "server.path": serverBinary(), ...overrides };
  return readSettings(<T>(key: string) => values[key] as T | undefined);
}

function runPython(code: string): { stdout: string; stderr: string; status: number | null } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlpy-emitted-"));
  try {
    const file = path.join(dir, "main.py");
    fs.writeFileSync(file, code);
    const r = spawnSync("python3", [file], { encoding: "utf8", timeout: 30_000, cwd: dir });
    return { stdout: r.stdout, stderr: r.stderr, status: r.status };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("mlpy lsp through the extension's wiring", () => {
  let root: string;
  let session: Session;

  before(async () => {
    root = copyFixture();
    session = new Session(root, settingsWith({}));
    await session.start();
  });

  after(async () => {
    const code = await session.stop();
    fs.rmSync(root, { recursive: true, force: true });
    assert.equal(code, 0, `mlpy lsp exit status; log:\n${session.stderr.join("")}`);
  });

  it("initialize: the features and commands the extension relies on", () => {
    const caps = session.initialize.capabilities;
    assert.equal(session.initialize.serverInfo?.name, "mlpy");
    // vscode-languageclient registers every listed command as a VS Code command: they must
    // be the server's own, never the extension's palette commands.
    const listed = caps.executeCommandProvider?.commands ?? [];
    assert.ok(listed.includes(SERVER_COMMANDS.emitPython), JSON.stringify(listed));
    assert.ok(listed.includes(SERVER_COMMANDS.showModuleGraph), JSON.stringify(listed));
    const known: string[] = Object.values(SERVER_COMMANDS);
    assert.ok(listed.every((c) => known.includes(c)), JSON.stringify(listed));
    assert.ok(caps.definitionProvider);
    assert.ok(caps.hoverProvider);
    assert.ok(caps.semanticTokensProvider);
    const sync = caps.textDocumentSync;
    assert.ok(typeof sync === "object" && sync.change === 2, "incremental sync");
  });

  it("diagnostics: an unresolved import and a circular import, at their lines", async () => {
    const { uri } = session.open("broken.ml");
    const diags = await session.diagnosticsOf(uri, (d) => d.length >= 2);
    const unresolved = diags.find((d) => d.message.includes("nosuch.module"));
    const cycle = diags.find((d) => d.message.includes("Circular dependency"));
    assert.ok(unresolved, JSON.stringify(diags));
    assert.ok(cycle, JSON.stringify(diags));
    assert.deepEqual(unresolved.range, { start: { line: 2, character: 7 }, end: { line: 2, character: 20 } });
    assert.equal(unresolved.severity, 1);
    assert.deepEqual(cycle.range.start, { line: 3, character: 7 });
    assert.match(cycle.message, /broken → loop → broken/);
    const related = (cycle.relatedInformation ?? []).map((r) => path.basename(new URL(r.location.uri).pathname));
    assert.deepEqual(related.sort(), ["broken.ml", "loop.ml"]);
    // The other half of the cycle, never opened: the server checks the whole workspace.
    const loop = await session.diagnosticsOf(uriOf(path.join(root, "loop.ml")), (d) => d.length > 0);
    assert.deepEqual(loop[0].range.start, { line: 1, character: 7 });
  });

  it("definition: from geometry.area(...) into lib/geometry.ml", async () => {
    const { uri, text } = session.open("main.ml");
    const lines = text.split("\n");
    const line = lines.findIndex((l) => l.includes("geometry.area(w, h)"));
    const character = lines[line].indexOf("area(w") + 1;
    const result = await session.connection.sendRequest(DefinitionRequest.type, {
      textDocument: { uri },
      position: { line, character },
    });
    const first = (Array.isArray(result) ? result[0] : result) as Location | LocationLink | null;
    assert.ok(first, "a definition");
    const target = "targetUri" in first ? first.targetUri : first.uri;
    const range = "targetUri" in first ? first.targetSelectionRange : first.range;
    assert.equal(target, uriOf(path.join(root, "lib", "geometry.ml")));
    assert.equal(range.start.line, 3, "the line of `function area`");
    assert.equal(range.start.character, "function ".length);
  });

  it("Emit Python: the view's text runs with python3", async () => {
    const uri = uriOf(path.join(root, "main.ml"));
    const python = await viewContent("python", uri, session.execute);
    assert.match(python, /^# Generated by mlpy/m);
    // The view opens scrolled to the program's own code, past the embedded runtime.
    const lines = python.split("\n");
    assert.equal(lines[firstProgramLine(python, path.join(root, "main.ml"))], "# module geometry (lib/geometry.ml)");
    const run = runPython(python);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, "area 6\ntotal 21, half 3, root 4.0\n");
  });

  it("Emit Python sees unsaved edits (what the refreshed view shows)", async () => {
    const uri = uriOf(path.join(root, "main.ml"));
    const text = fs.readFileSync(path.join(root, "main.ml"), "utf8");
    const line = text.split("\n").findIndex((l) => l.startsWith("print(describe(2, 3));"));
    await session.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 2 },
      contentChanges: [
        {
          range: { start: { line, character: 15 }, end: { line, character: 16 } },
          text: "10",
        },
      ],
    });
    const run = runPython(await viewContent("python", uri, session.execute));
    assert.equal(run.stdout.split("\n")[0], "area 30", run.stderr);
  });

  it("Emit Python of a file with errors lists them as Python comments", async () => {
    const uri = uriOf(path.join(root, "broken.ml"));
    const result = await session.execute(SERVER_COMMANDS.emitPython, [uri]);
    const { text, ok } = renderEmitResult(result, uri);
    assert.equal(ok, false);
    assert.match(text, /^# broken\.ml:3:8: error.*Module 'nosuch\.module' not found$/m);
    assert.match(text, /Circular dependency detected: broken → loop → broken/);
    const run = runPython(text);
    assert.equal(run.status, 0, "comments only");
  });

  it("Show Module Graph", async () => {
    const uri = uriOf(path.join(root, "main.ml"));
    const tree = await viewContent("graph", uri, session.execute);
    assert.match(tree, /^main \(/);
    assert.match(tree, /geometry \(.*lib\/geometry\.ml\)/);
    assert.match(tree, /math \(standard library\)/);
  });

  it("Fetch Remote Modules on a program without remote imports", async () => {
    const uri = uriOf(path.join(root, "main.ml"));
    const result = await session.execute(SERVER_COMMANDS.fetchModules, [uri]);
    assert.deepEqual(result, { modules: [], errors: [] });
    assert.deepEqual(fetchSummary(result), { message: "mlpy: this program imports no remote modules", ok: true });
  });

  it("a command on a document that is not a file is an error, not a crash", async () => {
    const text = await viewContent("python", "untitled:Untitled-1", session.execute);
    assert.match(text, /^# mlpy: mlpy\.emitPython failed: /);
  });
});

describe("settings reach the server as initializationOptions", () => {
  it("importPaths replaces mlpy.json's import_paths; allowCurrentDir adds the file's folder", async () => {
    const root = copyFixture();
    try {
      const narrow = new Session(root, settingsWith({ importPaths: ["lib"] }));
      await narrow.start();
      const { uri } = narrow.open("broken.ml");
      const diags = await narrow.diagnosticsOf(uri, (d) => d.some((x) => x.range.start.line === 3));
      const loop = diags.find((d) => d.range.start.line === 3)!;
      assert.match(loop.message, /Module 'loop' not found/);
      assert.equal(await narrow.stop(), 0);

      const wide = new Session(root, settingsWith({ importPaths: ["lib"], allowCurrentDir: true }));
      await wide.start();
      const again = wide.open("broken.ml");
      const found = await wide.diagnosticsOf(again.uri, (d) =>
        d.some((x) => x.message.includes("Circular dependency")),
      );
      assert.ok(found.find((d) => d.range.start.line === 3));
      assert.equal(await wide.stop(), 0);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("settings the server reads from VS Code's mlpy section (workspace/configuration)", () => {
  it("the declared defaults change nothing; mlpy.diagnostics = openFiles reports only open documents", async () => {
    const root = copyFixture();
    try {
      const defaults = new Session(root, settingsWith({}), vscodeSection());
      await defaults.start();
      const { uri } = defaults.open("broken.ml");
      // mlpy.json's import_paths hold (importPaths is null): both problems, nothing else.
      await defaults.diagnosticsOf(uri, (d) => d.length === 2);
      // loop.ml is not open: reported all the same, the whole workspace is checked.
      await defaults.diagnosticsOf(uriOf(path.join(root, "loop.ml")), (d) => d.length > 0);
      assert.equal(await defaults.stop(), 0);

      const open = new Session(root, settingsWith({}), vscodeSection({ diagnostics: "openFiles" }));
      await open.start();
      const again = open.open("broken.ml");
      await open.diagnosticsOf(again.uri, (d) => d.length === 2);
      await new Promise((r) => setTimeout(r, 500));
      assert.deepEqual(open.diagnostics.get(uriOf(path.join(root, "loop.ml"))) ?? [], []);
      assert.equal(await open.stop(), 0);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("a workspace with OCaml files beside an mlpy project", () => {
  it("the extension keeps no diagnostics the server publishes for OCaml's .ml files", async () => {
    const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "mlpy-mixed-")));
    try {
      fs.cpSync(fixture, path.join(root, "shapes"), { recursive: true });
      fs.mkdirSync(path.join(root, "ocaml"));
      fs.writeFileSync(path.join(root, "ocaml", "hello.ml"), 'let () = print_endline "hello"\n');
      const session = new Session(root, settingsWith({}));
      await session.start();
      const broken = uriOf(path.join(root, "shapes", "broken.ml"));
      await session.diagnosticsOf(broken, (d) => d.length >= 2);
      await new Promise((r) => setTimeout(r, 500));
      const shown = [...session.diagnostics.entries()]
        .filter(([uri, d]) => d.length > 0 && keepDiagnostics(new URL(uri).pathname, false, "auto"))
        .map(([uri]) => path.relative(root, new URL(uri).pathname))
        .sort();
      assert.deepEqual(shown, ["shapes/broken.ml", "shapes/loop.ml"]);
      assert.equal(await session.stop(), 0);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

// The VS Code side: adopts `.ml` files that belong to mlpy, starts `mlpy lsp` through
// vscode-languageclient, and shows the server's Python and module graph as read-only
// documents. The logic lives in modules without `vscode` (association, settings, views),
// which the tests exercise in plain Node and against the real server.

import * as fs from "fs";
import * as vscode from "vscode";
import {
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions,
} from "vscode-languageclient/node";
import { Adopter, isMlpyFile, keepDiagnostics } from "./association";
import { registerDebugger } from "./debug";
import { CLIENT_ID, CLIENT_NAME, COMMANDS, LANGUAGE_ID, SERVER_COMMANDS, VIEW_SCHEMES, ViewKind } from "./ids";
import { initializationOptions, readSettings, RESTART_KEYS, serverCommand, serverProblem, Settings } from "./settings";
import { fetchSummary, firstProgramLine, parseViewUri, RefreshScheduler, viewContent, viewUri } from "./views";

function settings(): Settings {
  const config = vscode.workspace.getConfiguration("mlpy");
  return readSettings((key) => config.get(key));
}

function workspaceRoot(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

/** Shows why `mlpy` cannot be started, with a way to the setting that names it. */
function reportServerProblem(problem: string): void {
  void vscode.window.showErrorMessage(`mlpy: ${problem}.`, "Open Settings").then((choice) => {
    if (choice) {
      void vscode.commands.executeCommand("workbench.action.openSettings", "mlpy.server.path");
    }
  });
}

/** Owns the language client: started on the first ML document, restarted on demand. */
class Server {
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient> | undefined;

  constructor(
    private readonly output: vscode.OutputChannel,
    private readonly onStarted: () => void,
  ) {}

  get running(): boolean {
    return this.client !== undefined;
  }

  /** The started client; starts it first when needed. */
  ensure(): Promise<LanguageClient> {
    if (!this.starting) {
      this.starting = this.start().catch((e) => {
        this.starting = undefined;
        throw e;
      });
    }
    return this.starting;
  }

  private async start(): Promise<LanguageClient> {
    const current = settings();
    const { command, args } = serverCommand(current, workspaceRoot());
    const problem = serverProblem(command, process.env.PATH);
    if (problem) {
      reportServerProblem(problem);
      throw new Error(problem);
    }
    const serverOptions: ServerOptions = { command, args, options: { cwd: workspaceRoot() } };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: "file", language: LANGUAGE_ID },
        { scheme: "untitled", language: LANGUAGE_ID },
      ],
      initializationOptions: initializationOptions(current),
      outputChannel: this.output,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      middleware: {
        // The server checks every .ml file of the workspace; OCaml's stay clean.
        handleDiagnostics: (uri, diagnostics, next) => {
          if (uri.scheme !== "file") {
            return next(uri, diagnostics);
          }
          const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
          const keep = keepDiagnostics(uri.fsPath, open?.languageId === LANGUAGE_ID, settings().associateMlFiles);
          next(uri, keep ? diagnostics : []);
        },
      },
    };
    const client = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
    await client.start();
    this.client = client;
    this.onStarted();
    return client;
  }

  /** Stops the server (and forgets it, so the next `ensure` reads the settings again). */
  async stop(): Promise<void> {
    const starting = this.starting;
    this.starting = undefined;
    this.client = undefined;
    if (starting) {
      const client = await starting.catch(() => undefined);
      await client?.stop().catch(() => undefined);
      await client?.dispose().catch(() => undefined);
    }
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.ensure();
  }

  async execute(command: string, args: unknown[]): Promise<unknown> {
    const client = await this.ensure();
    return client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
  }
}

/** The read-only documents `mlpy-python:` and `mlpy-graph:`. */
class Views implements vscode.TextDocumentContentProvider {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;

  constructor(private readonly server: Server) {}

  provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const view = parseViewUri(uri.scheme, uri.query);
    if (!view) {
      return Promise.resolve("");
    }
    return viewContent(view.kind, view.source, (command, args) => this.server.execute(command, args));
  }

  /** Asks VS Code to fetch every open view again. */
  refreshAll(): void {
    const schemes: string[] = Object.values(VIEW_SCHEMES);
    for (const doc of vscode.workspace.textDocuments) {
      if (schemes.includes(doc.uri.scheme)) {
        this.emitter.fire(doc.uri);
      }
    }
  }

  async open(kind: ViewKind, source: vscode.TextDocument): Promise<void> {
    const uri = vscode.Uri.from(viewUri(kind, source.uri.toString(), source.uri.path));
    let doc = await vscode.workspace.openTextDocument(uri);
    const language = kind === "python" ? "python" : "plaintext";
    if (doc.languageId !== language) {
      doc = await vscode.languages.setTextDocumentLanguage(doc, language);
    }
    const editor = await vscode.window.showTextDocument(doc, {
      viewColumn: vscode.ViewColumn.Beside,
      preserveFocus: true,
      preview: false,
    });
    if (kind === "python") {
      // Scroll past the embedded runtime to the program's own code.
      const line = firstProgramLine(doc.getText(), source.uri.path);
      const at = new vscode.Range(line, 0, line, 0);
      editor.revealRange(at, vscode.TextEditorRevealType.AtTop);
      editor.selection = new vscode.Selection(at.start, at.start);
    }
    this.emitter.fire(uri);
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

function activeMlDocument(): vscode.TextDocument | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  if (!doc || doc.languageId !== LANGUAGE_ID) {
    void vscode.window.showWarningMessage("mlpy: open an ML (.ml) file first.");
    return undefined;
  }
  return doc;
}

let active: Server | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel("mlpy");
  let views: Views | undefined = undefined;
  const server = new Server(output, () => views?.refreshAll());
  active = server;
  views = new Views(server);
  const adopter = new Adopter();
  const refresher = new RefreshScheduler(
    () => settings().refreshDelayMs,
    () => views?.refreshAll(),
  );

  const consider = (doc: vscode.TextDocument): void => {
    if (doc.uri.scheme === "file" && doc.fileName.endsWith(".ml")) {
      const mode = settings().associateMlFiles;
      const firstLine = doc.lineCount > 0 ? doc.lineAt(0).text : undefined;
      const adopt = adopter.shouldAdopt(
        doc.uri.toString(),
        doc.languageId,
        () => isMlpyFile(doc.uri.fsPath, firstLine, mode, fs.existsSync),
        Date.now(),
      );
      if (adopt) {
        void vscode.languages.setTextDocumentLanguage(doc, LANGUAGE_ID);
        return;
      }
    }
    if (doc.languageId === LANGUAGE_ID) {
      server.ensure().catch((e) => output.appendLine(`mlpy: the server did not start: ${e}`));
    }
  };

  context.subscriptions.push(
    output,
    views,
    refresher,
    vscode.workspace.registerTextDocumentContentProvider(VIEW_SCHEMES.python, views),
    vscode.workspace.registerTextDocumentContentProvider(VIEW_SCHEMES.graph, views),
    vscode.workspace.onDidOpenTextDocument(consider),
    vscode.workspace.onDidCloseTextDocument((doc) =>
      adopter.closed(doc.uri.toString(), doc.languageId, Date.now()),
    ),
    vscode.workspace.onDidChangeTextDocument((e) =>
      refresher.changed(e.document.languageId === LANGUAGE_ID && e.contentChanges.length > 0),
    ),
    vscode.workspace.onDidSaveTextDocument((doc) => refresher.changed(doc.languageId === LANGUAGE_ID)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("mlpy.associateMlFiles")) {
        // The open `.ml` files the new rule claims become ML now, not when next opened.
        vscode.workspace.textDocuments.forEach(consider);
      }
      if (!RESTART_KEYS.some((key) => e.affectsConfiguration(`mlpy.${key}`))) {
        return;
      }
      if (server.running) {
        void server.restart().catch((err) => output.appendLine(`mlpy: restart failed: ${err}`));
      } else if (vscode.workspace.textDocuments.some((d) => d.languageId === LANGUAGE_ID)) {
        // The server did not start (a wrong mlpy.server.path, say): the changed setting
        // may be the fix, and the ML documents open now must not wait for another one.
        server.ensure().catch((err) => output.appendLine(`mlpy: the server did not start: ${err}`));
      }
    }),
    vscode.commands.registerCommand(COMMANDS.emitPython, async () => {
      const doc = activeMlDocument();
      if (doc) {
        await views?.open("python", doc);
      }
    }),
    vscode.commands.registerCommand(COMMANDS.showModuleGraph, async () => {
      const doc = activeMlDocument();
      if (doc) {
        await views?.open("graph", doc);
      }
    }),
    vscode.commands.registerCommand(COMMANDS.fetchModules, async () => {
      const doc = activeMlDocument();
      if (!doc) {
        return;
      }
      try {
        const result = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: "mlpy: fetching remote modules…" },
          () => server.execute(SERVER_COMMANDS.fetchModules, [doc.uri.toString()]),
        );
        const { message, ok } = fetchSummary(result);
        void (ok ? vscode.window.showInformationMessage(message) : vscode.window.showErrorMessage(message));
        views?.refreshAll();
      } catch (e) {
        void vscode.window.showErrorMessage(`mlpy: fetching failed: ${e instanceof Error ? e.message : e}`);
      }
    }),
    vscode.commands.registerCommand(COMMANDS.restartServer, async () => {
      try {
        await server.restart();
        void vscode.window.setStatusBarMessage("mlpy: language server restarted", 3000);
      } catch (e) {
        // Already explained (a missing mlpy, or the client's own message); VS Code's
        // "command failed" on top would add nothing.
        output.appendLine(`mlpy: the server did not start: ${e}`);
      }
    }),
    vscode.commands.registerCommand(COMMANDS.useForThisFile, async () => {
      const doc = vscode.window.activeTextEditor?.document;
      if (doc) {
        adopter.forget(doc.uri.toString());
        await vscode.languages.setTextDocumentLanguage(doc, LANGUAGE_ID);
      }
    }),
  );

  context.subscriptions.push(...registerDebugger(settings, workspaceRoot, reportServerProblem));

  vscode.workspace.textDocuments.forEach(consider);
}

export function deactivate(): Promise<void> | undefined {
  const server = active;
  active = undefined;
  return server?.stop();
}

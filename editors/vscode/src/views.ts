// "Emit Python" and "Show Module Graph": what to ask the server, how to show the answer,
// and when to refresh. No `vscode` import: tested in plain Node against fakes and
// against the real server.

import * as path from "path";
import { SERVER_COMMANDS, VIEW_SCHEMES, ViewKind } from "./ids";

/** Sends `workspace/executeCommand` to the server and resolves with its result. */
export type ExecuteCommand = (command: string, args: unknown[]) => Promise<unknown>;

/** The parts of a view document's URI (`vscode.Uri.from(parts)`). */
export interface ViewUriParts {
  scheme: string;
  path: string;
  query: string;
}

/**
 * The URI of the read-only view of `kind` for the ML document `sourceUri` (whose file
 * path is `sourcePath`): `mlpy-python:/dir/main.py?source=…` shows as `main.py` (so VS
 * Code picks Python by its extension), `mlpy-graph:/dir/main.ml (module graph)`.
 */
export function viewUri(kind: ViewKind, sourceUri: string, sourcePath: string): ViewUriParts {
  const dir = path.posix.dirname(sourcePath);
  const base = path.posix.basename(sourcePath);
  const stem = base.endsWith(".ml") ? base.slice(0, -3) : base;
  const name = kind === "python" ? `${stem}.py` : `${base} (module graph)`;
  return {
    scheme: VIEW_SCHEMES[kind],
    path: path.posix.join(dir, name),
    query: new URLSearchParams({ source: sourceUri }).toString(),
  };
}

/** The kind and the source document of a view URI, or undefined if it is not one. */
export function parseViewUri(scheme: string, query: string): { kind: ViewKind; source: string } | undefined {
  const kind = (Object.keys(VIEW_SCHEMES) as ViewKind[]).find((k) => VIEW_SCHEMES[k] === scheme);
  const source = new URLSearchParams(query).get("source");
  return kind && source ? { kind, source } : undefined;
}

interface ServerError {
  uri?: string | null;
  range?: { start: { line: number; character: number } };
  message?: string;
  code?: string | null;
}

function location(error: ServerError, sourceUri: string): string {
  const file = error.uri ? displayName(error.uri, sourceUri) : "?";
  if (!error.range) {
    return file;
  }
  return `${file}:${error.range.start.line + 1}:${error.range.start.character + 1}`;
}

/** A file URI shown relative to the source's folder when it is below it. */
export function displayName(uri: string, sourceUri: string): string {
  try {
    const file = decodeURIComponent(new URL(uri).pathname);
    const base = path.posix.dirname(decodeURIComponent(new URL(sourceUri).pathname));
    const relative = path.posix.relative(base, file);
    return relative.startsWith("..") ? file : relative;
  } catch {
    return uri;
  }
}

/** The text of the Python view: the emitted program, or the errors as Python comments. */
export function renderEmitResult(result: unknown, sourceUri: string): { text: string; ok: boolean } {
  const value = (result ?? {}) as { python?: unknown; errors?: unknown };
  if (typeof value.python === "string") {
    return { text: value.python, ok: true };
  }
  const errors = Array.isArray(value.errors) ? (value.errors as ServerError[]) : [];
  const lines = [
    `# mlpy could not emit Python for ${displayName(sourceUri, sourceUri)}:`,
    "# fix these and this view refreshes by itself.",
    "#",
  ];
  for (const error of errors) {
    const [first, ...notes] = (error.message ?? "error").split("\n");
    const code = error.code ? ` [${error.code}]` : "";
    lines.push(`# ${location(error, sourceUri)}: error${code}: ${first}`);
    for (const note of notes) {
      lines.push(`#     ${note}`);
    }
  }
  if (errors.length === 0) {
    lines.push("# (the server gave no reason)");
  }
  return { text: lines.join("\n") + "\n", ok: false };
}

/**
 * The first line of the program's own code in a single-file emit (0-based): the first
 * `# module …` section, else the entry's `# main.ml` section; the embedded runtime above
 * it is rarely what one wants to read. 0 when there is no such line.
 */
export function firstProgramLine(python: string, sourcePath: string): number {
  const lines = python.split("\n");
  const entry = `# ${path.posix.basename(sourcePath)}`;
  const module = lines.findIndex((l) => l.startsWith("# module "));
  if (module >= 0) {
    return module;
  }
  const own = lines.findIndex((l) => l === entry);
  return own >= 0 ? own : 0;
}

/** The text of the module-graph view. */
export function renderGraphResult(result: unknown): string {
  const value = (result ?? {}) as { tree?: unknown; graph?: unknown };
  if (typeof value.tree === "string") {
    return value.tree.endsWith("\n") ? value.tree : value.tree + "\n";
  }
  return JSON.stringify(value.graph ?? value, null, 2) + "\n";
}

/** The content of a view, asked of the server; a failed request becomes a readable text. */
export async function viewContent(
  kind: ViewKind,
  sourceUri: string,
  execute: ExecuteCommand,
): Promise<string> {
  const command = kind === "python" ? SERVER_COMMANDS.emitPython : SERVER_COMMANDS.showModuleGraph;
  let result: unknown;
  try {
    result = await execute(command, [sourceUri]);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const prefix = kind === "python" ? "# " : "";
    return `${prefix}mlpy: ${command} failed: ${message}\n`;
  }
  return kind === "python" ? renderEmitResult(result, sourceUri).text : renderGraphResult(result);
}

/**
 * A one-line summary of a `mlpy.fetchModules` result (`{modules, errors}`), and whether
 * everything was fetched.
 */
export function fetchSummary(result: unknown): { message: string; ok: boolean } {
  const value = (result ?? {}) as { modules?: unknown; errors?: unknown };
  const modules = Array.isArray(value.modules) ? value.modules.filter((m) => typeof m === "string") : [];
  const errors = Array.isArray(value.errors) ? (value.errors as { module?: string; message?: string }[]) : [];
  if (errors.length > 0) {
    const list = errors.map((e) => `${e.module ?? "?"}: ${e.message ?? "failed"}`).join("; ");
    return { message: `mlpy: ${errors.length} remote module(s) could not be fetched: ${list}`, ok: false };
  }
  if (modules.length === 0) {
    return { message: "mlpy: this program imports no remote modules", ok: true };
  }
  const shown = modules.slice(0, 3).join(", ") + (modules.length > 3 ? ", …" : "");
  return { message: `mlpy: fetched ${modules.length} remote module(s) into the cache: ${shown}`, ok: true };
}

/**
 * Refreshes the open views a moment after the last change to any ML document (a view
 * depends on every module its source imports, so any change may matter).
 */
export class RefreshScheduler {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly delayMs: () => number,
    private readonly refresh: () => void,
    private readonly timers: {
      set: (f: () => void, ms: number) => ReturnType<typeof setTimeout>;
      clear: (t: ReturnType<typeof setTimeout>) => void;
    } = { set: (f, ms) => setTimeout(f, ms), clear: (t) => clearTimeout(t) },
  ) {}

  /** A document changed; `isMl` tells whether it is an ML document. */
  changed(isMl: boolean): void {
    if (!isMl) {
      return;
    }
    if (this.timer !== undefined) {
      this.timers.clear(this.timer);
    }
    this.timer = this.timers.set(() => {
      this.timer = undefined;
      this.refresh();
    }, this.delayMs());
  }

  dispose(): void {
    if (this.timer !== undefined) {
      this.timers.clear(this.timer);
      this.timer = undefined;
    }
  }
}

// The extension's settings and how they reach `mlpy lsp`. No `vscode` import: tested in
// plain Node.

import * as fs from "fs";
import * as path from "path";
import type { AssociationMode } from "./association";

export interface Settings {
  /** `mlpy.server.path`: empty for `mlpy` on PATH. */
  serverPath: string;
  serverExtraArgs: string[];
  /** `mlpy.importPaths`: null to use `mlpy.json`'s `import_paths`. */
  importPaths: string[] | null;
  allowCurrentDir: boolean;
  associateMlFiles: AssociationMode;
  refreshDelayMs: number;
  trace: "off" | "messages" | "verbose";
}

/** Reads a setting below `mlpy.` (what `workspace.getConfiguration("mlpy").get` does). */
export type Getter = <T>(key: string) => T | undefined;

const MODES: readonly AssociationMode[] = ["auto", "always", "never"];
const TRACES: readonly Settings["trace"][] = ["off", "messages", "verbose"];

function strings(value: unknown): string[] | null {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : null;
}

export function readSettings(get: Getter): Settings {
  const mode = get<string>("associateMlFiles");
  const trace = get<string>("trace.server");
  const delay = get<number>("emitPython.refreshDelayMs");
  return {
    serverPath: (get<string>("server.path") ?? "").trim(),
    serverExtraArgs: strings(get("server.extraArgs")) ?? [],
    importPaths: strings(get("importPaths")),
    allowCurrentDir: get<boolean>("allowCurrentDir") === true,
    associateMlFiles: MODES.includes(mode as AssociationMode) ? (mode as AssociationMode) : "auto",
    refreshDelayMs: typeof delay === "number" && delay >= 0 ? delay : 300,
    trace: TRACES.includes(trace as Settings["trace"]) ? (trace as Settings["trace"]) : "off",
  };
}

/**
 * The settings the server reads from `initializationOptions` (and from
 * `workspace/didChangeConfiguration`): see `settings_from` in server/src/backend.rs.
 */
export interface ServerOptions {
  importPaths?: string[];
  allowCurrentDir: boolean;
}

export function initializationOptions(settings: Settings): ServerOptions {
  const options: ServerOptions = { allowCurrentDir: settings.allowCurrentDir };
  if (settings.importPaths !== null) {
    options.importPaths = settings.importPaths;
  }
  return options;
}

/** The settings whose change needs a new server process. */
export const RESTART_KEYS = ["server.path", "server.extraArgs", "importPaths", "allowCurrentDir"];

export interface ServerCommand {
  command: string;
  args: string[];
}

/**
 * The command that starts the server: `<mlpy> lsp --stdio [extra args]`. A relative
 * `serverPath` containing a slash is taken from `workspaceRoot`; a bare name is looked
 * up on PATH by the operating system.
 */
export function serverCommand(settings: Settings, workspaceRoot: string | undefined): ServerCommand {
  let command = settings.serverPath || "mlpy";
  if (command.startsWith("~/") && process.env.HOME) {
    command = path.join(process.env.HOME, command.slice(2));
  } else if (!path.isAbsolute(command) && command.includes("/") && workspaceRoot) {
    command = path.join(workspaceRoot, command);
  }
  return { command, args: ["lsp", "--stdio", ...settings.serverExtraArgs] };
}

/**
 * Explains why `command` cannot be started, or returns undefined when it looks fine
 * (an executable file, or a bare name found on PATH).
 */
export function serverProblem(
  command: string,
  envPath: string | undefined,
  isExecutable: (file: string) => boolean = executable,
): string | undefined {
  if (command.includes("/") || command.includes(path.sep)) {
    return isExecutable(command)
      ? undefined
      : `the mlpy executable '${command}' (setting mlpy.server.path) does not exist or is not executable`;
  }
  const dirs = (envPath ?? "").split(path.delimiter).filter((d) => d.length > 0);
  if (dirs.some((dir) => isExecutable(path.join(dir, command)))) {
    return undefined;
  }
  return `'${command}' was not found on PATH: install mlpy (cargo install --path .) or set mlpy.server.path`;
}

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

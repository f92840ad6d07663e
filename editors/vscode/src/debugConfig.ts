// The `mlpy` debugger's configurations: the one "Run and Debug" starts from, how a
// configuration is completed before a session (no launch.json needed for the ML file in
// the editor), and the adapter's command (`mlpy dap`, the executable of the language
// server). No `vscode` import: tested in plain Node.

import * as path from "path";
import { LANGUAGE_ID } from "./ids";
import { serverCommand, serverProblem, type ServerCommand, type Settings } from "./settings";

/** The debugger type contributed in package.json. */
export const DEBUG_TYPE = "mlpy";

/** A launch configuration as VS Code passes it (launch.json's, or empty without one). */
export interface LaunchConfig {
  type?: string;
  request?: string;
  name?: string;
  program?: string;
  cwd?: string;
  stopOnEntry?: boolean;
  [key: string]: unknown;
}

/** The document in the active editor. */
export interface ActiveFile {
  path: string;
  languageId: string;
}

/** The configuration a new launch.json gets (package.json's `initialConfigurations`). */
export function initialConfiguration(): LaunchConfig {
  return {
    type: DEBUG_TYPE,
    request: "launch",
    name: "Debug ML file",
    program: "${file}",
    cwd: "${workspaceFolder}",
    stopOnEntry: false,
  };
}

/**
 * Completes `config` before a session starts: without launch.json (an empty
 * configuration) the ML file in the editor is debugged; a missing `program` is that file,
 * a missing `cwd` the workspace folder (else the program's folder). Returns the
 * configuration, or why there is none to run.
 */
export function resolveConfiguration(
  config: LaunchConfig,
  active: ActiveFile | undefined,
  workspaceRoot: string | undefined,
): { config: LaunchConfig } | { problem: string } {
  const activeMl = active && active.languageId === LANGUAGE_ID ? active.path : undefined;
  const resolved: LaunchConfig = { ...config };
  if (!resolved.type && !resolved.request && !resolved.name) {
    if (!activeMl) {
      return { problem: "open an ML file to debug it, or add an mlpy launch configuration" };
    }
    resolved.type = DEBUG_TYPE;
    resolved.request = "launch";
    resolved.name = `Debug ${path.basename(activeMl)}`;
  }
  if (resolved.request !== "launch") {
    return { problem: 'the mlpy debugger launches programs: use "request": "launch"' };
  }
  if (typeof resolved.program !== "string" || resolved.program.trim() === "") {
    if (!activeMl) {
      return { problem: 'set "program" to the ML file to debug, or open it in the editor' };
    }
    resolved.program = activeMl;
  }
  if (typeof resolved.cwd !== "string" || resolved.cwd.trim() === "") {
    resolved.cwd = workspaceRoot ?? path.dirname(resolved.program);
  }
  return { config: resolved };
}

/** The debug adapter: `<mlpy> dap`, with the `mlpy` the language client uses. */
export function adapterCommand(settings: Settings, workspaceRoot: string | undefined): ServerCommand {
  return { command: serverCommand(settings, workspaceRoot).command, args: ["dap"] };
}

/**
 * Why the adapter cannot start (its `mlpy` is missing or not executable), or undefined.
 * Asked before a session: VS Code's own error for an adapter that does not spawn names
 * neither the setting nor the fix.
 */
export function adapterProblem(
  settings: Settings,
  workspaceRoot: string | undefined,
  envPath: string | undefined,
  isExecutable?: (file: string) => boolean,
): string | undefined {
  return serverProblem(adapterCommand(settings, workspaceRoot).command, envPath, isExecutable);
}

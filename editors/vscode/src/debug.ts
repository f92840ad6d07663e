// The `mlpy` debugger in VS Code: the configuration provider ("Run and Debug" on an ML
// file with no launch.json) and the adapter, `mlpy dap` over stdio. The logic is in
// debugConfig.ts.

import * as vscode from "vscode";
import { adapterCommand, adapterProblem, DEBUG_TYPE, initialConfiguration, resolveConfiguration } from "./debugConfig";
import type { Settings } from "./settings";

/**
 * `reportServerProblem` shows why `mlpy` cannot be started (the language client's own
 * message, with its "Open Settings").
 */
export function registerDebugger(
  settings: () => Settings,
  workspaceRoot: () => string | undefined,
  reportServerProblem: (problem: string) => void,
): vscode.Disposable[] {
  const provider: vscode.DebugConfigurationProvider = {
    provideDebugConfigurations: () => [initialConfiguration() as vscode.DebugConfiguration],
    resolveDebugConfiguration: (folder, config) => {
      const doc = vscode.window.activeTextEditor?.document;
      const active = doc ? { path: doc.uri.fsPath, languageId: doc.languageId } : undefined;
      const result = resolveConfiguration(config, active, folder?.uri.fsPath ?? workspaceRoot());
      if ("problem" in result) {
        void vscode.window.showErrorMessage(`mlpy: ${result.problem}`);
        // undefined: the session is not started (null would open launch.json).
        return undefined;
      }
      const problem = adapterProblem(settings(), workspaceRoot(), process.env.PATH);
      if (problem) {
        reportServerProblem(problem);
        return undefined;
      }
      return result.config as vscode.DebugConfiguration;
    },
  };
  const factory: vscode.DebugAdapterDescriptorFactory = {
    createDebugAdapterDescriptor: () => {
      const { command, args } = adapterCommand(settings(), workspaceRoot());
      return new vscode.DebugAdapterExecutable(command, args);
    },
  };
  return [
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, provider),
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, factory),
  ];
}

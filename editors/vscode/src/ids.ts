// Names shared by the extension, its manifest (package.json) and the language server.
// No `vscode` import here: the tests load this module in plain Node.

export const LANGUAGE_ID = "ml";
export const CLIENT_ID = "mlpy";
/** vscode-languageclient's messages put it before "server" ("The mlpy server crashed …"). */
export const CLIENT_NAME = "mlpy";

/** Palette commands contributed by the extension (see package.json). */
export const COMMANDS = {
  emitPython: "mlpy.client.emitPython",
  showModuleGraph: "mlpy.client.showModuleGraph",
  restartServer: "mlpy.client.restartServer",
  fetchModules: "mlpy.client.fetchModules",
  useForThisFile: "mlpy.client.useForThisFile",
} as const;

/**
 * `workspace/executeCommand` commands of `mlpy lsp`. vscode-languageclient registers
 * these names as VS Code commands itself, so the palette commands above use other names.
 */
export const SERVER_COMMANDS = {
  emitPython: "mlpy.emitPython",
  showModuleGraph: "mlpy.showModuleGraph",
  fetchModules: "mlpy.fetchModules",
  /** Runs one test; the arguments of the "Run test" code lenses. */
  runTest: "mlpy.runTest",
} as const;

/** URI schemes of the read-only documents the extension shows. */
export const VIEW_SCHEMES = {
  python: "mlpy-python",
  graph: "mlpy-graph",
} as const;

export type ViewKind = keyof typeof VIEW_SCHEMES;

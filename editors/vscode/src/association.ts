// Which `.ml` files are ML (mlpy) rather than OCaml, which uses the same extension.
// No `vscode` import: tested in plain Node.

import * as fs from "fs";
import * as path from "path";

/** `mlpy.associateMlFiles`. */
export type AssociationMode = "auto" | "always" | "never";

/** A first line that makes any `.ml` file ML: `// mlpy` (optionally followed by more text). */
export const MARKER = /^\uFEFF?\s*\/\/\s*mlpy\b/;

export const CONFIG_FILE = "mlpy.json";

/** The folder holding the nearest `mlpy.json` at or above `dir`, or undefined. */
export function findProjectRoot(
  dir: string,
  exists: (file: string) => boolean,
): string | undefined {
  let current = path.resolve(dir);
  for (;;) {
    if (exists(path.join(current, CONFIG_FILE))) {
      return current;
    }
    const parent = path.dirname(current);
    if (parent === current) {
      return undefined;
    }
    current = parent;
  }
}

export function hasMarker(firstLine: string | undefined): boolean {
  return firstLine !== undefined && MARKER.test(firstLine);
}

/**
 * Whether the file at `fsPath` is ML: it must end in `.ml`; then `always` says yes,
 * `never` only for the first-line marker, and `auto` also when an `mlpy.json` is found
 * in its folder or a folder above.
 */
export function isMlpyFile(
  fsPath: string,
  firstLine: string | undefined,
  mode: AssociationMode,
  exists: (file: string) => boolean,
): boolean {
  if (path.extname(fsPath) !== ".ml") {
    return false;
  }
  if (mode === "always" || hasMarker(firstLine)) {
    return true;
  }
  if (mode === "never") {
    return false;
  }
  return findProjectRoot(path.dirname(fsPath), exists) !== undefined;
}

/** The first line of a file (at most 256 bytes of it), or undefined if unreadable. */
export function readFirstLine(file: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, "r");
    const buffer = Buffer.alloc(256);
    const n = fs.readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, n).toString("utf8").split(/\r?\n|\r/)[0];
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) {
      fs.closeSync(fd);
    }
  }
}

/**
 * Whether to show the diagnostics the server publishes for `fsPath`. `mlpy lsp` checks
 * every `.ml` file under the workspace folders, OCaml files included; those that are not
 * ML by the association rule (and not open as ML) keep no diagnostics from it.
 */
export function keepDiagnostics(
  fsPath: string,
  openAsMl: boolean,
  mode: AssociationMode,
  exists: (file: string) => boolean = fs.existsSync,
  firstLine: (file: string) => string | undefined = readFirstLine,
): boolean {
  if (openAsMl || path.extname(fsPath) !== ".ml") {
    return true;
  }
  return isMlpyFile(fsPath, firstLine(fsPath), mode, exists);
}

/**
 * Remembers which documents the extension switched to ML, so that a user who switches
 * one back (to OCaml, say) is not overruled. VS Code changes a document's language by
 * closing it and opening it again at once; a document closed for real and opened later
 * is a new decision.
 */
export class Adopter {
  private readonly adopted = new Set<string>();
  private readonly declined = new Set<string>();
  private readonly closedAt = new Map<string, number>();

  /** How soon after a close an open counts as the same document changing language. */
  static readonly SWITCH_WINDOW_MS = 1000;

  /**
   * Called for every opened document; returns whether to switch it to ML now.
   * `isMl` is consulted only for documents that are not ML yet and not declined.
   */
  shouldAdopt(uri: string, languageId: string, isMl: () => boolean, now: number): boolean {
    if (languageId === "ml" || this.declined.has(uri)) {
      return false;
    }
    const closed = this.closedAt.get(uri);
    this.closedAt.delete(uri);
    if (this.adopted.has(uri)) {
      this.adopted.delete(uri);
      if (closed !== undefined && now - closed <= Adopter.SWITCH_WINDOW_MS) {
        // We switched it to ML and it came straight back as something else: the user's choice.
        this.declined.add(uri);
        return false;
      }
    }
    if (!isMl()) {
      return false;
    }
    this.adopted.add(uri);
    return true;
  }

  /** A document was closed (also the first half of a language change). */
  closed(uri: string, languageId: string, now: number): void {
    if (languageId === "ml" && this.adopted.has(uri)) {
      this.closedAt.set(uri, now);
    }
  }

  /** The user asked for ML explicitly (command "Treat This .ml File as ML"). */
  forget(uri: string): void {
    this.declined.delete(uri);
    this.adopted.delete(uri);
    this.closedAt.delete(uri);
  }
}

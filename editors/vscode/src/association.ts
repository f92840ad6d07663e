// Which `.ml` files are ML (mlpy) rather than OCaml, which uses the same extension.
// No `vscode` import: tested in plain Node.

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

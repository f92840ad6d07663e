import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { Adopter, findProjectRoot, hasMarker, isMlpyFile, keepDiagnostics, readFirstLine } from "../src/association";

// A fake file system: the set of files that exist.
function fsWith(...files: string[]): (file: string) => boolean {
  const set = new Set(files.map((f) => path.resolve(f)));
  return (file) => set.has(path.resolve(file));
}

describe("association of .ml files", () => {
  const project = fsWith("/work/shapes/mlpy.json");

  it("finds mlpy.json in the folder or any folder above", () => {
    assert.equal(findProjectRoot("/work/shapes", project), "/work/shapes");
    assert.equal(findProjectRoot("/work/shapes/lib/geometry", project), "/work/shapes");
    assert.equal(findProjectRoot("/work/ocaml/src", project), undefined);
  });

  it("auto: ML below an mlpy.json, OCaml elsewhere", () => {
    assert.equal(isMlpyFile("/work/shapes/lib/geometry/core.ml", "function f() {", "auto", project), true);
    assert.equal(isMlpyFile("/work/ocaml/src/main.ml", "let () = print_endline \"hi\"", "auto", project), false);
  });

  it("the first-line marker makes any .ml file ML, in every mode", () => {
    for (const mode of ["auto", "never", "always"] as const) {
      assert.equal(isMlpyFile("/tmp/x.ml", "// mlpy: a script", mode, project), true, mode);
    }
    assert.equal(hasMarker("//mlpy"), true);
    assert.equal(hasMarker("\uFEFF// mlpy"), true);
    assert.equal(hasMarker("// mlpyx"), false);
    assert.equal(hasMarker("(* mlpy *)"), false);
    assert.equal(hasMarker(undefined), false);
  });

  it("always and never", () => {
    assert.equal(isMlpyFile("/work/ocaml/main.ml", "let x = 1", "always", project), true);
    assert.equal(isMlpyFile("/work/shapes/main.ml", "x = 1;", "never", project), false);
  });

  it("only .ml files", () => {
    assert.equal(isMlpyFile("/work/shapes/main.mli", "// mlpy", "always", project), false);
    assert.equal(isMlpyFile("/work/shapes/mlpy.json", undefined, "always", project), false);
  });
});

describe("diagnostics of files that are not ML", () => {
  const project = fsWith("/work/shapes/mlpy.json");
  const lines: Record<string, string> = { "/work/ocaml/a.ml": "let x = 1", "/work/ocaml/b.ml": "// mlpy" };
  const first = (f: string) => lines[f];

  it("are dropped for OCaml files, kept for ML files, open ML documents and other files", () => {
    assert.equal(keepDiagnostics("/work/ocaml/a.ml", false, "auto", project, first), false);
    assert.equal(keepDiagnostics("/work/ocaml/b.ml", false, "auto", project, first), true);
    assert.equal(keepDiagnostics("/work/ocaml/a.ml", true, "auto", project, first), true, "opened as ML by the user");
    assert.equal(keepDiagnostics("/work/shapes/lib/x.ml", false, "auto", project, first), true);
    assert.equal(keepDiagnostics("/work/ocaml/a.ml", false, "always", project, first), true);
    assert.equal(keepDiagnostics("/work/shapes/mlpy.json", false, "never", project, first), true);
  });

  it("reads the first line from the disk", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlpy-first-line-"));
    try {
      fs.writeFileSync(path.join(dir, "a.ml"), "// mlpy entry\r\nprint(1);\n");
      fs.writeFileSync(path.join(dir, "empty.ml"), "");
      assert.equal(readFirstLine(path.join(dir, "a.ml")), "// mlpy entry");
      assert.equal(readFirstLine(path.join(dir, "empty.ml")), "");
      assert.equal(readFirstLine(path.join(dir, "missing.ml")), undefined);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("Adopter", () => {
  const uri = "file:///work/shapes/main.ml";

  it("adopts an ML file once and leaves documents already ML alone", () => {
    const a = new Adopter();
    assert.equal(a.shouldAdopt(uri, "ocaml", () => true, 0), true);
    // VS Code closes the OCaml document and opens it again as ML.
    a.closed(uri, "ocaml", 1);
    assert.equal(a.shouldAdopt(uri, "ml", () => true, 2), false);
  });

  it("never asks about files that are not ML", () => {
    const a = new Adopter();
    assert.equal(a.shouldAdopt(uri, "plaintext", () => false, 0), false);
  });

  it("respects a user who switches an adopted document back", () => {
    const a = new Adopter();
    assert.equal(a.shouldAdopt(uri, "plaintext", () => true, 0), true);
    a.closed(uri, "ml", 5000);
    assert.equal(a.shouldAdopt(uri, "ocaml", () => true, 5010), false, "switched back: declined");
    assert.equal(a.shouldAdopt(uri, "ocaml", () => true, 99999), false, "stays declined");
    a.forget(uri);
    assert.equal(a.shouldAdopt(uri, "ocaml", () => true, 100000), true, "the explicit command wins");
  });

  it("adopts again a document closed for real and opened later", () => {
    const a = new Adopter();
    assert.equal(a.shouldAdopt(uri, "ocaml", () => true, 0), true);
    a.closed(uri, "ml", 1000);
    assert.equal(a.shouldAdopt(uri, "ocaml", () => true, 1000 + 60_000), true);
  });
});

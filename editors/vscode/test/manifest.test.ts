// package.json and language-configuration.json agree with the code.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { MARKER } from "../src/association";
import { CLIENT_ID, COMMANDS, LANGUAGE_ID, SERVER_COMMANDS } from "../src/ids";
import { readSettings } from "../src/settings";

const root = path.join(__dirname, "..", "..");
const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
const languageConfig = JSON.parse(fs.readFileSync(path.join(root, "language-configuration.json"), "utf8"));

describe("package.json", () => {
  it("contributes every palette command, titled 'mlpy: …', and none of the server's own", () => {
    const contributed: string[] = manifest.contributes.commands.map((c: { command: string }) => c.command).sort();
    assert.deepEqual(contributed, (Object.values(COMMANDS) as string[]).sort());
    const titles = Object.fromEntries(
      manifest.contributes.commands.map((c: { command: string; category: string; title: string }) => [
        c.command,
        `${c.category}: ${c.title}`,
      ]),
    );
    assert.equal(titles[COMMANDS.emitPython], "mlpy: Emit Python");
    assert.equal(titles[COMMANDS.showModuleGraph], "mlpy: Show Module Graph");
    assert.equal(titles[COMMANDS.restartServer], "mlpy: Restart Language Server");
    // vscode-languageclient registers the server's executeCommand names itself.
    for (const name of Object.values(SERVER_COMMANDS)) {
      assert.ok(!contributed.includes(name), name);
    }
  });

  it("declares the language without claiming the .ml extension (OCaml keeps it)", () => {
    const [language] = manifest.contributes.languages;
    assert.equal(language.id, LANGUAGE_ID);
    assert.equal(language.extensions, undefined);
    assert.ok(fs.existsSync(path.join(root, language.configuration)));
    // The firstLine marker VS Code uses is the one the extension checks.
    const firstLine = new RegExp(language.firstLine);
    for (const line of ["// mlpy", "//mlpy entry", "// mlpy: x"]) {
      assert.ok(firstLine.test(line) && MARKER.test(line), line);
    }
    assert.ok(!firstLine.test("let x = 1") && !firstLine.test("// mlpyx"));
    const [grammar] = manifest.contributes.grammars;
    assert.equal(grammar.language, LANGUAGE_ID);
    assert.equal(
      JSON.parse(fs.readFileSync(path.join(root, grammar.path), "utf8")).scopeName,
      grammar.scopeName,
    );
  });

  it("activates for mlpy workspaces and for .ml files VS Code gives to other languages", () => {
    assert.ok(manifest.activationEvents.includes("workspaceContains:**/mlpy.json"));
    assert.ok(manifest.activationEvents.includes("onLanguage:ocaml"));
    assert.ok(manifest.activationEvents.includes("onLanguage:plaintext"));
    // The esbuild bundle (`npm run bundle`), not tsc's output: one file in the .vsix.
    assert.equal(manifest.main, "./dist/extension.js");
  });

  it("every setting the code reads is declared, with the declared defaults", () => {
    const props = manifest.contributes.configuration.properties;
    const read: string[] = [];
    const defaults = readSettings(<T>(key: string): T | undefined => {
      read.push(key);
      return props[`mlpy.${key}`]?.default as T | undefined;
    });
    for (const key of read) {
      assert.ok(props[`mlpy.${key}`], `mlpy.${key} is not declared`);
    }
    assert.deepEqual(defaults, {
      serverPath: "",
      serverExtraArgs: [],
      importPaths: null,
      allowCurrentDir: false,
      associateMlFiles: "auto",
      refreshDelayMs: 300,
      trace: "off",
    });
    // vscode-languageclient reads `<client id>.trace.server`.
    assert.ok(props[`${CLIENT_ID}.trace.server`]);
  });

  it("pins exact versions", () => {
    for (const deps of [manifest.dependencies, manifest.devDependencies]) {
      for (const [name, version] of Object.entries(deps)) {
        assert.match(String(version), /^\d+\.\d+\.\d+$/, name);
      }
    }
  });
});

describe("language-configuration.json", () => {
  it("uses // line comments and no block comments (ML has none)", () => {
    assert.deepEqual(languageConfig.comments, { lineComment: "//" });
  });

  it("pairs brackets and both quote styles", () => {
    const opens = languageConfig.autoClosingPairs.map((p: { open: string }) => p.open);
    assert.deepEqual(opens.sort(), ['"', "'", "(", "[", "{"].sort());
  });

  it("indents after an opening bracket and outdents a closing one", () => {
    const inc = new RegExp(languageConfig.indentationRules.increaseIndentPattern);
    const dec = new RegExp(languageConfig.indentationRules.decreaseIndentPattern);
    for (const line of ["function f(a) {", "if (x) {", "xs = [", "f(", "o = { // options"]) {
      assert.ok(inc.test(line), `increase after: ${line}`);
    }
    for (const line of ["x = 1;", "} else {}", "// a { in a comment", "s = '{';"]) {
      assert.ok(!inc.test(line), `no increase after: ${line}`);
    }
    for (const line of ["}", "  ];", ")"]) {
      assert.ok(dec.test(line), `decrease: ${line}`);
    }
    assert.ok(!dec.test("x = {};"));
  });

  it("the word pattern keeps signed numbers and names whole", () => {
    const word = new RegExp(`^(?:${languageConfig.wordPattern})$`);
    for (const w of ["area", "_x1", "-5", "2.5e10", ".5"]) {
      assert.ok(word.test(w), w);
    }
  });
});

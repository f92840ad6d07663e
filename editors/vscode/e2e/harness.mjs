// Runs the packaged extension (editors/vscode/mlpy.vsix) in real VS Code for the
// end-to-end test: code-server (installed by setup.mjs) on 127.0.0.1 with a fresh user
// data folder, extensions folder and copy of a fixture workspace, opened in Debian's
// Chromium driven by playwright-core; plus the few workbench gestures the scenarios use
// (open a file from the explorer, run a palette command, read an editor's visible lines,
// the Problems panel, the status bar). Every wait is for a state of the UI, with a
// deadline; nothing sleeps for a fixed time.

import { spawn, spawnSync } from "node:child_process";
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const E2E = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(E2E, "..", "..", "..");
const TARGET = process.env.CARGO_TARGET_DIR ? resolve(REPO, process.env.CARGO_TARGET_DIR) : join(REPO, "target");
/** Where a run leaves its logs, and screenshots of failures. */
export const ARTIFACTS = join(TARGET, "vscode-e2e");

const EXTENSION = join(E2E, "..");
const VSIX = join(EXTENSION, "mlpy.vsix");
const MLPY = process.env.MLPY_SERVER ? resolve(process.env.MLPY_SERVER) : join(TARGET, "debug", "mlpy");
const CODE_SERVER = join(E2E, "node_modules", "code-server", "out", "node", "entry.js");
const CHROMIUM = process.env.MLPY_E2E_CHROMIUM ?? "/usr/bin/chromium";
/** The Python that runs debugged programs (it needs debugpy); `cargo xtask test` sets it. */
const DEBUG_PYTHON = process.env.MLPY_TEST_PYTHON ?? join(REPO, ".tools", "venv", "bin", "python");
// Without the background-networking flags Chromium keeps trying to reach Google's hosts,
// which this machine's closed network refuses; a fresh profile is the launch's own folder.
const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const VIEWPORT = { width: 1400, height: 820 };
/** The first load of the workbench on a cold, busy 2-core machine can be slow. */
const STARTUP_MS = 120_000;
/** Any later UI state. */
const STATE_MS = 30_000;

/**
 * Reads a state of the UI with `read` until `ok(state)`, and returns that state; after
 * the deadline the error names `what` and the last state read.
 */
export async function waitUntil(what, read, ok, timeoutMs = STATE_MS) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await read();
      if (ok(last)) {
        return last;
      }
    } catch (e) {
      last = `(${e instanceof Error ? e.message : e})`;
    }
    if (Date.now() > deadline) {
      const seen = typeof last === "string" ? last : JSON.stringify(last, null, 1);
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}; last seen: ${seen}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function slug(text) {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 60);
}

/**
 * The settings of the machine code-server runs on (its "Remote" settings): the server
 * under test. `mlpy.server.path` is machine-overridable, and a remote window such as
 * code-server's drops such settings from the user settings when it reloads the
 * configuration (starting a debug session does): set there, the extension would restart
 * the server with `mlpy` from PATH midway.
 */
function machineSettings() {
  return { "mlpy.server.path": MLPY };
}

/** The settings a fresh profile gets: no network or tips. */
function userSettings() {
  return {
    "workbench.startupEditor": "none",
    "workbench.colorTheme": "Default Dark Modern",
    "workbench.tips.enabled": false,
    "telemetry.telemetryLevel": "off",
    "update.mode": "none",
    "extensions.autoCheckUpdates": false,
    "extensions.autoUpdate": false,
    "extensions.ignoreRecommendations": true,
    "security.workspace.trust.enabled": false,
    "git.enabled": false,
    "chat.commandCenter.enabled": false,
    "editor.minimap.enabled": false,
    "remote.autoForwardPorts": false,
    // The scenarios read the lines' text, which would include parameter-name hints.
    "editor.inlayHints.enabled": "off",
    // As users turn it on: the formatDocument scenario saves a badly typed line.
    "[ml]": { "editor.formatOnSave": true },
  };
}

/** One running VS Code with the extension, on a copy of a fixture workspace. */
export class VsCode {
  /** @param {{page: import("playwright-core").Page, context: import("playwright-core").BrowserContext}} parts */
  constructor(tmp, workspace, server, parts, consoleLog) {
    this.tmp = tmp;
    this.workspace = workspace;
    this.server = server;
    this.page = parts.page;
    this.context = parts.context;
    this.consoleLog = consoleLog;
  }

  // ---- the workbench

  editorGroup(index) {
    return this.page.locator(".editor-group-container").nth(index);
  }

  tab(name) {
    return this.page.locator(`.tabs-container .tab[data-resource-name="${name}"]`);
  }

  /** Waits until the active editor shows `name` (a file's base name). */
  async waitForActiveTab(name) {
    await this.page.locator(`.editor-group-container.active .tab.active[data-resource-name="${name}"]`).waitFor();
  }

  /** Opens `relPath` (e.g. "lib/shapes.ml") by double clicks in the explorer, as a person would. */
  async openFile(relPath) {
    const parts = relPath.split("/");
    const explorer = this.page.locator(".explorer-folders-view");
    for (const [i, name] of parts.entries()) {
      const row = explorer.locator(`.monaco-list-row[aria-label="${name}"]`).first();
      if (i < parts.length - 1) {
        if ((await row.getAttribute("aria-expanded")) !== "true") {
          await row.click();
        }
      } else {
        await row.dblclick();
      }
    }
    await this.waitForActiveTab(parts.at(-1));
  }

  /** Runs a command from the command palette by its title ("mlpy: Emit Python"). */
  async runCommand(title) {
    await this.page.keyboard.press("Control+Shift+P");
    const input = this.page.locator(".quick-input-widget input");
    await input.waitFor();
    await input.fill(`>${title}`);
    // Enter runs the focused row: wait until that is the command asked for, by its whole
    // label ("Format Document", not "Format Document With...").
    const escaped = title.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const label = new RegExp("^\\s*" + escaped + "\\s*$");
    try {
      await this.page
        .locator(".quick-input-widget .monaco-list-row.focused .label-name")
        .filter({ hasText: label })
        .waitFor();
    } catch (e) {
      await this.page.keyboard.press("Escape"); // leave no palette over the next steps
      throw e;
    }
    await this.page.keyboard.press("Enter");
    await input.waitFor({ state: "hidden" });
  }

  /** The lines an editor group shows now, top to bottom (Monaco renders only those). */
  async visibleLines(groupIndex) {
    const lines = this.editorGroup(groupIndex).locator(".monaco-editor .view-lines");
    return lines.evaluate((el) =>
      [...el.querySelectorAll(":scope > .view-line")]
        .map((line) => ({ top: parseFloat(line.style.top) || 0, text: line.textContent.replace(/\u00a0/g, " ") }))
        .sort((a, b) => a.top - b.top)
        .map((line) => line.text),
    );
  }

  /** Waits until the visible lines of a group include every one of `wanted` (strings, trimmed). */
  async waitForLines(groupIndex, wanted, what) {
    return waitUntil(
      what,
      async () => (await this.visibleLines(groupIndex)).map((l) => l.trim()),
      (lines) => wanted.every((w) => lines.includes(w)),
    );
  }

  /**
   * The middle of the first token `word` the editor of a group shows. Gestures go to
   * this point with the mouse: Playwright's own element actions scroll the element into
   * view first, which scrolls Monaco's clipped DOM behind its back and makes later
   * clicks land on other text.
   */
  async tokenPoint(groupIndex, word) {
    const token = this.editorGroup(groupIndex)
      .locator(".view-lines .view-line span span")
      .filter({ hasText: new RegExp(`^${word}$`) })
      .first();
    // Monaco renders a line's spans again after an edit (a format, a semantic-token
    // refresh): a span found a moment ago may be gone when its box is asked for. Ask
    // again until one stays (the element is looked up afresh each time).
    const deadline = Date.now() + 10_000;
    for (;;) {
      await token.waitFor();
      const box = await token.boundingBox().catch(() => null);
      if (box) {
        return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
      }
      if (Date.now() > deadline) {
        throw new Error(`the token ${word} is not on screen`);
      }
      await this.page.waitForTimeout(100);
    }
  }

  async clickToken(groupIndex, word, clickCount = 1) {
    const { x, y } = await this.tokenPoint(groupIndex, word);
    await this.page.mouse.click(x, y, { clickCount });
  }

  async hoverToken(groupIndex, word) {
    const { x, y } = await this.tokenPoint(groupIndex, word);
    // Two moves: VS Code starts a hover on a mouse move inside the word.
    await this.page.mouse.move(x - 2, y);
    await this.page.mouse.move(x, y);
  }

  /** The text of a status bar entry (`status.editor.selection`, `status.editor.mode`, …). */
  statusBar(id) {
    return this.page.locator(`[id="${id}"]`);
  }

  /** The rows of the Problems panel (their accessible labels), opening it first. */
  async problemRows() {
    const panel = this.page.locator(".markers-panel");
    if (!(await panel.isVisible())) {
      await this.runCommand("Problems: Focus on Problems View");
      await panel.waitFor();
    }
    return panel.locator(".monaco-list-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("aria-label") ?? ""));
  }

  /** Moves the mouse off the editors and closes hovers and suggestions. */
  async calm() {
    await this.page.mouse.move(VIEWPORT.width - 5, 5);
    await this.page.keyboard.press("Escape");
  }

  // ---- evidence

  /**
   * A picture of the window as a person sees it now: into $MLPY_VSCODE_SCREENSHOTS (the
   * docs' images come from there: `MLPY_VSCODE_SCREENSHOTS=docs/images`), else into the
   * run's artifacts.
   */
  async screenshot(name) {
    const dir = process.env.MLPY_VSCODE_SCREENSHOTS
      ? resolve(process.env.MLPY_VSCODE_SCREENSHOTS)
      : join(ARTIFACTS, "screenshots");
    mkdirSync(dir, { recursive: true });
    await this.calm();
    await this.page.screenshot({ path: join(dir, `${name}.png`) });
  }

  /** Runs one scenario; when it fails, saves a screenshot, the console log and VS Code's logs. */
  async step(name, body) {
    try {
      await body(this);
    } catch (e) {
      const file = join(ARTIFACTS, `failed-${slug(name)}.png`);
      await this.page.screenshot({ path: file }).catch(() => undefined);
      this.saveLogs();
      throw new Error(`${e instanceof Error ? e.message : e}\n(screenshot: ${file}; logs: ${ARTIFACTS})`, {
        cause: e,
      });
    }
  }

  /** The page's console, and VS Code's own logs (the extension host, the mlpy output channel). */
  saveLogs() {
    writeFileSync(join(ARTIFACTS, "console.log"), this.consoleLog.join("\n") + "\n");
    const logs = join(this.tmp, "user-data", "logs");
    if (existsSync(logs)) {
      cpSync(logs, join(ARTIFACTS, "vscode-logs"), { recursive: true });
    }
  }

  async close() {
    writeFileSync(join(ARTIFACTS, "console.log"), this.consoleLog.join("\n") + "\n");
    await this.context.close().catch(() => undefined);
    await stopProcessGroup(this.server);
    rmSync(this.tmp, { recursive: true, force: true });
  }
}

/** Ends code-server and what it started (extension host, `mlpy lsp`): its process group. */
async function stopProcessGroup(child) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = new Promise((r) => child.once("exit", r));
  const kill = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  kill("SIGTERM");
  const timer = setTimeout(() => kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

function ensure(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

/** A source of the extension changed after mlpy.vsix was packaged (the test would run old code). */
function newerThanVsix() {
  const packaged = statSync(VSIX).mtimeMs;
  const sources = [
    "package.json",
    ...readdirSync(join(EXTENSION, "src"), { recursive: true }).map((f) => join("src", f)),
  ];
  return sources.find((f) => statSync(join(EXTENSION, f)).mtimeMs > packaged);
}

/**
 * Starts code-server with the freshly packaged extension on a copy of `fixture`, and
 * Chromium showing it; resolves when the explorer shows the workspace.
 */
export async function startVsCode({ fixture }) {
  ensure(existsSync(CODE_SERVER), `${CODE_SERVER} is missing: run node editors/vscode/e2e/setup.mjs`);
  ensure(existsSync(CHROMIUM), `${CHROMIUM} is missing: run node editors/vscode/e2e/setup.mjs (as root)`);
  ensure(existsSync(VSIX), `${VSIX} is missing: run npm run package in editors/vscode`);
  const changed = newerThanVsix();
  ensure(!changed, `editors/vscode/${changed} changed after ${VSIX} was packaged: run npm run package`);
  ensure(existsSync(MLPY), `${MLPY} is missing: run cargo build --bin mlpy`);
  const debugpy = spawnSync(DEBUG_PYTHON, ["-c", "import debugpy"], { encoding: "utf8" });
  ensure(
    debugpy.status === 0,
    `${DEBUG_PYTHON} cannot import debugpy (the debugging scenario needs it): set MLPY_TEST_PYTHON to a ` +
      "Python with debugpy, or run cargo xtask test, which installs it into .tools/venv",
  );

  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  const tmp = mkdtempSync(join(tmpdir(), "mlpy-vscode-e2e-"));
  const workspace = join(tmp, "project");
  cpSync(fixture, workspace, { recursive: true });
  const userData = join(tmp, "user-data");
  mkdirSync(join(userData, "User"), { recursive: true });
  writeFileSync(join(userData, "User", "settings.json"), JSON.stringify(userSettings(), null, 2));
  mkdirSync(join(userData, "Machine"), { recursive: true });
  writeFileSync(join(userData, "Machine", "settings.json"), JSON.stringify(machineSettings(), null, 2));
  // code-server, its config file and Chromium write nothing into the home folder, and
  // nothing outside this run's folder: VS Code's IPC sockets (`vscode-ipc-*.sock`) go to
  // XDG_RUNTIME_DIR, else to the system's temporary folder, where they stayed.
  const runtimeDir = join(tmp, "xdg-runtime");
  mkdirSync(runtimeDir, { mode: 0o700 });
  const tempDir = join(tmp, "temp");
  mkdirSync(tempDir);
  const env = {
    ...process.env,
    // `mlpy dap` runs the debugged programs with it.
    MLPY_PYTHON: DEBUG_PYTHON,
    XDG_CONFIG_HOME: join(tmp, "xdg-config"),
    XDG_DATA_HOME: join(tmp, "xdg-data"),
    XDG_CACHE_HOME: join(tmp, "xdg-cache"),
    XDG_RUNTIME_DIR: runtimeDir,
    TMPDIR: tempDir,
  };
  const common = [
    CODE_SERVER,
    "--config",
    join(tmp, "code-server.yaml"),
    "--user-data-dir",
    userData,
    "--extensions-dir",
    join(tmp, "extensions"),
  ];

  const install = spawnSync(process.execPath, [...common, "--install-extension", VSIX], { env, encoding: "utf8" });
  ensure(
    install.status === 0 && /successfully installed/.test(install.stdout),
    `code-server --install-extension ${VSIX} failed:\n${install.stdout}${install.stderr}`,
  );

  const serverLog = join(ARTIFACTS, "code-server.log");
  writeFileSync(serverLog, "");
  const server = spawn(
    process.execPath,
    [
      ...common,
      "--bind-addr",
      "127.0.0.1:0", // the system picks a free port; the log says which
      "--auth",
      "none",
      "--disable-telemetry",
      "--disable-update-check",
      "--disable-workspace-trust",
      "--disable-getting-started-override",
      "--ignore-last-opened",
    ],
    { env, cwd: tmp, detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  // Should the test process die first, code-server must not outlive it.
  process.once("exit", () => {
    try {
      process.kill(-server.pid, "SIGKILL");
    } catch {
      // already gone
    }
  });
  let output = "";
  const url = new Promise((resolveUrl, reject) => {
    const read = (chunk) => {
      output += chunk;
      appendFileSync(serverLog, chunk);
      const m = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (m) {
        resolveUrl(m[1]);
      }
    };
    server.stdout.on("data", read);
    server.stderr.on("data", read);
    server.once("exit", (code, signal) => reject(new Error(`code-server exited (${code ?? signal}):\n${output}`)));
  });
  const consoleLog = [];
  let context;
  try {
    let timer;
    const base = await Promise.race([
      url,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`code-server did not listen:\n${output}`)), STARTUP_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    context = await chromium.launchPersistentContext(join(tmp, "chromium-profile"), {
      executablePath: CHROMIUM,
      env,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: VIEWPORT,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(STATE_MS);
    page.on("console", (m) => consoleLog.push(`[${new Date().toISOString()}] ${m.type()}: ${m.text()}`));
    page.on("pageerror", (e) => consoleLog.push(`[${new Date().toISOString()}] pageerror: ${e.message}`));
    const vscode = new VsCode(tmp, workspace, server, { page, context }, consoleLog);
    await page.goto(`${base}/?folder=${encodeURIComponent(workspace)}`);
    await vscode.step("the workbench opens", () =>
      page.locator(".explorer-folders-view .monaco-list-row").first().waitFor({ timeout: STARTUP_MS }),
    );
    return vscode;
  } catch (e) {
    writeFileSync(join(ARTIFACTS, "console.log"), consoleLog.join("\n") + "\n");
    await context?.close().catch(() => undefined);
    await stopProcessGroup(server);
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

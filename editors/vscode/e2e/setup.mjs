// Installs what the VS Code end-to-end test (vscode.test.mjs) needs, and only what is
// missing: Chromium and ripgrep from Debian's packages, code-server and playwright-core
// from the npm registry (exact versions: package-lock.json). `cargo xtask test` runs it;
// `node editors/vscode/e2e/setup.mjs` does the same by hand.
//
// Why not a plain `npm ci`: code-server's own postinstall (`npm install` in its
// lib/vscode) lets @vscode/ripgrep download its binary from GitHub, which this machine and
// CI cannot reach, so the install fails. Instead this script installs without scripts and
// then does what that postinstall does, with Debian's `rg` in place of the download:
//   1. `npm ci --ignore-scripts` here, then `npm rebuild` of the packages with install
//      scripts other than code-server (argon2), built from source;
//   2. in code-server's lib/vscode: `npm install --omit=dev --ignore-scripts` (its
//      npm-shrinkwrap.json pins the versions), @vscode/ripgrep's bin/rg linked to
//      /usr/bin/rg (its postinstall sees bin/ and leaves it), then `npm rebuild`, which
//      compiles the native modules (spdlog, node-pty, kerberos, …) with node-gyp against
//      the local Node headers (npm's nodedir);
//   3. the symlinks of code-server's postinstall.sh, and `npm install --omit=dev` in
//      lib/vscode/extensions (TypeScript for the built-in extensions).
// Compiling needs make, g++ and, for kerberos, libkrb5-dev (code-server's npm docs ask for
// build tools and VS Code's build prerequisites, which name libkrb5-dev). A stamp in
// node_modules (the hash of package-lock.json, Node's version and this file) makes a
// second run a no-op.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, "node_modules");
const stamp = join(modules, ".mlpy-installed");
const codeServer = join(modules, "code-server");
const vscodeDir = join(codeServer, "lib", "vscode");

/** Debian packages: what must exist, and the package that brings it. */
const RUNTIME_PACKAGES = [
  { path: "/usr/bin/chromium", pkg: "chromium" }, // the browser Playwright drives
  { path: "/usr/bin/rg", pkg: "ripgrep" }, // VS Code's file search (workspaceContains activation)
];
const BUILD_PACKAGES = [
  { path: "/usr/bin/make", pkg: "make" },
  { path: "/usr/bin/g++", pkg: "g++" },
  { path: "/usr/include/gssapi/gssapi.h", pkg: "libkrb5-dev" }, // kerberos, a native module of VS Code
];

function log(message) {
  console.log(`e2e setup: ${message}`);
}

function run(program, args, options = {}) {
  const started = Date.now();
  log(`${program} ${args.join(" ")}${options.cwd ? `   (in ${options.cwd})` : ""}`);
  const r = spawnSync(program, args, { stdio: "inherit", ...options, env: { ...process.env, ...options.env } });
  if (r.status !== 0) {
    throw new Error(`${program} ${args.join(" ")} failed (${r.error ?? `status ${r.status ?? r.signal}`})`);
  }
  log(`  took ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** Installs the Debian packages whose files are missing; only root can, others are told how. */
function ensureDebianPackages(wanted) {
  const missing = wanted.filter((w) => !existsSync(w.path)).map((w) => w.pkg);
  if (missing.length === 0) {
    return;
  }
  const command = `apt-get install -y --no-install-recommends ${missing.join(" ")}`;
  if (process.getuid?.() !== 0) {
    throw new Error(`missing Debian packages: ${missing.join(", ")}; install them with: sudo ${command}`);
  }
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  // A fresh machine may have no package lists yet.
  run("apt-get", ["update", "-qq"], { env });
  run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...missing], { env });
}

function installedHash() {
  const h = createHash("sha256");
  h.update(readFileSync(join(here, "package-lock.json")));
  h.update(process.version);
  h.update(readFileSync(fileURLToPath(import.meta.url)));
  return h.digest("hex");
}

/** `ln -sfn target link`. */
function link(target, path) {
  if (existsSync(path) || isSymlink(path)) {
    rmSync(path, { recursive: true, force: true });
  }
  symlinkSync(target, path);
}

function isSymlink(path) {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function installNpmPackages() {
  const npm = "npm";
  const quiet = ["--no-audit", "--no-fund", "--loglevel=error"];
  // node-gyp's make runs one job per core.
  const jobs = { JOBS: "max" };

  run(npm, ["ci", "--ignore-scripts", ...quiet], { cwd: here });

  const lock = JSON.parse(readFileSync(join(modules, ".package-lock.json"), "utf8"));
  const scripted = Object.entries(lock.packages)
    .filter(([path, meta]) => meta.hasInstallScript && path !== "node_modules/code-server")
    .map(([path]) => path.replace(/^.*node_modules\//, ""));
  if (scripted.length > 0) {
    // Compiled here rather than fetched prebuilt from GitHub (node-pre-gyp honours this).
    run(npm, ["rebuild", ...scripted, ...quiet], { cwd: here, env: { ...jobs, npm_config_build_from_source: "true" } });
  }

  // code-server's postinstall, step by step (see the header).
  run(npm, ["install", "--omit=dev", "--ignore-scripts", ...quiet], { cwd: vscodeDir });
  const ripgrepBin = join(vscodeDir, "node_modules", "@vscode", "ripgrep", "bin");
  mkdirSync(ripgrepBin, { recursive: true });
  link("/usr/bin/rg", join(ripgrepBin, "rg"));
  // kerberos: compiled rather than fetched prebuilt from GitHub (prebuild-install takes a
  // package name here; "true" would also make @parcel/watcher compile itself instead of
  // using its prebuilt package from npm, 45 s more). node-pty's install script runs
  // `npx node-gyp` (for a compile_commands.json): npx may fetch node-gyp from npm.
  const env = { ...jobs, npm_config_build_from_source: "kerberos", npm_config_yes: "true" };
  run(npm, ["rebuild", ...quiet], { cwd: vscodeDir, env });
  link("node_modules", join(vscodeDir, "node_modules.asar"));
  link("code-linux.sh", join(vscodeDir, "bin", "remote-cli", "code-server"));
  link("browser-linux.sh", join(vscodeDir, "bin", "helpers", "browser.sh"));
  run(npm, ["install", "--omit=dev", ...quiet], { cwd: join(vscodeDir, "extensions") });

  run(process.execPath, [join(codeServer, "out", "node", "entry.js"), "--version"], {
    // --version still writes a default config file: keep it out of the home folder.
    env: { XDG_CONFIG_HOME: join(modules, ".config"), XDG_DATA_HOME: join(modules, ".data") },
  });
}

function main() {
  ensureDebianPackages(RUNTIME_PACKAGES);
  const want = installedHash();
  if (existsSync(stamp) && readFileSync(stamp, "utf8").trim() === want) {
    log("node_modules match package-lock.json: nothing to install");
    return;
  }
  ensureDebianPackages(BUILD_PACKAGES);
  installNpmPackages();
  writeFileSync(stamp, want + "\n");
  log("done");
}

try {
  main();
} catch (e) {
  console.error(`e2e setup failed: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
}

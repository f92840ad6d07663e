// Installs node_modules with `npm ci` unless they already match package-lock.json
// (a stamp in node_modules records the lock file's hash), so repeated test runs are quick.
// Used by `cargo xtask test`; plain `npm ci` does the same unconditionally.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const lock = readFileSync(join(root, "package-lock.json"));
const want = createHash("sha256").update(lock).update(process.version).digest("hex");
const stamp = join(root, "node_modules", ".mlpy-installed");

if (existsSync(stamp) && readFileSync(stamp, "utf8").trim() === want) {
  console.log("node_modules match package-lock.json: nothing to install");
  process.exit(0);
}
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const args = ["ci", "--no-audit", "--no-fund", "--loglevel=error"];
console.log(`npm ${args.join(" ")}`);
const r = spawnSync(npm, args, { cwd: root, stdio: "inherit" });
if (r.status !== 0) {
  console.error(`npm ci failed (status ${r.status ?? r.signal})`);
  process.exit(1);
}
writeFileSync(stamp, want + "\n");

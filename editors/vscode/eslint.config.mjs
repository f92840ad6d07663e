// Lint configuration (ESLint 9 flat config with typescript-eslint).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["out/**", "node_modules/**", "*.vsix"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["src/**/*.ts", "test/**/*.ts", "test-vsix/**/*.ts"],
    languageOptions: { parserOptions: { project: false } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      eqeqeq: ["error", "always"],
      curly: "error",
      "no-console": "off",
    },
  },
  {
    // The end-to-end test (plain JavaScript modules run by Node).
    files: ["e2e/**/*.mjs"],
    languageOptions: {
      globals: { process: "readonly", console: "readonly", setTimeout: "readonly", clearTimeout: "readonly" },
    },
    rules: {
      eqeqeq: ["error", "always"],
      curly: "error",
    },
  },
);

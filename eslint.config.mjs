// ESLint for the two small browser scripts in static/js/ (no build step).
import js from "@eslint/js";
import globals from "globals";

export default [
    js.configs.recommended,
    {
        files: ["static/js/**/*.js"],
        languageOptions: {
            ecmaVersion: 2017,
            sourceType: "script",
            globals: globals.browser,
        },
        rules: {
            indent: ["error", 4],
            "no-var": "off",
            strict: ["error", "function"],
        },
    },
];

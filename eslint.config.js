// ESLint over src/ and test/ (`npm run lint`). Kept small on purpose: ESLint's own correctness rules,
// the promise rules that need types (a forgotten await loses an error or a rollback), and "SQL only in
// src/store/". Formatting is Prettier's job, layering dependency-cruiser's (.dependency-cruiser.cjs).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** A string that starts like SQL (what `.exec` runs on a better-sqlite3 handle; a RegExp's `.exec` takes other text). */
const SQL =
  '/^\\s*(SELECT|INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|PRAGMA|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|WITH|VACUUM|ATTACH)\\b/i';
const SQL_ONLY_IN_STORE = 'SQL belongs in src/store/ (STYLE.md): add a store function and call it.';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.bench-build/', '.bench/', 'fixtures/', 'coverage/'] },
  {
    files: ['src/**/*.ts', 'test/**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.eslintRecommended],
    languageOptions: {
      parser: tseslint.parser,
      // One program for both trees: tsconfig.test.json includes src/ and test/.
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // ESLint's version flags every parameter name in a function type; tsc checks what is used.
      'no-unused-vars': 'off',
      // The name and text checks match control characters on purpose, to reject them.
      'no-control-regex': 'off',
    },
  },
  {
    // No SQL outside the store: better-sqlite3's import is checked by dependency-cruiser, its handle here.
    files: ['src/**/*.ts'],
    ignores: ['src/store/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'CallExpression[callee.property.name=/^(prepare|pragma|transaction)$/]', message: SQL_ONLY_IN_STORE },
        {
          selector: `CallExpression[callee.property.name='exec']:not([callee.object.regex]) > Literal.arguments:first-child[value=${SQL}]`,
          message: SQL_ONLY_IN_STORE,
        },
        {
          selector: `CallExpression[callee.property.name='exec']:not([callee.object.regex]) > TemplateLiteral.arguments:first-child[quasis.0.value.raw=${SQL}]`,
          message: SQL_ONLY_IN_STORE,
        },
        { selector: "MemberExpression[property.name='inTransaction']", message: SQL_ONLY_IN_STORE },
      ],
    },
  },
);

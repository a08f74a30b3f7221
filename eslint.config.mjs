// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.example/**', 'coverage/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Template literals with numbers are how the messages are written throughout.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // With noUncheckedIndexedAccess, `!` marks an index proven in range a line above; the
      // compiler already makes every unproven access handle undefined.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // `return reply(...)` ends a branch of a handler in one line.
      '@typescript-eslint/no-confusing-void-expression': 'off',
      // Rejecting control characters in names, headers and paths is what those regexes are for.
      'no-control-regex': 'off',
      // An async method turns a throw into a rejection, which callers of a promise-returning
      // interface expect, whether or not it awaits anything.
      '@typescript-eslint/require-await': 'off',
      // Inputs come from JavaScript callers, YAML and HTTP: a check the types call unneeded
      // (`=== null`, `!== true`, `?? 500`) is the one a caller that bypasses the types needs,
      // and a security check fails closed on anything but `true`.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-unnecessary-boolean-literal-compare': 'off',
      // Error subclasses' constructors narrow the `code` a family may carry; not useless.
      '@typescript-eslint/no-useless-constructor': 'off',
      // A policy is rebuilt from its own readonly fields (`{ ...policy, users }`), which is
      // exactly the PolicyParts its constructor takes: no method is expected to survive.
      '@typescript-eslint/no-misused-spread': 'off',
      // Nest takes its option classes (NestApplicationOptions, …) as object literals.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      // `this: void` is how a method says it may be passed unbound, as unbound-method asks.
      '@typescript-eslint/no-invalid-void-type': ['error', { allowAsThisParameter: true }],
      // A Nest module is a decorated class, often with only static factories.
      '@typescript-eslint/no-extraneous-class': ['error', { allowWithDecorator: true }],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      // node:test's describe/it return promises that the runner itself awaits.
      '@typescript-eslint/no-floating-promises': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        console: 'readonly',
        __dirname: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        AbortSignal: 'readonly',
        fetch: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  { files: ['**/*.mjs'], languageOptions: { sourceType: 'module' } },
);

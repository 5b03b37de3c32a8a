// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', '.stack/**', 'dist/**', 'console/dist/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Only app/, stack/, bench/ and tests read process.env; pass typed options instead (STYLE.md 6).',
        },
      ],
    },
  },
  {
    files: ['app/**', 'stack/**', 'bench/**', 'test/**', '**/*.test.ts', 'vitest.config.ts', 'examples/**'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);

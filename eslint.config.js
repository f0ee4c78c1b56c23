// One lint setup for the whole monorepo (typescript-eslint, flat config).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/.next/**', 'cdk.out/**', '.data/**', 'coverage/**', 'web/next-env.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-control-regex': 'off',
    },
  },
  {
    // The domain core stays pure: no AWS SDK, no Next, no environment (STYLE §2).
    files: ['shared/src/**/*.ts'],
    ignores: ['shared/src/adapters/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['@aws-sdk/*', 'next', 'next/*', 'next-auth', '@middy/*', 'node:fs', 'node:child_process', 'ssh2'] },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Pass configuration in; the core never reads the environment.' },
        { object: 'Date', property: 'now', message: 'Use the Clock.' },
      ],
    },
  },
);

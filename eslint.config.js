import neostandard from 'neostandard'

export default [
  ...neostandard({
    ts: true,
    ignores: ['dist/**', '.tap/**', 'coverage/**', 'node_modules/**']
  }),
  {
    // TypeBox's idiom (STYLE.md): a schema constant and its type share one name. TypeScript itself
    // rejects real redeclarations, so this rule only forbids the idiom.
    rules: { '@typescript-eslint/no-redeclare': 'off' }
  },
  {
    // The status page's browser scripts are classic scripts joined into one (plugin/ui/status-page.ts):
    // what one file uses from another is declared by `/* global */` and `/* exported */` comments.
    files: ['plugin/ui/page/*.js'],
    languageOptions: { sourceType: 'script' }
  }
]

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
  }
]

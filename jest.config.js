/**
 * One jest run over every package. `@vego/<tier>` resolves to the tier's TypeScript source, so tests
 * never need a build and always see the code as it is in the tree. ts-jest only transpiles here:
 * type checking is `tsc -b` (sources) and `tsc -p tsconfig.test.json` (tests), which `pnpm test` runs first.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/examples', '<rootDir>/scripts'],
  testMatch: ['**/test/**/*.test.ts'],
  moduleNameMapper: {
    '^@vego/(arrow|encoding|format|io|hnsw|db|cli)$': '<rootDir>/packages/$1/src/index.ts',
    '^@vego/(arrow|encoding|format|io)/errors$': '<rootDir>/packages/$1/src/errors.ts',
    '^@vego/test-support$': '<rootDir>/test-support/index.ts',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }],
  },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 120000,
};

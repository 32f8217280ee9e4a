// Tests run the TypeScript sources through @swc/jest as CommonJS (swc does not depend on the TypeScript version, unlike
// ts-jest, and Jest's ESM mode is experimental: https://jestjs.io/docs/ecmascript-modules);
// the ESM-only @middy packages are transformed too.
const swc = ['@swc/jest', { jsc: { target: 'es2023', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }];
const common = {
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  moduleFileExtensions: ['ts', 'js', 'cjs', 'mjs', 'json', 'yaml'],
  transform: { '^.+\\.(t|j)sx?$': swc, '^.+\\.yaml$': '<rootDir>/test/yaml-text-transform.cjs' },
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  moduleNameMapper: { '^@middy/(core|util)$': '<rootDir>/node_modules/@middy/$1/index.js' },
};

/** @type {import('jest').Config} */
export default {
  projects: [
    { ...common, displayName: 'unit', roots: ['<rootDir>/test/unit'] },
    // Real SDK v3 clients against the simulator on 127.0.0.1: no test reaches the internet or AWS.
    { ...common, displayName: 'integration', roots: ['<rootDir>/test/integration'] },
  ],
  // The decision core must stay exhaustively tested: pure policy + domain code only.
  collectCoverageFrom: ['lib/domain/**/*.ts', 'lib/policy/**/*.ts'],
  coverageReporters: ['text', 'text-summary'],
  coverageThreshold: {
    './lib/domain/': { lines: 95, branches: 95 },
    './lib/policy/': { lines: 95, branches: 95 },
  },
};

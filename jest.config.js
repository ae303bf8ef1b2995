// Tests run on the compiled JavaScript in lib/ (tsc first): worker threads and
// child processes then load real .js files, and no TypeScript transform is needed.
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/lib/test'],
  testMatch: ['**/*.test.js'],
  transform: {},
  testTimeout: 60000,
  maxWorkers: 2,
};

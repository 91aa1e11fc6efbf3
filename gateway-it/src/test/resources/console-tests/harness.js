// A very small test harness for the console's modules, run in the real browser by ConsoleIT:
// test(name, fn) registers, run() runs them all and publishes {passed, failed, failures} on
// window.consoleTests and in #results.

const tests = [];

export function test(name, fn) {
  tests.push({ name, fn });
}

function show(value) {
  return JSON.stringify(value);
}

export function equal(actual, expected, message = '') {
  if (show(actual) !== show(expected)) {
    throw new Error(`${message ? `${message}: ` : ''}expected ${show(expected)}, got ${show(actual)}`);
  }
}

export function ok(value, message = 'expected a true value') {
  if (!value) {
    throw new Error(message);
  }
}

export async function run() {
  const failures = [];
  let passed = 0;
  for (const { name, fn } of tests) {
    try {
      await fn();
      passed += 1;
    } catch (e) {
      failures.push(`${name}: ${e.message}`);
    }
  }
  const result = { passed, failed: failures.length, failures };
  window.consoleTests = result;
  document.getElementById('results').textContent = `${passed} passed, ${failures.length} failed\n`
    + failures.join('\n');
  return result;
}

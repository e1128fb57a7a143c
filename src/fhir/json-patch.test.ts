import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { LongitudeError } from '../platform/errors.ts';
import { applyJsonPatch } from './json-patch.ts';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof LongitudeError, String(err));
    return err.code;
  }
  assert.fail('expected the patch to be refused');
}

describe('JSON Patch (RFC 6902)', () => {
  // Examples from RFC 6902 appendix A.
  test('A.1 add an object member, A.2 add an array element, A.4 remove, A.5 replace', () => {
    assert.deepEqual(applyJsonPatch({ foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }]), { foo: 'bar', baz: 'qux' });
    assert.deepEqual(applyJsonPatch({ foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }]), { foo: ['bar', 'qux', 'baz'] });
    assert.deepEqual(applyJsonPatch({ foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }]), { foo: ['bar', 'baz'] });
    assert.deepEqual(applyJsonPatch({ baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }]), { baz: 'boo', foo: 'bar' });
  });

  test('A.6 move, A.16 append with -, copy, ~1 escapes', () => {
    assert.deepEqual(
      applyJsonPatch({ foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } }, [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }]),
      { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } },
    );
    assert.deepEqual(applyJsonPatch({ foo: ['bar'] }, [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }]), { foo: ['bar', ['abc', 'def']] });
    assert.deepEqual(applyJsonPatch({ a: { b: 1 } }, [{ op: 'copy', from: '/a', path: '/c' }]), { a: { b: 1 }, c: { b: 1 } });
    assert.deepEqual(applyJsonPatch({ 'a/b': 1 }, [{ op: 'replace', path: '/a~1b', value: 2 }]), { 'a/b': 2 });
  });

  test('A.8 a passing test, A.9 a failing test (the document is left as it was)', () => {
    const doc = { baz: 'qux', foo: ['a', 2, 'c'] };
    assert.deepEqual(applyJsonPatch(doc, [{ op: 'test', path: '/foo', value: ['a', 2, 'c'] }]), doc);
    assert.equal(code(() => applyJsonPatch(doc, [{ op: 'replace', path: '/baz', value: 'x' }, { op: 'test', path: '/baz', value: 'qux' }])), 'LNG_UNPROCESSABLE');
    assert.equal(doc.baz, 'qux');
  });

  test('bad operations and paths are refused, naming the operation', () => {
    assert.equal(code(() => applyJsonPatch({}, { op: 'add' })), 'LNG_BAD_REQUEST');
    assert.equal(code(() => applyJsonPatch({}, [{ op: 'frob', path: '/a' }])), 'LNG_BAD_REQUEST');
    assert.equal(code(() => applyJsonPatch({}, [{ op: 'add', path: 'a', value: 1 }])), 'LNG_BAD_REQUEST');
    assert.equal(code(() => applyJsonPatch({}, [{ op: 'remove', path: '/missing' }])), 'LNG_UNPROCESSABLE');
    assert.equal(code(() => applyJsonPatch({ a: [1] }, [{ op: 'add', path: '/a/5', value: 1 }])), 'LNG_UNPROCESSABLE');
    assert.equal(code(() => applyJsonPatch({ a: { b: 1 } }, [{ op: 'move', from: '/a', path: '/a/b/c' }])), 'LNG_BAD_REQUEST');
  });

  test('property: any patch either applies or is refused with a coded error, and never changes its input', () => {
    const pointer = fc.array(fc.oneof(fc.constantFrom('a', 'b', '0', '1', '-', '~0', '~1'), fc.string({ maxLength: 3 })), { maxLength: 3 }).map((t) => (t.length ? `/${t.join('/')}` : ''));
    const operation = fc.record({ op: fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test', 'bogus'), path: pointer, from: pointer, value: fc.jsonValue() });
    fc.assert(
      fc.property(fc.jsonValue(), fc.array(operation, { maxLength: 4 }), (doc, ops) => {
        const before = JSON.stringify(doc);
        try {
          applyJsonPatch(doc, ops);
        } catch (err) {
          assert.ok(err instanceof LongitudeError, String(err));
        }
        assert.equal(JSON.stringify(doc), before);
      }),
      { numRuns: 500 },
    );
  });
});

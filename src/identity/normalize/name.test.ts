import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeName } from './name.ts';
import { areNicknameEquivalent, formalNamesOf } from './nicknames.ts';

test('names fold case, diacritics and punctuation', () => {
  assert.equal(normalizeName('  JOSÉ ')?.full, 'jose');
  assert.equal(normalizeName("O'Brien")?.full, 'obrien');
  assert.equal(normalizeName('Zoë Müller')?.full, 'zoe muller');
  assert.equal(normalizeName('Straße')?.full, 'strasse');
});

test('hyphenated and compound surnames keep tokens and a squashed key', () => {
  const hyphen = normalizeName('Garcia-Lopez');
  const spaced = normalizeName('GARCIA LOPEZ');
  const joined = normalizeName('GarciaLopez');
  assert.deepEqual(hyphen?.tokens, ['garcia', 'lopez']);
  assert.equal(hyphen?.squashed, spaced?.squashed);
  assert.equal(joined?.squashed, 'garcialopez');
  assert.deepEqual(normalizeName('de la Cruz')?.tokens, ['de', 'la', 'cruz']);
});

test('generational suffixes and titles are removed, the suffix kept apart', () => {
  assert.deepEqual({ full: normalizeName('Smith Jr.')?.full, suffix: normalizeName('Smith Jr.')?.suffix }, { full: 'smith', suffix: 'jr' });
  assert.equal(normalizeName('Martin Luther King III')?.suffix, 'iii');
  assert.equal(normalizeName('Dr. Jane')?.full, 'jane');
  assert.equal(normalizeName('Junior')?.full, 'junior', 'a name that is only a suffix word is kept');
});

test('a title alone is no name; peerage post-nominals and ordinals are dropped', () => {
  assert.equal(normalizeName('Sir'), undefined);
  assert.equal(normalizeName('Mrs.'), undefined);
  assert.equal(normalizeName('Baronet'), undefined);
  assert.equal(normalizeName('V.C.'), undefined);
  assert.equal(normalizeName('1st'), undefined);
  assert.equal(normalizeName('Sir Thomas')?.full, 'thomas');
  assert.equal(normalizeName('Clifford Bt.')?.full, 'clifford');
  assert.equal(normalizeName('Duke')?.full, 'duke', 'a word that is also a name is kept');
});

test('a digit inside a name is read as the letter it looks like', () => {
  assert.equal(normalizeName('Jac0bo')?.squashed, 'jacobo');
  assert.equal(normalizeName("O'Rei1ly")?.squashed, 'oreilly');
  assert.equal(normalizeName('5mith')?.squashed, 'smith');
  assert.equal(normalizeName('Henry 8')?.full, 'henry', 'a number on its own is still dropped');
});

test('empty and punctuation-only names are missing', () => {
  assert.equal(normalizeName(''), undefined);
  assert.equal(normalizeName(' - . '), undefined);
  assert.equal(normalizeName(undefined), undefined);
});

test('nicknames: a diminutive meets its formal name and its siblings, two formal names never', () => {
  assert.ok(areNicknameEquivalent('bill', 'william'));
  assert.ok(areNicknameEquivalent('william', 'bill'));
  assert.ok(areNicknameEquivalent('bob', 'rob'), 'both Robert');
  assert.ok(areNicknameEquivalent('pepe', 'jose'));
  assert.ok(areNicknameEquivalent('peggy', 'margaret'));
  assert.ok(!areNicknameEquivalent('alexander', 'alexandra'), 'share Alex, differ in sex');
  assert.ok(!areNicknameEquivalent('bill', 'bob'));
  assert.ok(areNicknameEquivalent('sandra', 'alexandra'), 'listed as a diminutive');
  assert.deepEqual([...formalNamesOf('alex')].sort(), ['alejandro', 'alexander', 'alexandra']);
});

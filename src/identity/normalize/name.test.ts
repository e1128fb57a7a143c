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

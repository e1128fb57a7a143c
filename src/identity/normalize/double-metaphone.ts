/**
 * Double Metaphone (Lawrence Philips, "The Double Metaphone Search Algorithm", C/C++ Users
 * Journal, June 2000), written from the published rules: a primary and an alternate code of up
 * to four characters, so "Smith" (SM0 / XMT) meets "Schmidt" (XMT / SMT) on the alternate.
 * Input is folded to A-Z first (diacritics stripped; Ç → S and Ñ → N as in the original).
 */
import { foldCase } from './text.ts';

const MAX = 4;
const VOWELS = new Set(['A', 'E', 'I', 'O', 'U', 'Y']);

/** Returns [primary, alternate] codes (empty strings for input without letters). */
export function doubleMetaphone(input: string): [string, string] {
  const raw = input.toUpperCase().replace(/Ç/g, 'S').replace(/Ñ/g, 'N');
  const word = foldCase(raw).toUpperCase().replace(/[^A-Z]/g, '');
  if (word === '') return ['', ''];
  const w = `${word}     `; // padding: lookahead never reads past the end
  const last = word.length - 1;
  let primary = '';
  let secondary = '';
  let i = 0;

  const at = (pos: number): string => (pos < 0 ? '' : w.charAt(pos));
  const isVowel = (pos: number): boolean => VOWELS.has(at(pos));
  const sub = (start: number, length: number): string => (start < 0 ? '' : w.substring(start, start + length));
  const is = (start: number, length: number, ...options: string[]): boolean => options.includes(sub(start, length));
  const add = (main: string, alt: string = main): void => {
    primary += main;
    secondary += alt;
  };
  const slavoGermanic = /W|K|CZ|WITZ/.test(word);

  // Initial exceptions.
  if (is(0, 2, 'GN', 'KN', 'PN', 'WR', 'PS')) i = 1;
  if (at(0) === 'X') {
    add('S');
    i = 1;
  }

  while ((primary.length < MAX || secondary.length < MAX) && i <= last) {
    const c = at(i);
    switch (c) {
      case 'A': case 'E': case 'I': case 'O': case 'U': case 'Y':
        if (i === 0) add('A');
        i += 1;
        break;
      case 'B':
        add('P');
        i += at(i + 1) === 'B' ? 2 : 1;
        break;
      case 'C':
        i = handleC(i);
        break;
      case 'D':
        if (is(i, 2, 'DG')) {
          if (is(i + 2, 1, 'I', 'E', 'Y')) {
            add('J');
            i += 3;
          } else {
            add('TK');
            i += 2;
          }
        } else if (is(i, 2, 'DT', 'DD')) {
          add('T');
          i += 2;
        } else {
          add('T');
          i += 1;
        }
        break;
      case 'F':
        add('F');
        i += at(i + 1) === 'F' ? 2 : 1;
        break;
      case 'G':
        i = handleG(i);
        break;
      case 'H':
        // Only keep H between vowels or at the start before a vowel.
        if ((i === 0 || isVowel(i - 1)) && isVowel(i + 1)) {
          add('H');
          i += 2;
        } else {
          i += 1;
        }
        break;
      case 'J':
        i = handleJ(i);
        break;
      case 'K':
        add('K');
        i += at(i + 1) === 'K' ? 2 : 1;
        break;
      case 'L':
        if (at(i + 1) === 'L') {
          // Spanish "-illo", "-illa", "-alle": no L sound in the alternate.
          if ((i === last - 2 && is(i - 1, 4, 'ILLO', 'ILLA', 'ALLE'))
            || ((is(last - 1, 2, 'AS', 'OS') || is(last, 1, 'A', 'O')) && is(i - 1, 4, 'ALLE'))) {
            add('L', '');
          } else {
            add('L');
          }
          i += 2;
        } else {
          add('L');
          i += 1;
        }
        break;
      case 'M':
        add('M');
        i += (is(i - 1, 3, 'UMB') && (i + 1 === last || is(i + 2, 2, 'ER'))) || at(i + 1) === 'M' ? 2 : 1;
        break;
      case 'N':
        add('N');
        i += at(i + 1) === 'N' ? 2 : 1;
        break;
      case 'P':
        if (at(i + 1) === 'H') {
          add('F');
          i += 2;
        } else {
          add('P');
          i += is(i + 1, 1, 'P', 'B') ? 2 : 1;
        }
        break;
      case 'Q':
        add('K');
        i += at(i + 1) === 'Q' ? 2 : 1;
        break;
      case 'R':
        // French final "-ier": R silent in the primary (Rogier).
        if (i === last && !slavoGermanic && is(i - 2, 2, 'IE') && !is(i - 4, 2, 'ME', 'MA')) add('', 'R');
        else add('R');
        i += at(i + 1) === 'R' ? 2 : 1;
        break;
      case 'S':
        i = handleS(i);
        break;
      case 'T':
        i = handleT(i);
        break;
      case 'V':
        add('F');
        i += at(i + 1) === 'V' ? 2 : 1;
        break;
      case 'W':
        i = handleW(i);
        break;
      case 'X':
        // French final X is silent (Breaux).
        if (!(i === last && (is(i - 3, 3, 'IAU', 'EAU') || is(i - 2, 2, 'AU', 'OU')))) add('KS');
        i += is(i + 1, 1, 'C', 'X') ? 2 : 1;
        break;
      case 'Z':
        if (at(i + 1) === 'H') {
          add('J');
          i += 2;
          break;
        }
        if (is(i + 1, 2, 'ZO', 'ZI', 'ZA') || (slavoGermanic && i > 0 && at(i - 1) !== 'T')) add('S', 'TS');
        else add('S');
        i += at(i + 1) === 'Z' ? 2 : 1;
        break;
      default:
        i += 1;
    }
  }
  return [primary.slice(0, MAX), secondary.slice(0, MAX)];

  function handleC(pos: number): number {
    // Germanic "-ACH-" (Bacher, Macher).
    if (pos > 1 && !isVowel(pos - 2) && is(pos - 1, 3, 'ACH') && at(pos + 2) !== 'I'
      && (at(pos + 2) !== 'E' || is(pos - 2, 6, 'BACHER', 'MACHER'))) {
      add('K');
      return pos + 2;
    }
    if (pos === 0 && is(pos, 6, 'CAESAR')) {
      add('S');
      return pos + 2;
    }
    if (is(pos, 4, 'CHIA')) {
      add('K');
      return pos + 2;
    }
    if (is(pos, 2, 'CH')) {
      if (pos > 0 && is(pos, 4, 'CHAE')) {
        add('K', 'X');
        return pos + 2;
      }
      // Greek roots at the start (Chorus, Chemistry), not Chore.
      if (pos === 0 && (is(pos + 1, 5, 'HARAC', 'HARIS') || is(pos + 1, 3, 'HOR', 'HYM', 'HIA', 'HEM')) && !is(0, 5, 'CHORE')) {
        add('K');
        return pos + 2;
      }
      if (is(0, 4, 'VAN ', 'VON ') || is(0, 3, 'SCH') || is(pos - 2, 6, 'ORCHES', 'ARCHIT', 'ORCHID')
        || is(pos + 2, 1, 'T', 'S')
        || ((is(pos - 1, 1, 'A', 'O', 'U', 'E') || pos === 0) && is(pos + 2, 1, 'L', 'R', 'N', 'M', 'B', 'H', 'F', 'V', 'W', ' '))) {
        add('K');
      } else if (pos > 0) {
        if (is(0, 2, 'MC')) add('K');
        else add('X', 'K');
      } else {
        add('X');
      }
      return pos + 2;
    }
    if (is(pos, 2, 'CZ') && !is(pos - 2, 4, 'WICZ')) {
      add('S', 'X');
      return pos + 2;
    }
    if (is(pos + 1, 3, 'CIA')) {
      add('X');
      return pos + 3;
    }
    if (is(pos, 2, 'CC') && !(pos === 1 && at(0) === 'M')) {
      // Bellocchio, but not Bacchus.
      if (is(pos + 2, 1, 'I', 'E', 'H') && !is(pos + 2, 2, 'HU')) {
        if ((pos === 1 && at(pos - 1) === 'A') || is(pos - 1, 5, 'UCCEE', 'UCCES')) add('KS');
        else add('X');
        return pos + 3;
      }
      add('K');
      return pos + 2;
    }
    if (is(pos, 2, 'CK', 'CG', 'CQ')) {
      add('K');
      return pos + 2;
    }
    if (is(pos, 2, 'CI', 'CE', 'CY')) {
      if (is(pos, 3, 'CIO', 'CIE', 'CIA')) add('S', 'X');
      else add('S');
      return pos + 2;
    }
    add('K');
    if (is(pos + 1, 2, ' C', ' Q', ' G')) return pos + 3;
    if (is(pos + 1, 1, 'C', 'K', 'Q') && !is(pos + 1, 2, 'CE', 'CI')) return pos + 2;
    return pos + 1;
  }

  function handleG(pos: number): number {
    if (at(pos + 1) === 'H') {
      if (pos > 0 && !isVowel(pos - 1)) {
        add('K');
        return pos + 2;
      }
      if (pos === 0) {
        if (at(pos + 2) === 'I') add('J');
        else add('K');
        return pos + 2;
      }
      // Parker's rule (Hugh, bough, broughton): GH silent.
      if ((pos > 1 && is(pos - 2, 1, 'B', 'H', 'D')) || (pos > 2 && is(pos - 3, 1, 'B', 'H', 'D'))
        || (pos > 3 && is(pos - 4, 1, 'B', 'H'))) {
        return pos + 2;
      }
      // Laugh, McLaughlin, cough, rough: F.
      if (pos > 2 && at(pos - 1) === 'U' && is(pos - 3, 1, 'C', 'G', 'L', 'R', 'T')) add('F');
      else if (pos > 0 && at(pos - 1) !== 'I') add('K');
      return pos + 2;
    }
    if (at(pos + 1) === 'N') {
      if (pos === 1 && isVowel(0) && !slavoGermanic) add('KN', 'N');
      else if (!is(pos + 2, 2, 'EY') && at(pos + 1) !== 'Y' && !slavoGermanic) add('N', 'KN');
      else add('KN');
      return pos + 2;
    }
    if (is(pos + 1, 2, 'LI') && !slavoGermanic) {
      add('KL', 'L');
      return pos + 2;
    }
    // -GES-, -GEP-, -GEL-, -GIE- at the start.
    if (pos === 0 && (at(pos + 1) === 'Y' || is(pos + 1, 2, 'ES', 'EP', 'EB', 'EL', 'EY', 'IB', 'IL', 'IN', 'IE', 'EI', 'ER'))) {
      add('K', 'J');
      return pos + 2;
    }
    // -GER-, -GY-.
    if ((is(pos + 1, 2, 'ER') || at(pos + 1) === 'Y') && !is(0, 6, 'DANGER', 'RANGER', 'MANGER')
      && !is(pos - 1, 1, 'E', 'I') && !is(pos - 1, 3, 'RGY', 'OGY')) {
      add('K', 'J');
      return pos + 2;
    }
    // Italian "biaggi".
    if (is(pos + 1, 1, 'E', 'I', 'Y') || is(pos - 1, 4, 'AGGI', 'OGGI')) {
      if (is(0, 4, 'VAN ', 'VON ') || is(0, 3, 'SCH') || is(pos + 1, 2, 'ET')) add('K');
      else if (is(pos + 1, 4, 'IER ')) add('J');
      else add('J', 'K');
      return pos + 2;
    }
    add('K');
    return at(pos + 1) === 'G' ? pos + 2 : pos + 1;
  }

  function handleJ(pos: number): number {
    // Spanish J (Jose, San Jacinto).
    if (is(pos, 4, 'JOSE') || is(0, 4, 'SAN ')) {
      if ((pos === 0 && at(pos + 4) === ' ') || is(0, 4, 'SAN ')) add('H');
      else add('J', 'H');
      return pos + 1;
    }
    if (pos === 0 && !is(pos, 4, 'JOSE')) add('J', 'A');
    else if (isVowel(pos - 1) && !slavoGermanic && (at(pos + 1) === 'A' || at(pos + 1) === 'O')) add('J', 'H');
    else if (pos === last) add('J', '');
    else if (!is(pos + 1, 1, 'L', 'T', 'K', 'S', 'N', 'M', 'B', 'Z') && !is(pos - 1, 1, 'S', 'K', 'L')) add('J');
    return at(pos + 1) === 'J' ? pos + 2 : pos + 1;
  }

  function handleS(pos: number): number {
    if (is(pos - 1, 3, 'ISL', 'YSL')) return pos + 1; // Island, Carlisle
    if (pos === 0 && is(pos, 5, 'SUGAR')) {
      add('X', 'S');
      return pos + 1;
    }
    if (is(pos, 2, 'SH')) {
      if (is(pos + 1, 4, 'HEIM', 'HOEK', 'HOLM', 'HOLZ')) add('S');
      else add('X');
      return pos + 2;
    }
    if (is(pos, 3, 'SIO', 'SIA') || is(pos, 4, 'SIAN')) {
      if (slavoGermanic) add('S');
      else add('S', 'X');
      return pos + 3;
    }
    // German and Anglicized "Schmidt" / "Smith".
    if ((pos === 0 && is(pos + 1, 1, 'M', 'N', 'L', 'W')) || is(pos + 1, 1, 'Z')) {
      add('S', 'X');
      return is(pos + 1, 1, 'Z') ? pos + 2 : pos + 1;
    }
    if (is(pos, 2, 'SC')) {
      if (at(pos + 2) === 'H') {
        if (is(pos + 3, 2, 'OO', 'ER', 'EN', 'UY', 'ED', 'EM')) {
          if (is(pos + 3, 2, 'ER', 'EN')) add('X', 'SK');
          else add('SK');
          return pos + 3;
        }
        if (pos === 0 && !isVowel(3) && at(3) !== 'W') add('X', 'S');
        else add('X');
        return pos + 3;
      }
      if (is(pos + 2, 1, 'I', 'E', 'Y')) {
        add('S');
        return pos + 3;
      }
      add('SK');
      return pos + 3;
    }
    // French final S is silent (Resnais, Artois).
    if (pos === last && is(pos - 2, 2, 'AI', 'OI')) add('', 'S');
    else add('S');
    return is(pos + 1, 1, 'S', 'Z') ? pos + 2 : pos + 1;
  }

  function handleT(pos: number): number {
    if (is(pos, 4, 'TION') || is(pos, 3, 'TIA', 'TCH')) {
      add('X');
      return pos + 3;
    }
    if (is(pos, 2, 'TH') || is(pos, 3, 'TTH')) {
      // Thomas, Thames: T.
      if (is(pos + 2, 2, 'OM', 'AM') || is(0, 4, 'VAN ', 'VON ') || is(0, 3, 'SCH')) add('T');
      else add('0', 'T');
      return pos + 2;
    }
    add('T');
    return is(pos + 1, 1, 'T', 'D') ? pos + 2 : pos + 1;
  }

  function handleW(pos: number): number {
    if (is(pos, 2, 'WR')) {
      add('R');
      return pos + 2;
    }
    if (pos === 0 && (isVowel(pos + 1) || is(pos, 2, 'WH'))) {
      // Wasserman may be Vasserman.
      if (isVowel(pos + 1)) add('A', 'F');
      else add('A');
    }
    // Polish "-ewski" (Filipowicz) and final W (Arnow).
    if ((pos === last && isVowel(pos - 1)) || is(pos - 1, 5, 'EWSKI', 'EWSKY', 'OWSKI', 'OWSKY') || is(0, 3, 'SCH')) {
      add('', 'F');
      return pos + 1;
    }
    if (is(pos, 4, 'WICZ', 'WITZ')) {
      add('TS', 'FX');
      return pos + 4;
    }
    return pos + 1;
  }
}

/**
 * Given-name diminutives and their formal names, owned by identity (the simulator keeps its own
 * table for generating errors; sharing one would let the matcher see exactly the errors the
 * generator makes, so the evaluation would flatter it).
 *
 * Source: pairs hand-checked against the "nickname and diminutive names lookup" of Old Dominion
 * University's Web Science and Digital Libraries group (GitHub carltonnorthern/nicknames,
 * names.csv, itself mined from a genealogy nickname list), keeping only pairs still common in the
 * US, plus common Spanish hypocorisms (Pepe, Paco, Lupe, Nacho) from the Real Academia's
 * usage notes. Keys and values are folded (lower case, no accents).
 */

const TABLE: Readonly<Record<string, readonly string[]>> = {
  abigail: ['abby', 'gail'], abraham: ['abe'], albert: ['al', 'bert'], alexander: ['alex', 'al', 'xander', 'sandy', 'alec'],
  alexandra: ['alex', 'sandra', 'sandy', 'lexi'], alfred: ['al', 'alf', 'fred'], allison: ['ally', 'allie'],
  amanda: ['mandy', 'manda'], andrew: ['andy', 'drew'], angela: ['angie'], anthony: ['tony'], antonio: ['tony', 'toni'],
  arthur: ['art', 'artie'], barbara: ['barb', 'babs', 'barbie'], benjamin: ['ben', 'benny', 'benji'], bernard: ['bernie'],
  beverly: ['bev'], bradley: ['brad'], brian: ['bri'], calvin: ['cal'], caroline: ['carrie', 'carol'], catherine: ['cathy', 'kate', 'katie', 'cat'],
  charles: ['charlie', 'chuck', 'chas', 'chaz'], charlotte: ['charlie', 'lottie'], christina: ['chris', 'tina', 'chrissy'],
  christine: ['chris', 'tina', 'chrissy'], christopher: ['chris', 'kit', 'topher'], clifford: ['cliff'], cynthia: ['cindy'],
  daniel: ['dan', 'danny'], danielle: ['dani'], david: ['dave', 'davy'], deborah: ['deb', 'debbie', 'debby'],
  dennis: ['denny'], donald: ['don', 'donny'], dorothy: ['dot', 'dottie', 'dolly'], douglas: ['doug'],
  edward: ['ed', 'eddie', 'ted', 'ned'], eleanor: ['ellie', 'nell', 'nora'], elizabeth: ['liz', 'beth', 'betty', 'eliza', 'lizzie', 'libby', 'betsy', 'liza'],
  emily: ['em', 'emmy'], eugene: ['gene'], florence: ['flo'], frances: ['fran', 'frannie'], francis: ['frank', 'fran'],
  frederick: ['fred', 'freddie', 'fritz'], gabriel: ['gabe'], gabrielle: ['gabby'], gerald: ['gerry', 'jerry'],
  gregory: ['greg'], harold: ['hal', 'harry'], henry: ['hank', 'harry', 'hal'], herbert: ['herb', 'bert'],
  isabella: ['bella', 'izzy'], jacob: ['jake'], james: ['jim', 'jimmy', 'jamie', 'jimbo'], janet: ['jan'],
  jeffrey: ['jeff'], jennifer: ['jen', 'jenny', 'jenn'], jessica: ['jess', 'jessie'], joan: ['joanie'],
  john: ['jack', 'johnny', 'jon'], jonathan: ['jon', 'johnny', 'nathan'], joseph: ['joe', 'joey', 'jo'], joshua: ['josh'],
  judith: ['judy'], katherine: ['kate', 'kathy', 'katie', 'kat', 'kay'], kathleen: ['kathy', 'kate', 'katie'],
  kenneth: ['ken', 'kenny'], kimberly: ['kim'], lawrence: ['larry', 'lars'], leonard: ['leo', 'len', 'lenny'],
  louis: ['lou'], margaret: ['maggie', 'peggy', 'meg', 'marge', 'margie', 'greta'], martin: ['marty'],
  mary: ['molly', 'polly', 'mae', 'mamie'], matthew: ['matt', 'matty'], melissa: ['missy', 'mel', 'lissa'],
  michael: ['mike', 'mikey', 'mick', 'mickey'], michelle: ['shelly', 'mich'], nancy: ['nan'],
  nathaniel: ['nate', 'nat', 'nathan'], nicholas: ['nick', 'nicky', 'nico'], pamela: ['pam'], patricia: ['pat', 'patty', 'trish', 'tricia'],
  patrick: ['pat', 'paddy', 'rick'], peter: ['pete'], philip: ['phil'], phillip: ['phil'], rebecca: ['becky', 'becca'],
  raymond: ['ray'], richard: ['rick', 'dick', 'rich', 'ricky', 'richie'], robert: ['bob', 'rob', 'bobby', 'robbie', 'bert'],
  ronald: ['ron', 'ronnie'], russell: ['russ'], samantha: ['sam', 'sammy'], samuel: ['sam', 'sammy'], sandra: ['sandy'],
  stanley: ['stan'], stephanie: ['steph', 'stevie'], stephen: ['steve', 'stevie'], steven: ['steve', 'stevie'],
  susan: ['sue', 'susie', 'suzy'], suzanne: ['sue', 'suzy'], terrence: ['terry'], theodore: ['ted', 'teddy', 'theo'],
  theresa: ['terry', 'tess', 'tessa'], thomas: ['tom', 'tommy'], timothy: ['tim', 'timmy'], valerie: ['val'],
  victoria: ['vicky', 'tori', 'vic'], vincent: ['vince', 'vinny'], virginia: ['ginny', 'ginger'], walter: ['walt', 'wally'],
  william: ['bill', 'will', 'billy', 'willy', 'liam'], zachary: ['zach', 'zack'],
  // Spanish hypocorisms.
  jose: ['pepe', 'chepe'], francisco: ['paco', 'pancho', 'cisco'], guadalupe: ['lupe', 'lupita'], ignacio: ['nacho'],
  eduardo: ['lalo'], alejandro: ['alex', 'alejo'], roberto: ['beto'], enrique: ['kike'], manuel: ['manny', 'manolo'],
  jesus: ['chuy'], maria: ['mari'], dolores: ['lola'], concepcion: ['concha', 'conchita'], rosario: ['chayo'],
};

/** For each folded name, the formal names it belongs to (itself when formal). */
const ROOTS = new Map<string, Set<string>>();
for (const [formal, nicks] of Object.entries(TABLE)) {
  for (const name of [formal, ...nicks]) {
    const roots = ROOTS.get(name) ?? new Set<string>();
    roots.add(formal);
    ROOTS.set(name, roots);
  }
}

/**
 * True when one folded given name is a diminutive of the other, or both are diminutives of one
 * formal name (Bob ~ Rob via Robert). Two different formal names are never equivalent, even when
 * they share a diminutive (Alexander / Alexandra share Alex but differ in sex).
 */
export function areNicknameEquivalent(a: string, b: string): boolean {
  if (a === b) return true;
  if (TABLE[a]?.includes(b) || TABLE[b]?.includes(a)) return true;
  const rootsA = ROOTS.get(a);
  const rootsB = ROOTS.get(b);
  if (!rootsA || !rootsB) return false;
  const aFormal = a in TABLE;
  const bFormal = b in TABLE;
  if (aFormal && bFormal) return false;
  for (const root of rootsA) if (rootsB.has(root)) return true;
  return false;
}

/** Formal names a folded given name may stand for (empty when not in the table). */
export function formalNamesOf(name: string): readonly string[] {
  return [...(ROOTS.get(name) ?? [])];
}

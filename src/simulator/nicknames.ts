/**
 * Common English (and a few Spanish) given-name diminutives, the forms people give at a front
 * desk or on the phone: Bill for William, Liz for Elizabeth, Pepe for José. Hand-collected from
 * widely used nickname references (e.g. the carltonnorthern/nicknames dataset, which backs
 * several record-linkage tools); only pairs that are common in the US are kept.
 */

const TABLE: Readonly<Record<string, readonly string[]>> = {
  Alexander: ['Alex', 'Xander', 'Sandy'], Andrew: ['Andy', 'Drew'], Anthony: ['Tony'], Benjamin: ['Ben', 'Benny'],
  Charles: ['Charlie', 'Chuck', 'Chas'], Christopher: ['Chris', 'Kit'], Daniel: ['Dan', 'Danny'], David: ['Dave', 'Davy'],
  Donald: ['Don', 'Donny'], Edward: ['Ed', 'Eddie', 'Ted', 'Ned'], Francis: ['Frank'], Frederick: ['Fred', 'Freddie'],
  Gregory: ['Greg'], Henry: ['Hank', 'Harry'], James: ['Jim', 'Jimmy', 'Jamie'], Jeffrey: ['Jeff'],
  John: ['Jack', 'Johnny'], Jonathan: ['Jon'], Joseph: ['Joe', 'Joey'], Joshua: ['Josh'], Kenneth: ['Ken', 'Kenny'],
  Lawrence: ['Larry'], Matthew: ['Matt'], Michael: ['Mike', 'Mikey', 'Mick'], Nicholas: ['Nick', 'Nicky'],
  Patrick: ['Pat', 'Paddy'], Peter: ['Pete'], Philip: ['Phil'], Raymond: ['Ray'], Richard: ['Rick', 'Dick', 'Rich'],
  Robert: ['Bob', 'Rob', 'Bobby', 'Robbie'], Ronald: ['Ron', 'Ronnie'], Samuel: ['Sam', 'Sammy'],
  Stephen: ['Steve'], Steven: ['Steve'], Thomas: ['Tom', 'Tommy'], Timothy: ['Tim', 'Timmy'], Walter: ['Walt'],
  William: ['Bill', 'Will', 'Billy', 'Liam'], Zachary: ['Zach'], Abigail: ['Abby'], Alexandra: ['Alex', 'Sandra', 'Sandy'],
  Amanda: ['Mandy'], Barbara: ['Barb', 'Babs'], Catherine: ['Cathy', 'Kate'], Christina: ['Chris', 'Tina'],
  Christine: ['Chris', 'Tina'], Cynthia: ['Cindy'], Deborah: ['Deb', 'Debbie'], Dorothy: ['Dot', 'Dottie'],
  Elizabeth: ['Liz', 'Beth', 'Betty', 'Eliza', 'Lizzie'], Jennifer: ['Jen', 'Jenny'], Jessica: ['Jess', 'Jessie'],
  Katherine: ['Kate', 'Kathy', 'Katie'], Kimberly: ['Kim'], Margaret: ['Maggie', 'Peggy', 'Meg'], Mary: ['Molly', 'Polly'],
  Melissa: ['Missy', 'Mel'], Michelle: ['Shelly'], Patricia: ['Pat', 'Patty', 'Trish'], Rebecca: ['Becky', 'Becca'],
  Samantha: ['Sam'], Sandra: ['Sandy'], Stephanie: ['Steph'], Susan: ['Sue', 'Susie'], Victoria: ['Vicky', 'Tori'],
  Jose: ['Pepe'], Francisco: ['Paco', 'Pancho'], Guadalupe: ['Lupe'], Ignacio: ['Nacho'], Eduardo: ['Lalo'],
  Alejandro: ['Alex'], Roberto: ['Beto'], Enrique: ['Kike'],
};

const FORMAL_OF = new Map<string, string[]>();
for (const [formal, nicks] of Object.entries(TABLE)) {
  for (const nick of nicks) FORMAL_OF.set(nick, [...(FORMAL_OF.get(nick) ?? []), formal]);
}

/** Nicknames for a formal given name (empty when the name has none in the table). */
export function nicknamesOf(formal: string): readonly string[] {
  return TABLE[formal] ?? [];
}

/** Formal names a nickname can stand for (Alex: Alexander, Alexandra, Alejandro). */
export function formalNamesOf(nickname: string): readonly string[] {
  return FORMAL_OF.get(nickname) ?? [];
}

/** Every formal name in the table. */
export function formalNames(): readonly string[] {
  return Object.keys(TABLE);
}

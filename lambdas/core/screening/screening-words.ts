/**
 * The word lists of screening (docs/screening.md lists them as they are here). Entries are written as people
 * write them; normalize.ts puts each through the same steps as a name, so `S.A.R.L.`, `SARL` and `sarl` are one
 * entry and a Cyrillic `ООО` becomes the `ooo` its look-alike letters spell.
 */

/**
 * Letters that Unicode does not decompose into a base letter and a mark, spelled in Latin.
 * (`ß` needs no entry: upper- then lower-casing already makes it `ss`.)
 */
export const SPECIAL_LETTERS: ReadonlyMap<string, string> = new Map(Object.entries({
  ø: 'o', æ: 'ae', œ: 'oe', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i', ħ: 'h', ŧ: 't', ŀ: 'l', ĳ: 'ij',
}));

/**
 * Cyrillic and Greek letters that look like a Latin letter, after lower-casing, mapped to that letter. Names
 * are lower-cased first, so a capital look-alike arrives as its small form: Cyrillic `В` (looks like B) is
 * `в` here and maps to `b`, Greek `Η` (looks like H) is `η` and maps to `h`. Letters with no Latin twin
 * (`ж`, `λ`, …) stay as they are: a name in Cyrillic still matches itself, written the same way.
 */
export const CONFUSABLES: ReadonlyMap<string, string> = new Map(Object.entries({
  // Cyrillic
  а: 'a', в: 'b', г: 'r', е: 'e', к: 'k', м: 'm', н: 'h', о: 'o', п: 'n', р: 'p', с: 'c', т: 't', у: 'y', х: 'x',
  і: 'i', ј: 'j', ѕ: 's', ԁ: 'd', ԛ: 'q', ԝ: 'w', һ: 'h', ү: 'y', ӏ: 'l', ɡ: 'g',
  // Greek
  α: 'a', β: 'b', ε: 'e', ζ: 'z', η: 'h', ι: 'i', κ: 'k', μ: 'm', ν: 'n', ο: 'o', ρ: 'p', τ: 't', υ: 'y', χ: 'x', ϲ: 'c', ϳ: 'j',
}));

/**
 * Legal-form words and sequences, removed wherever they stand (a name made only of them keeps them). Sequences
 * of several words (`S.A. de C.V.`, `Sp. z o.o.`) are removed only whole.
 */
export const LEGAL_FORMS: readonly string[] = [
  // English-speaking
  'Co', 'Company', 'Corp', 'Corporation', 'Inc', 'Incorporated', 'Ltd', 'Limited', 'LLC', 'LLP', 'LP', 'PLC', 'Pvt', 'Pte', 'Pty',
  'Private Limited', 'Public Limited Company', 'CC',
  // German, Dutch, Nordic, Central Europe
  'GmbH', 'mbH', 'AG', 'KG', 'KGaA', 'OHG', 'UG', 'GbR', 'eV', 'BV', 'BVBA', 'NV', 'AB', 'AS', 'ASA', 'ApS', 'Oy', 'Oyj', 'ehf',
  's.r.o.', 'spol', 'Sp. z o.o.', 'Kft', 'Zrt', 'Nyrt', 'd.o.o.', 'AD', 'EOOD', 'OOD',
  // Romance
  'SA', 'SAS', 'SASU', 'SARL', 'EURL', 'SNC', 'SCS', 'SCA', 'GIE', 'SpA', 'Srl', 'SL', 'SLU', 'SLL', 'Ltda', 'EIRL', 'SAE', 'SAL',
  'S.A. de C.V.', 'S. de R.L.', 'de C.V.', 'SE',
  // Russian, Ukrainian, Belarusian (in Cyrillic and in transliteration)
  'ООО', 'ОАО', 'ЗАО', 'ПАО', 'АО', 'ТОВ', 'OOO', 'OAO', 'ZAO', 'PAO', 'JSC', 'OJSC', 'CJSC', 'PJSC', 'TOV',
  // Middle East, Asia
  'FZE', 'FZCO', 'FZC', 'FZ-LLC', 'WLL', 'Sdn', 'Bhd', 'Sdn Bhd', 'PT', 'Tbk', 'KK', 'Kabushiki Kaisha', 'Yugen Kaisha', 'Co. Ltd',
];

/** Words that carry no identity in a name and are dropped (unless nothing else is left). */
export const STOPWORDS: readonly string[] = ['the', 'and', 'und', 'et', 'of'];

/** Common abbreviations and spellings, by the one form both sides are brought to. */
export const ABBREVIATIONS: Readonly<Record<string, readonly string[]>> = {
  international: ['intl', "int'l", 'internat', 'internacional', 'internationale', 'internazionale'],
  technology: ['tech', 'techn', 'technol', 'technologies', 'technologie', 'technologia', 'tecnologia'],
  manufacturing: ['mfg', 'mfr', 'manuf', 'manufacturer', 'manufacturers'],
  engineering: ['eng', 'engg', 'engr'],
  industry: ['ind', 'inds', 'indus', 'industries', 'industrial', 'industrie', 'industria'],
  electronics: ['elec', 'electr', 'electronic'],
  systems: ['sys', 'syst', 'system'],
  services: ['svc', 'svcs', 'serv', 'service'],
  trading: ['trdg'],
  holding: ['hldg', 'hldgs', 'holdings'],
  group: ['grp'],
  brothers: ['bros'],
  associates: ['assoc', 'assocs'],
  national: ['natl'],
  laboratory: ['lab', 'labs', 'laboratories'],
  machinery: ['mach'],
  chemicals: ['chem', 'chemical'],
  pharmaceuticals: ['pharma', 'pharm', 'pharmaceutical'],
  university: ['univ'],
  institute: ['inst', 'institut', 'instituto', 'istituto'],
  development: ['dev', 'devel'],
  department: ['dept'],
  equipment: ['equip', 'eqpt'],
  management: ['mgmt', 'mgt'],
  saint: ['st', 'ste'],
  mount: ['mt'],
  street: ['str', 'strasse', 'straße'],
  road: ['rd'],
  avenue: ['ave', 'av'],
  building: ['bldg'],
};

/**
 * Generic words of organisation names, after abbreviations: they count for less than a distinctive word
 * (weight 0.3 instead of 1), and a match needs at least one distinctive word in common (docs/screening.md
 * "Scores"), which is what keeps `Global Trading` from matching `Global Optics`. Name particles (`al`, `bin`,
 * `van`, …) are here for the same reason.
 */
export const COMMON_WORDS: ReadonlySet<string> = new Set([
  'international', 'technology', 'manufacturing', 'engineering', 'industry', 'electronics', 'systems', 'services',
  'trading', 'trade', 'holding', 'group', 'global', 'general', 'national', 'enterprise', 'enterprises', 'solutions',
  'import', 'export', 'impex', 'logistics', 'supply', 'supplies', 'products', 'commercial', 'development',
  'investment', 'investments', 'resources', 'partners', 'associates', 'consulting', 'equipment', 'machinery',
  'chemicals', 'laboratory', 'research', 'science', 'sciences', 'scientific', 'energy', 'power', 'new', 'first',
  'united', 'world', 'worldwide', 'universal', 'asia', 'euro', 'europe', 'middle', 'east', 'far', 'gulf', 'pacific',
  'north', 'south', 'west', 'central', 'overseas', 'allied', 'advanced', 'modern', 'premier', 'star', 'pharmaceuticals',
  'institute', 'university', 'management', 'marine', 'shipping', 'aviation', 'air', 'transport', 'petroleum', 'oil',
  'gas', 'mining', 'metals', 'steel', 'construction', 'precision', 'instruments', 'components', 'parts',
  'al', 'el', 'bin', 'ibn', 'abu', 'van', 'von', 'der', 'den', 'de', 'da', 'di', 'la', 'le', 'del', 'dos', 'das',
]);

/** Address words that say little about a place. */
export const COMMON_ADDRESS_WORDS: ReadonlySet<string> = new Set([
  'street', 'road', 'avenue', 'building', 'floor', 'unit', 'suite', 'block', 'no', 'lane', 'district', 'zone',
  'free', 'industrial', 'industry', 'area', 'park', 'city', 'box', 'po', 'office', 'tower', 'plaza',
]);

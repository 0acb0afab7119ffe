/** Word lists for plausible names. Artist names are built bijectively from these (see catalogue.ts). */

export const FIRST_NAMES = [
  'Ada', 'Bruno', 'Clara', 'Dmitri', 'Elena', 'Felix', 'Greta', 'Hugo', 'Ines', 'Jonas', 'Kaia', 'Leon', 'Mila',
  'Nico', 'Olga', 'Pablo', 'Quinn', 'Rosa', 'Sami', 'Tess', 'Umar', 'Vera', 'Walt', 'Xenia', 'Yara', 'Zane',
  'Amara', 'Basil', 'Cleo', 'Dario', 'Edith', 'Finn', 'Gwen', 'Hana', 'Ivo', 'June', 'Kurt', 'Lena', 'Marek',
  'Nora', 'Otis', 'Pia', 'Ravi', 'Sofia', 'Theo', 'Uma', 'Viggo', 'Wren', 'Yusuf', 'Zoe', 'Anouk', 'Bela',
  'Cosima', 'Dev', 'Elio', 'Frida', 'Gio', 'Hedda', 'Ilse', 'Jules',
] as const;

export const LAST_NAMES = [
  'Adler', 'Berg', 'Castillo', 'Dahl', 'Eriksen', 'Fontaine', 'Gallo', 'Hart', 'Ivanova', 'Jansen', 'Kowalski',
  'Lindqvist', 'Moreau', 'Novak', 'Okafor', 'Petrov', 'Quint', 'Rossi', 'Sato', 'Tanaka', 'Ulrich', 'Varga',
  'Weber', 'Xu', 'Yilmaz', 'Zeller', 'Alvarez', 'Brandt', 'Costa', 'Dubois', 'Engel', 'Fischer', 'Garcia',
  'Holm', 'Ito', 'Jovanovic', 'Keller', 'Laurent', 'Meyer', 'Nilsson', 'Ortega', 'Park', 'Quispe', 'Richter',
  'Silva', 'Torres', 'Urban', 'Vogel', 'Wagner', 'Young', 'Zhang', 'Aalto', 'Bauer', 'Conti', 'Dietrich',
  'Esposito', 'Ferrara', 'Gruber', 'Haas', 'Ishida',
] as const;

export const ADJECTIVES = [
  'Velvet', 'Neon', 'Silent', 'Golden', 'Electric', 'Hollow', 'Crimson', 'Midnight', 'Paper', 'Glass', 'Wild',
  'Distant', 'Lunar', 'Broken', 'Quiet', 'Burning', 'Frozen', 'Secret', 'Northern', 'Cosmic', 'Rusty', 'Amber',
  'Violet', 'Static', 'Gentle', 'Savage', 'Faded', 'Hidden', 'Radiant', 'Restless', 'Scarlet', 'Silver',
  'Solar', 'Stray', 'Tidal', 'Urban', 'Wandering', 'Young', 'Ancient', 'Bitter', 'Blue', 'Copper', 'Dusty',
  'Empty', 'Final', 'Heavy', 'Iron', 'Little', 'Lost', 'Magnetic', 'Mellow', 'Modern', 'Open', 'Pale', 'Royal',
  'Sacred', 'Shallow', 'Slow', 'Sugar', 'Wooden',
] as const;

export const NOUNS = [
  'Harbor', 'Signal', 'Lantern', 'Echo', 'Garden', 'River', 'Machine', 'Mirror', 'Parade', 'Orchard', 'Comet',
  'Tiger', 'Canyon', 'Circuit', 'Shadow', 'Meadow', 'Engine', 'Falcon', 'Voyage', 'Ember', 'Horizon', 'Island',
  'Jungle', 'Kingdom', 'Lighthouse', 'Monsoon', 'Nomad', 'Ocean', 'Pilot', 'Quarry', 'Rocket', 'Satellite',
  'Temple', 'Universe', 'Valley', 'Whisper', 'Wolf', 'Anchor', 'Bridge', 'Cathedral', 'Desert', 'Empire',
  'Forest', 'Glacier', 'Highway', 'Invader', 'Jewel', 'Kite', 'Lagoon', 'Monument', 'Nightingale', 'Oracle',
  'Prism', 'Raven', 'Sparrow', 'Thunder', 'Utopia', 'Vandal', 'Window', 'Zephyr',
] as const;

export const TITLE_WORDS = [
  'Love', 'Night', 'Summer', 'Rain', 'Fire', 'Heart', 'Dream', 'City', 'Light', 'Ghost', 'Road', 'Sky', 'Home',
  'Blood', 'Gold', 'Stars', 'Wave', 'Storm', 'Time', 'Color', 'Silence', 'Dance', 'Morning', 'Sunday', 'Winter',
  'Kiss', 'Memory', 'Paradise', 'Runaway', 'Satellite', 'Tokyo', 'Berlin', 'Lisbon', 'Cairo', 'Nowhere',
  'Echoes', 'Honey', 'Wildfire', 'Moonlight', 'Gravity',
] as const;

export const TITLE_PATTERNS = [
  (a: string, b: string) => `${a} ${b}`,
  (a: string, b: string) => `The ${a} ${b}`,
  (a: string, b: string) => `${b} of ${a}`,
  (a: string, _b: string) => a,
  (a: string, b: string) => `${a} & ${b}`,
  (a: string, b: string) => `No ${b}`,
  (a: string, b: string) => `${a} ${b} (Live)`,
  (a: string, b: string) => `${b}, ${a}`,
] as const;

export const LABEL_SUFFIXES = ['Records', 'Music', 'Recordings', 'Sound', 'Tonträger', 'Disques'] as const;

export const SPOTIFY_GENRES = [
  'indie pop', 'indie rock', 'art pop', 'synthpop', 'dream pop', 'post-punk', 'shoegaze', 'alternative rock',
  'hip hop', 'german hip hop', 'trap', 'r&b', 'neo soul', 'jazz', 'nu jazz', 'classical', 'modern classical',
  'techno', 'house', 'deep house', 'drum and bass', 'ambient', 'folk', 'singer-songwriter', 'country',
  'metal', 'metalcore', 'reggae', 'afrobeats', 'k-pop', 'chanson', 'bossa nova',
] as const;

/** Deezer's genre table (id, name) as seen in real album responses. */
export const DEEZER_GENRES = [
  { id: 132, name: 'Pop' },
  { id: 152, name: 'Rock' },
  { id: 116, name: 'Rap/Hip Hop' },
  { id: 113, name: 'Dance' },
  { id: 106, name: 'Electro' },
  { id: 129, name: 'Jazz' },
  { id: 98, name: 'Classical' },
  { id: 165, name: 'R&B' },
  { id: 85, name: 'Alternative' },
  { id: 464, name: 'Metal' },
  { id: 169, name: 'Soul & Funk' },
  { id: 144, name: 'Reggae' },
  { id: 84, name: 'Country' },
  { id: 466, name: 'Folk' },
] as const;

export const ISRC_COUNTRIES = ['US', 'GB', 'DE', 'FR', 'SE', 'NL', 'JP', 'BR', 'CA', 'AU'] as const;

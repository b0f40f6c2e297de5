/** Words the generator builds names, titles and places from (its own, not the dataset's). */
export const FIRST_NAMES_F = ['Ada', 'Bea', 'Cora', 'Dina', 'Elsa', 'Fay', 'Gina', 'Hana', 'Iris', 'Jana', 'Kira', 'Lena', 'Mira', 'Nora', 'Olga', 'Pia', 'Rosa', 'Sara', 'Tess', 'Vera'];
export const FIRST_NAMES_M = ['Abe', 'Ben', 'Cal', 'Dan', 'Eli', 'Finn', 'Gus', 'Hal', 'Ivo', 'Jon', 'Kai', 'Leo', 'Max', 'Ned', 'Otto', 'Paul', 'Rex', 'Sam', 'Tom', 'Vic'];
export const LAST_NAMES = ['Adler', 'Brook', 'Carver', 'Dale', 'Ellis', 'Frost', 'Grant', 'Hale', 'Irving', 'Jolly', 'Keene', 'Lowe', 'Marsh', 'Noble', 'Oakes', 'Pryce', 'Quinn', 'Reed', 'Stone', 'Tate', 'Vance', 'Wolfe'];
export const PLACES = ['Springfield, IL', 'Riverside, CA', 'Fairview, OR', 'Georgetown, TX', 'Salem, MA', 'Madison, WI', 'Clinton, IA', 'Franklin, TN', 'Arlington, VA', 'Ashland, KY', 'Burlington, VT', 'Dover, DE', 'Greenville, SC', 'Marion, OH', 'Oxford, MS'];
export const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.0 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:63.0) Gecko/20100101 Firefox/63.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 12_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
];
export const TITLE_WORDS = ['Amber', 'Blue', 'Broken', 'City', 'Dancing', 'Dream', 'Echo', 'Electric', 'Fire', 'Ghost', 'Golden', 'Heart', 'Highway', 'Island', 'Lights', 'Lonely', 'Midnight', 'Moon', 'Neon', 'Ocean', 'Paper', 'Rain', 'River', 'Silver', 'Summer', 'Thunder', 'Velvet', 'Wild', 'Winter', 'Wire'];
export const ARTIST_WORDS = ['Arrows', 'Bandits', 'Cinders', 'Drifters', 'Embers', 'Foxes', 'Giants', 'Harbors', 'Jets', 'Kites', 'Lanterns', 'Magnets', 'Nomads', 'Orbits', 'Pilots', 'Ravens', 'Sparrows', 'Tides', 'Vandals', 'Wolves'];
/** Pages a logged-in user visits besides NextSong, with rough weights by repetition. */
export const OTHER_PAGES = ['Home', 'Home', 'Thumbs Up', 'Thumbs Up', 'Add to Playlist', 'Thumbs Down', 'Settings', 'Help', 'About', 'Add Friend'];

import { dataDir, play, song } from '../helpers/fixtures';

/**
 * A sample small enough to answer every analytics question by hand (the answers are
 * worked out in queries.test.ts). All times UTC; 5 Nov 2018 is a Monday.
 *
 * The catalogue: "Alpha" by Band (100 s) and "Beta" by Crew (200 s).
 *
 * | play | user | session.item | when (UTC)       | level | song / artist / length | matches |
 * |------|------|--------------|------------------|-------|------------------------|---------|
 * | 1    | 1    | 10.0         | Mon 5 Nov 07:30  | free  | Alpha / Band / 100     | yes     |
 * | 2    | 1    | 10.1         | Mon 5 Nov 07:34  | free  | Gamma / Band / 180     | no: not in the catalogue |
 * | 3    | 1    | 11.0         | Tue 6 Nov 21:00  | paid  | Alpha / Band / 100     | yes     |
 * | 4    | 1    | 11.1         | Tue 6 Nov 21:04  | paid  | Gamma / Band / 180     | no      |
 * | 5    | 1    | 11.2         | Tue 6 Nov 21:07  | paid  | Alpha / Band / 101     | no: the duration differs |
 * | 6    | 2    | 20.0         | Tue 6 Nov 21:30  | free  | Beta / Crew / 200      | yes     |
 * | 7    | 2    | 20.1         | Tue 6 Nov 21:35  | paid  | Alpha / Band / 100     | yes     |
 * | 8    | 3    | 30.0         | Sat 10 Nov 07:05 | free  | Delta / Duo / 150      | no      |
 * | (8)  | 3    | 30.0         | Sat 10 Nov 07:05 | free  | the same event again: not a second play |
 * | 9    | 3    | 30.1         | Sat 10 Nov 07:09 | free  | Delta / Duo / 150      | no      |
 * | 10   | 2    | 21.0         | Sat 10 Nov 21:10 | free  | Beta / Crew / 200      | yes     |
 * | 11   | 2    | 21.1         | Sat 10 Nov 21:14 | paid  | Beta / Crew / 200      | yes     |
 *
 * Springfield, IL is users 1 and 3; Portland, ME user 2. User 4 only opened the Home
 * page (Sat 10 Nov 08:00, free, Austin, TX): a user, but no listener.
 */
export function handMadeSample(): string {
  const at = (day: number, hour: number, minute: number) => Date.UTC(2018, 10, day, hour, minute);
  const user1 = { userId: '1', firstName: 'Ada', lastName: 'Adler', gender: 'F', location: 'Springfield, IL' };
  const user2 = { userId: '2', firstName: 'Bo', lastName: 'Berg', gender: 'M', location: 'Portland, ME' };
  const user3 = { userId: '3', firstName: 'Cy', lastName: 'Cole', gender: 'M', location: 'Springfield, IL' };
  const listen = (user: Record<string, unknown>, sessionId: number, itemInSession: number, ts: number, level: string, title: string, artist: string, length: number) =>
    play({ ...user, sessionId, itemInSession, ts, level, song: title, artist, length });
  const duplicated = listen(user3, 30, 0, at(10, 7, 5), 'free', 'Delta', 'Duo', 150);
  return dataDir(
    [
      song({ song_id: 'SOALPHA', title: 'Alpha', artist_id: 'ARBAND', artist_name: 'Band', duration: 100 }),
      song({ song_id: 'SOBETA', title: 'Beta', artist_id: 'ARCREW', artist_name: 'Crew', duration: 200 }),
    ],
    [
      listen(user1, 10, 0, at(5, 7, 30), 'free', 'Alpha', 'Band', 100),
      listen(user1, 10, 1, at(5, 7, 34), 'free', 'Gamma', 'Band', 180),
      listen(user1, 11, 0, at(6, 21, 0), 'paid', 'Alpha', 'Band', 100),
      listen(user1, 11, 1, at(6, 21, 4), 'paid', 'Gamma', 'Band', 180),
      listen(user1, 11, 2, at(6, 21, 7), 'paid', 'Alpha', 'Band', 101),
      listen(user2, 20, 0, at(6, 21, 30), 'free', 'Beta', 'Crew', 200),
      listen(user2, 20, 1, at(6, 21, 35), 'paid', 'Alpha', 'Band', 100),
      duplicated,
      { ...duplicated },
      listen(user3, 30, 1, at(10, 7, 9), 'free', 'Delta', 'Duo', 150),
      listen(user2, 21, 0, at(10, 21, 10), 'free', 'Beta', 'Crew', 200),
      listen(user2, 21, 1, at(10, 21, 14), 'paid', 'Beta', 'Crew', 200),
      play({ userId: '4', firstName: 'Di', lastName: 'Dunn', gender: 'F', location: 'Austin, TX', page: 'Home', song: null, artist: null, length: null, level: 'free', sessionId: 40, itemInSession: 0, ts: at(10, 8, 0) }),
    ],
  );
}

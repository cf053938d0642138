import { Rng } from '../src/space/rng';
import { nb101Sample, nb101Mutate, nb101FromTokenScores, NB101_TOKEN_VOCAB } from '../src/space/nb101-space';
import { nb101Hash, nb101IsValid } from '../src/space/nb101-spec';
const rng = new Rng(1);
let t = Date.now(); const gs = Array.from({ length: 2000 }, () => nb101Sample(rng)); console.log('sample', (Date.now() - t) / 2000, 'ms');
t = Date.now(); for (const g of gs) nb101IsValid(g); console.log('isValid', (Date.now() - t) / 2000);
t = Date.now(); for (const g of gs) nb101Hash(g); console.log('hash', (Date.now() - t) / 2000);
t = Date.now(); for (const g of gs.slice(0, 500)) nb101Mutate(g, rng); console.log('mutate', (Date.now() - t) / 500);
t = Date.now(); for (let i = 0; i < 500; i++) nb101FromTokenScores(NB101_TOKEN_VOCAB.map((v) => Array.from({ length: v }, () => rng.next()))); console.log('fromTokenScores', (Date.now() - t) / 500);

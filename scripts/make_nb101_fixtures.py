"""Writes src/space/nb101.fixtures.json: runs the official google-research/nasbench code
(graph_util.py, model_spec.py, api.NASBench._check_spec; commit b94247037ee4) on a set of cells
and prints (matrix, ops, pruned cell, validity, hash) records. Needs only numpy:

    git clone https://github.com/google-research/nasbench /tmp/nasbench
    python3 scripts/make_nb101_fixtures.py /tmp/nasbench > src/space/nb101.fixtures.json
"""
import json, sys, types, random, itertools
import numpy as np

sys.path.insert(0, sys.argv[1])

# api.py imports TensorFlow 1.x and absl flags; the functions used here need neither.
for name in ['tensorflow', 'nasbench.lib.config', 'nasbench.lib.evaluate', 'nasbench.lib.model_metrics_pb2']:
    sys.modules[name] = types.ModuleType(name)
from nasbench import api  # noqa: E402
from nasbench.lib import model_spec as ms  # noqa: E402

AVAILABLE = ['conv3x3-bn-relu', 'conv1x1-bn-relu', 'maxpool3x3']
class Fake: config = {'module_vertices': 7, 'max_edges': 9, 'available_ops': AVAILABLE}

def record(matrix, ops, note):
    spec = api.ModelSpec(np.array(matrix), list(ops))
    try:
        api.NASBench._check_spec(Fake(), spec)
        valid, reason = True, None
    except api.OutOfDomainError as e:
        valid, reason = False, str(e)
    out = {'note': note, 'matrix': [list(map(int, r)) for r in matrix], 'ops': list(ops), 'valid': valid}
    if reason: out['official_error'] = reason
    if spec.valid_spec:
        out['pruned_matrix'] = spec.matrix.astype(int).tolist()
        out['pruned_ops'] = list(spec.ops)
        ops_ok = all(o in AVAILABLE for o in spec.ops[1:-1])
        out['hash'] = spec.hash_spec(AVAILABLE) if ops_ok else None
    else:
        out['pruned_matrix'] = None
        out['pruned_ops'] = None
        out['hash'] = None
    return out

C3, C1, MP, I, O = 'conv3x3-bn-relu', 'conv1x1-bn-relu', 'maxpool3x3', 'input', 'output'
recs = []
inception = [[0,1,1,1,0,1,0],[0,0,0,0,0,0,1],[0,0,0,0,0,0,1],[0,0,0,0,1,0,0],[0,0,0,0,0,0,1],[0,0,0,0,0,0,1],[0,0,0,0,0,0,0]]
recs.append(record(inception, [I,C1,C3,C3,C3,MP,O], 'api.py docstring Inception-like cell'))
# The same cell with interior vertices permuted (keeps the matrix upper-triangular): isomorphic.
def permute(matrix, ops, perm):  # perm: new position of each vertex
    n = len(ops); inv = [0]*n
    for v, p in enumerate(perm): inv[p] = v
    m = [[matrix[inv[a]][inv[b]] for b in range(n)] for a in range(n)]
    return m, [ops[inv[a]] for a in range(n)]
m2, o2 = permute(inception, [I,C1,C3,C3,C3,MP,O], [0,5,3,1,2,4,6])
recs.append(record(m2, o2, 'isomorphic to the Inception-like cell (vertices 1..5 -> 5,3,1,2,4)'))
recs.append(record([[0,1],[0,0]], [I,O], 'smallest cell: input straight to output'))
recs.append(record([[0,1,0],[0,0,1],[0,0,0]], [I,C3,O], 'one conv3x3'))
recs.append(record([[0,1,0],[0,0,1],[0,0,0]], [I,MP,O], 'one maxpool3x3'))
chain = [[0,1,0,0,0,0,0],[0,0,1,0,0,0,0],[0,0,0,1,0,0,0],[0,0,0,0,1,0,0],[0,0,0,0,0,1,0],[0,0,0,0,0,0,1],[0,0,0,0,0,0,0]]
recs.append(record(chain, [I,C3,C3,C1,C3,MP,O], 'chain of five'))
recs.append(record(chain, [I,C3,C1,C3,C3,MP,O], 'chain of five, two ops swapped (not isomorphic)'))
# Pruning: vertex 2 has no input (not reachable from input); vertex 4 has no path to output.
dang = [[0,1,0,0,0,0,0],[0,0,0,1,1,0,0],[0,0,0,1,0,0,0],[0,0,0,0,0,0,1],[0,0,0,0,0,0,0],[0,0,0,0,0,0,0],[0,0,0,0,0,0,0]]
recs.append(record(dang, [I,C3,MP,C1,C3,C3,O], 'needs pruning: vertex 2 unreachable from input, vertex 4 and 5 not reaching output'))
recs.append(record([[0,1,0,1],[0,0,1,0],[0,0,0,1],[0,0,0,0]], [I,C3,C1,O], 'pruned result of nothing (all on paths), 4 vertices'))
recs.append(record([[0,1,0,0],[0,0,1,0],[0,0,0,0],[0,0,0,0]], [I,C3,C1,O], 'disconnected: output has no input'))
recs.append(record([[0,0,0],[0,0,1],[0,0,0]], [I,C3,O], 'disconnected: input has no output'))
full = [[1 if b > a else 0 for b in range(7)] for a in range(7)]
recs.append(record(full, [I,C3,C3,C3,C1,MP,O], 'too many edges: all 21'))
# 11 edges in the raw matrix, 9 after pruning (vertex 5 has no in-edge): valid, as the API counts the pruned matrix.
p11b = [[0,1,1,0,0,0,1],[0,0,0,1,1,0,0],[0,0,0,1,1,0,0],[0,0,0,0,1,0,0],[0,0,0,0,0,0,1],[0,0,0,0,0,0,1],[0,0,0,0,0,0,0]]
recs.append(record(p11b, [I,C3,C1,MP,C3,C1,O], '10 raw edges, 9 after pruning (vertex 5 has no input): valid, the API counts the pruned matrix'))
recs.append(record(chain, [I,C3,'conv5x5-bn-relu',C1,C3,MP,O], 'unknown op'))
recs.append(record(chain, [C3,C3,C1,C1,C3,MP,O], 'first op is not input'))
recs.append(record(dang, [I,C3,'conv5x5-bn-relu',C1,C3,C3,O], 'unknown op on a vertex that pruning removes: valid, as the API checks the pruned ops'))

# Random specs as the official notebook samples them (uniform 0/1 upper triangle, uniform ops), seeded.
rng = np.random.RandomState(101)
pyr = random.Random(101)
seen_valid = []
while len([r for r in recs if r['note'].startswith('random')]) < 40:
    m = np.triu(rng.choice([0, 1], size=(7, 7)), 1)
    ops = rng.choice(AVAILABLE, size=7).tolist(); ops[0] = I; ops[-1] = O
    r = record(m.tolist(), ops, 'random (notebook sampler, numpy seed 101)')
    recs.append(r)
    if r['valid']: seen_valid.append((m.tolist(), ops))
# Isomorphic copies of random valid specs: every interior permutation that keeps the matrix upper-triangular.
for k, (m, ops) in enumerate(seen_valid[:6]):
    for perm in itertools.permutations(range(1, 6)):
        pm, po = permute(m, ops, [0, *perm, 6])
        if all(pm[a][b] == 0 for a in range(7) for b in range(a + 1)) and pm != m:
            recs.append(record(pm, po, f'random valid #{k} with interior vertices permuted (isomorphic)'))
            break
json.dump({'_comment': 'Made by scripts/make_nb101_fixtures.py, which runs the official google-research/nasbench code (commit b94247037ee470418a3e56dcb83814e9be83f3a8: '
           'nasbench/lib/model_spec.py ModelSpec pruning and hash_spec with config available_ops order, nasbench/api.py '
           'NASBench._check_spec for validity) under the Debian python3 3.11 with numpy 1.24.2 (its TensorFlow import stubbed, unused by these functions); see the README section '
           'NAS-Bench-101. "valid" = the official API accepts the spec; "hash" = ModelSpec.hash_spec (null when the spec is disconnected or has an unknown op).',
           'specs': recs}, sys.stdout, indent=None)
